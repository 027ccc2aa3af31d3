using System.Globalization;
using EcomOps.Core.Catalog;

namespace EcomOps.Core.Query;

/// <summary>
/// Writes a <see cref="QuerySpec"/> as Athena (Trino dialect) SQL, one clause per line, for people to read and for
/// Athena to run. Every identifier is double-quoted and every value is a literal rebuilt from the value parsed as its
/// column's type, so nothing the user types can change the statement.
/// </summary>
public static class QuerySqlBuilder
{
    private const string ListSeparator = ",\n       ";

    /// <summary>The SQL for <paramref name="spec"/> over <paramref name="table"/>, the catalog table it names.</summary>
    /// <exception cref="ArgumentException">
    /// The spec does not fit the table, with what and where: an unknown column (listing the table's columns), a value
    /// that is not of its column's type (<c>Filter on amount: 'ten' is not a decimal(10,2)</c>), an operator or aggregate
    /// the column's type does not take, a selected column outside the groups, a limit out of range.
    /// </exception>
    /// <exception cref="InvalidOperationException">A date-range preset not resolved yet; use the overload with a <see cref="TimeProvider"/> or <see cref="QuerySpec.ResolveDates(TimeProvider)"/>.</exception>
    public static string ToSql(QuerySpec spec, CatalogTable table)
    {
        var plan = QueryPlan.Create(spec, table);
        var sql = new System.Text.StringBuilder();
        sql.Append("SELECT ").AppendJoin(ListSeparator, plan.Select).Append('\n');
        sql.Append("FROM ").Append(AthenaSql.Identifier(table.Database)).Append('.').Append(AthenaSql.Identifier(table.Name));
        if (plan.Where.Count > 0)
        {
            sql.Append("\nWHERE ").AppendJoin("\n  AND ", plan.Where);
        }

        if (plan.GroupBy.Count > 0)
        {
            sql.Append("\nGROUP BY ").AppendJoin(", ", plan.GroupBy);
        }

        if (plan.OrderBy.Count > 0)
        {
            sql.Append("\nORDER BY ").AppendJoin(", ", plan.OrderBy);
        }

        // No trailing semicolon: Athena's API takes one statement, and a bare statement also nests (EXPLAIN, CTAS).
        sql.Append("\nLIMIT ").Append(plan.Limit.ToString(CultureInfo.InvariantCulture));
        return sql.ToString();
    }

    /// <summary>
    /// <see cref="ToSql(QuerySpec, CatalogTable)"/> with date-range presets resolved at <paramref name="timeProvider"/>'s
    /// current UTC time. Keep <c>spec.ResolveDates(...)</c> beside the SQL where the run must be repeatable.
    /// </summary>
    public static string ToSql(QuerySpec spec, CatalogTable table, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ToSql(spec.ResolveDates(timeProvider), table);
    }
}

/// <summary>A column of the table as the builder sees it.</summary>
internal sealed record PlanColumn(CatalogColumn Column, AthenaType Type, int PartitionIndex)
{
    public bool IsPartitionKey => PartitionIndex >= 0;

    public string Sql => AthenaSql.Identifier(Column.Name);
}

/// <summary>A checked spec: its clauses as SQL fragments, and what <see cref="ScanEstimate"/> needs to know.</summary>
internal sealed class QueryPlan
{
    private readonly QuerySpec _spec;
    private readonly CatalogTable _table;
    private readonly Dictionary<string, PlanColumn> _columns = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<PlanColumn> _ordered = [];

    private QueryPlan(QuerySpec spec, CatalogTable table)
    {
        _spec = spec;
        _table = table;
        foreach (var column in table.Columns.Select(c => new PlanColumn(c, AthenaType.Parse(c.Type), -1))
            .Concat(table.PartitionKeys.Select((k, i) => new PlanColumn(k, AthenaType.Parse(k.Type), i))))
        {
            if (_columns.TryAdd(column.Column.Name, column))
            {
                _ordered.Add(column);
            }
        }
    }

    public List<string> Select { get; } = [];

    public List<string> Where { get; } = [];

    public List<string> GroupBy { get; } = [];

    public List<string> OrderBy { get; } = [];

    public int Limit => _spec.Limit;

    /// <summary>Columns of the data files the query reads (partition keys are in the paths, not the files).</summary>
    public HashSet<CatalogColumn> DataColumnsRead { get; } = [];

    /// <summary>Filters on string partition keys, with the key's position in <see cref="CatalogPartition.Values"/>.</summary>
    public List<(int KeyIndex, QueryFilter Filter)> PartitionFilters { get; } = [];

    public static QueryPlan Create(QuerySpec spec, CatalogTable table)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(table);
        if (!string.Equals(spec.Table.Database, table.Database, StringComparison.OrdinalIgnoreCase) || !string.Equals(spec.Table.Name, table.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The query reads {spec.Table} but the catalog table given is {table.FullName}.");
        }

        if (spec.Limit is < 1 or > QueryLimits.MaxLimit)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Limit {spec.Limit} is out of range: 1 to {QueryLimits.MaxLimit:N0} rows."));
        }

        var plan = new QueryPlan(spec, table);
        plan.PlanSelect();
        plan.PlanWhere();
        return plan;
    }

    private void PlanSelect()
    {
        var grouped = _spec.Aggregates.Count > 0 || _spec.GroupBy.Count > 0;
        if (!grouped)
        {
            var columns = _spec.Columns.Count > 0
                ? _spec.Columns.Select(c => Find(c, "Selected column")).ToList()
                : _ordered;
            var outputs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var column in columns.Where(c => outputs.Add(c.Column.Name)))
            {
                Select.Add(column.Sql);
                Read(column);
            }

            foreach (var order in _spec.OrderBy)
            {
                var column = Find(order.Name, "Order by");
                Read(column);
                OrderBy.Add(column.Sql + Direction(order));
            }

            return;
        }

        // With aggregates and no explicit groups, the selected columns are the groups (the builder's "summarize by").
        var groups = _spec.GroupBy.Count > 0 ? _spec.GroupBy : [.. _spec.Columns.Select(QueryGroup.By)];
        var groupContext = _spec.GroupBy.Count > 0 ? "Group by" : "Selected column";
        var plainGroups = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var outputNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in groups)
        {
            var column = Find(group.Column, groupContext);
            Read(column);
            if (group.Bucket == DateBucket.None)
            {
                if (plainGroups.Add(column.Column.Name))
                {
                    AddOutput(outputNames, column.Column.Name, column.Sql);
                    Select.Add(column.Sql);
                    GroupBy.Add(column.Sql);
                }

                continue;
            }

            if (!column.Type.IsTemporal)
            {
                throw new ArgumentException($"Group by {column.Column.Name} by {Unit(group.Bucket)}: date buckets apply to date and timestamp columns; {column.Column.Name} is {column.Column.Type}.");
            }

            var expression = $"date_trunc('{Unit(group.Bucket)}', {column.Sql})";
            var alias = string.IsNullOrWhiteSpace(group.Alias) ? $"{column.Column.Name}_{Unit(group.Bucket)}" : group.Alias;
            AddOutput(outputNames, alias, AthenaSql.Identifier(alias));
            Select.Add($"{expression} AS {AthenaSql.Identifier(alias)}");
            GroupBy.Add(expression);
        }

        foreach (var selected in _spec.Columns)
        {
            var column = Find(selected, "Selected column");
            if (!plainGroups.Contains(column.Column.Name))
            {
                throw new ArgumentException(
                    $"Selected column {column.Column.Name} is not grouped: with aggregates or groups, every selected column must be a Group by column " +
                    $"(grouped now: {string.Join(", ", groups.Select(Describe))}). Add {column.Column.Name} to Group by or remove it from the columns.");
            }
        }

        foreach (var aggregate in _spec.Aggregates)
        {
            var (expression, alias) = PlanAggregate(aggregate);
            AddOutput(outputNames, alias, AthenaSql.Identifier(alias));
            Select.Add($"{expression} AS {AthenaSql.Identifier(alias)}");
        }

        foreach (var order in _spec.OrderBy)
        {
            // Output names first, as Athena resolves ORDER BY names: an alias may shadow a column.
            if (!outputNames.TryGetValue(order.Name, out var sql))
            {
                throw new ArgumentException(
                    $"Order by {order.Name}: with aggregates or groups, order by a group or an aggregate ({string.Join(", ", outputNames.Keys)}).");
            }

            OrderBy.Add(sql + Direction(order));
        }
    }

    private (string Expression, string Alias) PlanAggregate(QueryAggregate aggregate)
    {
        var name = aggregate.Function switch
        {
            AggregateFunction.CountAll => "count(*)",
            AggregateFunction.CountDistinct => "count distinct",
            _ => aggregate.Function.ToString().ToLowerInvariant(),
        };
        if (aggregate.Function == AggregateFunction.CountAll)
        {
            if (aggregate.Column is not null)
            {
                throw new ArgumentException($"Aggregate count(*) counts rows and takes no column (got {aggregate.Column}); use count for the non-null values of a column.");
            }

            return ("count(*)", string.IsNullOrWhiteSpace(aggregate.Alias) ? "count" : aggregate.Alias);
        }

        if (string.IsNullOrWhiteSpace(aggregate.Column))
        {
            throw new ArgumentException($"Aggregate {name} needs a column.");
        }

        var column = Find(aggregate.Column, $"Aggregate {name}");
        Read(column);
        if (aggregate.Function is AggregateFunction.Sum or AggregateFunction.Avg && !column.Type.IsNumeric)
        {
            throw new ArgumentException($"Aggregate {name}({column.Column.Name}): {name} applies to numeric columns; {column.Column.Name} is {column.Column.Type}.");
        }

        var expression = aggregate.Function switch
        {
            AggregateFunction.CountDistinct => $"count(DISTINCT {column.Sql})",
            _ => $"{name}({column.Sql})",
        };
        var alias = string.IsNullOrWhiteSpace(aggregate.Alias) ? $"{name.Replace(' ', '_')}_{column.Column.Name}" : aggregate.Alias;
        return (expression, alias);
    }

    private void PlanWhere()
    {
        foreach (var filter in _spec.Filters)
        {
            var column = Find(filter.Column, "Filter");
            var name = column.Column.Name;
            Read(column);
            var expected = filter.Operator switch
            {
                FilterOperator.IsNull or FilterOperator.IsNotNull or FilterOperator.DateRange => 0,
                FilterOperator.Between => 2,
                FilterOperator.In => -1,
                _ => 1,
            };
            var values = filter.Values ?? [];
            if (expected >= 0 ? values.Count != expected : values.Count == 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Filter on {name}: {Describe(filter.Operator)} takes {(expected < 0 ? "one or more values" : expected == 1 ? "1 value" : $"{expected} values")}, got {values.Count}."));
            }

            if (filter.Operator is not (FilterOperator.IsNull or FilterOperator.IsNotNull) && column.Type.Kind == AthenaTypeKind.Other)
            {
                throw new ArgumentException($"Filter on {name}: {column.Column.Type} columns can only be tested for null in the builder.");
            }

            if (filter.Operator == FilterOperator.Like && column.Type.Kind != AthenaTypeKind.String)
            {
                throw new ArgumentException($"Filter on {name}: like applies to string columns; {name} is {column.Column.Type}.");
            }

            // Only string keys compare as the estimate compares them; a typed key would compare as its type.
            if (column.IsPartitionKey && column.Type.Kind == AthenaTypeKind.String)
            {
                PartitionFilters.Add((column.PartitionIndex, filter));
            }

            Where.Add(filter.Operator switch
            {
                FilterOperator.Equal => $"{column.Sql} = {Literal(column, values[0])}",
                FilterOperator.NotEqual => $"{column.Sql} <> {Literal(column, values[0])}",
                FilterOperator.LessThan => $"{column.Sql} < {Literal(column, values[0])}",
                FilterOperator.LessThanOrEqual => $"{column.Sql} <= {Literal(column, values[0])}",
                FilterOperator.GreaterThan => $"{column.Sql} > {Literal(column, values[0])}",
                FilterOperator.GreaterThanOrEqual => $"{column.Sql} >= {Literal(column, values[0])}",
                FilterOperator.Between => $"{column.Sql} BETWEEN {Literal(column, values[0])} AND {Literal(column, values[1])}",
                FilterOperator.In => $"{column.Sql} IN ({string.Join(", ", values.Select(v => Literal(column, v)))})",

                // The pattern is the user's, wildcards included; it is still only ever a string literal.
                FilterOperator.Like => $"{column.Sql} LIKE {AthenaSql.String(values[0])}",
                FilterOperator.IsNull => $"{column.Sql} IS NULL",
                FilterOperator.IsNotNull => $"{column.Sql} IS NOT NULL",
                FilterOperator.DateRange => DateRange(column, filter.Range),
                _ => throw new ArgumentException($"Filter on {name}: unknown operator {filter.Operator}."),
            });
        }
    }

    // Half-open on the day after the last: a timestamp at 23:59:59.999 of the last day is in, midnight after is out.
    private static string DateRange(PlanColumn column, DateRange? range)
    {
        var name = column.Column.Name;
        if (range is null)
        {
            throw new ArgumentException($"Filter on {name}: a date-range filter needs a range.");
        }

        if (!column.Type.IsTemporal)
        {
            throw new ArgumentException($"Filter on {name}: a date range applies to date and timestamp columns; {name} is {column.Column.Type}.");
        }

        if (range.Preset != DateRangePreset.Custom)
        {
            throw new InvalidOperationException(
                $"Filter on {name}: the preset {range.Preset} is not resolved to dates; resolve the spec with QuerySpec.ResolveDates first so the SQL says which days it means.");
        }

        var dates = range.Checked();
        var from = dates.From!.Value;
        var until = dates.To!.Value.AddDays(1);
        return column.Type.Kind == AthenaTypeKind.Date
            ? $"{column.Sql} >= {AthenaSql.Date(from)} AND {column.Sql} < {AthenaSql.Date(until)}"
            : $"{column.Sql} >= {AthenaSql.Timestamp(from.ToDateTime(TimeOnly.MinValue))} AND {column.Sql} < {AthenaSql.Timestamp(until.ToDateTime(TimeOnly.MinValue))}";
    }

    private static string Literal(PlanColumn column, string value) =>
        AthenaSql.TryLiteral(value, column.Type, out var detail)
            ?? throw new ArgumentException($"Filter on {column.Column.Name}: '{value}' is not {Article(column.Column.Type)} {column.Column.Type}{(detail is null ? "" : $" ({detail})")}");

    private static string Article(string type) => "aeiou".Contains(char.ToLowerInvariant(type[0]), StringComparison.Ordinal) ? "an" : "a";

    private PlanColumn Find(string name, string context) =>
        _columns.TryGetValue(name ?? "", out var column)
            ? column
            : throw new ArgumentException($"{context}: {_table.FullName} has no column '{name}'; its columns are {string.Join(", ", _ordered.Select(c => c.Column.Name))}.");

    private void Read(PlanColumn column)
    {
        if (!column.IsPartitionKey)
        {
            DataColumnsRead.Add(column.Column);
        }
    }

    private static void AddOutput(Dictionary<string, string> outputs, string name, string sql)
    {
        if (!outputs.TryAdd(name, sql))
        {
            throw new ArgumentException($"Two output columns are named '{name}'; give each aggregate and date group its own alias.");
        }
    }

    private static string Direction(QueryOrder order) => order.Descending ? " DESC" : " ASC";

    private static string Unit(DateBucket bucket) => bucket.ToString().ToLowerInvariant();

    private static string Describe(QueryGroup group) => group.Bucket == DateBucket.None ? group.Column : $"{group.Column} by {Unit(group.Bucket)}";

    private static string Describe(FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "!=",
        FilterOperator.LessThan => "<",
        FilterOperator.LessThanOrEqual => "<=",
        FilterOperator.GreaterThan => ">",
        FilterOperator.GreaterThanOrEqual => ">=",
        FilterOperator.IsNull => "is null",
        FilterOperator.IsNotNull => "is not null",
        FilterOperator.DateRange => "a date range",
        _ => op.ToString().ToLowerInvariant(),
    };
}
