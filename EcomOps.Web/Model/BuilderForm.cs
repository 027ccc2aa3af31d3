using EcomOps.Core.Catalog;
using EcomOps.Core.Query;

namespace EcomOps.Web.Model;

/// <summary>The visual builder's form: what the user picked, as editable rows, turned into a <see cref="QuerySpec"/>.</summary>
public sealed class BuilderForm
{
    public CatalogTable? Table { get; private set; }

    public List<string> Columns { get; } = [];

    public List<FilterRow> Filters { get; } = [];

    public List<AggregateRow> Aggregates { get; } = [];

    public List<GroupRow> Groups { get; } = [];

    public List<OrderRow> Orders { get; } = [];

    public int Limit { get; set; } = QueryLimits.DefaultLimit;

    /// <summary>Every column of the table, partition keys last, as the builder lists them.</summary>
    public IReadOnlyList<CatalogColumn> AllColumns => Table is null ? [] : [.. Table.Columns, .. Table.PartitionKeys];

    /// <summary>Starts over on another table.</summary>
    public void SetTable(CatalogTable? table)
    {
        Table = table;
        Columns.Clear();
        Filters.Clear();
        Aggregates.Clear();
        Groups.Clear();
        Orders.Clear();
        Limit = QueryLimits.DefaultLimit;
    }

    public string TypeOf(string column) =>
        AllColumns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))?.Type ?? "";

    /// <summary>The operators that make sense on a column of this type; for dates a date range (with presets) comes first.</summary>
    public static IReadOnlyList<FilterOperator> OperatorsFor(string type)
    {
        List<FilterOperator> common = [FilterOperator.Equal, FilterOperator.NotEqual, FilterOperator.In, FilterOperator.IsNull, FilterOperator.IsNotNull];
        if (QueryValues.IsNumericType(type) || QueryValues.IsDateType(type))
        {
            common.InsertRange(2, [FilterOperator.LessThan, FilterOperator.LessThanOrEqual, FilterOperator.GreaterThan, FilterOperator.GreaterThanOrEqual, FilterOperator.Between]);
        }

        if (QueryValues.IsDateType(type))
        {
            common.Insert(0, FilterOperator.DateRange);
        }
        else if (type.StartsWith("varchar", StringComparison.OrdinalIgnoreCase) || type.Equals("string", StringComparison.OrdinalIgnoreCase) || type.StartsWith("char", StringComparison.OrdinalIgnoreCase))
        {
            common.Insert(2, FilterOperator.Like);
        }

        return common;
    }

    /// <summary>The functions for a column of this type; all of them before a column is picked, so sum can come first.</summary>
    public static IReadOnlyList<AggregateFunction> FunctionsFor(string type) =>
        type.Length == 0 || QueryValues.IsNumericType(type)
            ? [AggregateFunction.Sum, AggregateFunction.Avg, AggregateFunction.Min, AggregateFunction.Max, AggregateFunction.Count, AggregateFunction.CountDistinct]
            : [AggregateFunction.Count, AggregateFunction.CountDistinct, AggregateFunction.Min, AggregateFunction.Max];

    public static string Label(FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "≠",
        FilterOperator.LessThan => "<",
        FilterOperator.LessThanOrEqual => "≤",
        FilterOperator.GreaterThan => ">",
        FilterOperator.GreaterThanOrEqual => "≥",
        FilterOperator.Between => "between",
        FilterOperator.In => "in (a, b, ...)",
        FilterOperator.Like => "like",
        FilterOperator.IsNull => "is null",
        FilterOperator.IsNotNull => "is not null",
        FilterOperator.DateRange => "date range",
        _ => op.ToString(),
    };

    /// <summary>The date-range presets in the order the builder lists them.</summary>
    public static IReadOnlyList<DateRangePreset> Presets { get; } =
        [DateRangePreset.Last7Days, DateRangePreset.Last30Days, DateRangePreset.ThisMonth, DateRangePreset.LastMonth, DateRangePreset.ThisYear, DateRangePreset.Custom];

    public static string Label(DateRangePreset preset) => preset switch
    {
        DateRangePreset.Last7Days => "last 7 days",
        DateRangePreset.Last30Days => "last 30 days",
        DateRangePreset.ThisMonth => "this month",
        DateRangePreset.LastMonth => "last month",
        DateRangePreset.ThisYear => "this year",
        DateRangePreset.Custom => "custom",
        _ => preset.ToString(),
    };

    public static int ValuesTaken(FilterOperator op) => op switch
    {
        FilterOperator.IsNull or FilterOperator.IsNotNull or FilterOperator.DateRange => 0,
        FilterOperator.Between => 2,
        _ => 1,
    };

    /// <summary>Output names the order-by picker offers: the groups, the selected columns and the aggregates' aliases.</summary>
    public IReadOnlyList<string> OrderNames()
    {
        var names = new List<string>();
        names.AddRange(Groups.Select(g => g.Bucket == DateBucket.None ? g.Column : $"{g.Column}_{g.Bucket.ToString().ToLowerInvariant()}"));
        names.AddRange(Columns);
        names.AddRange(Aggregates.Select(AggregateName));
        if (names.Count == 0)
        {
            names.AddRange(AllColumns.Select(c => c.Name));
        }

        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static string AggregateName(AggregateRow a) =>
        !string.IsNullOrWhiteSpace(a.Alias) ? a.Alias.Trim()
        : a.Function == AggregateFunction.CountAll ? "count"
        : $"{a.Function.ToString().ToLowerInvariant()}_{a.Column}";

    /// <summary>The spec; null before a table is picked. <see cref="QuerySqlBuilder"/> validates it.</summary>
    public QuerySpec? ToSpec() => Table is null ? null : new QuerySpec(new QueryTable(Table.Database, Table.Name))
    {
        Columns = [.. Columns],
        Filters = [.. Filters.Where(f => !string.IsNullOrEmpty(f.Column)).Select(f => f.ToFilter())],
        Aggregates = [.. Aggregates.Select(a => new QueryAggregate(a.Function, a.Function == AggregateFunction.CountAll ? null : a.Column, string.IsNullOrWhiteSpace(a.Alias) ? null : a.Alias.Trim()))],
        GroupBy = [.. Groups.Where(g => !string.IsNullOrEmpty(g.Column)).Select(g => new QueryGroup(g.Column, g.Bucket))],
        OrderBy = [.. Orders.Where(o => !string.IsNullOrEmpty(o.Name)).Select(o => new QueryOrder(o.Name, o.Descending))],
        Limit = Limit,
    };

    public sealed class FilterRow
    {
        public string Column { get; set; } = "";

        public FilterOperator Operator { get; set; } = FilterOperator.Equal;

        public string Value { get; set; } = "";

        public string Value2 { get; set; } = "";

        public DateRangePreset Preset { get; set; } = DateRangePreset.Last30Days;

        /// <summary>The first day of a custom range (the date picker's value; its time of day is ignored).</summary>
        public DateTime? From { get; set; }

        /// <summary>The last day of a custom range, included.</summary>
        public DateTime? To { get; set; }

        // A custom range missing a date stays incomplete here, so the builder shows Core's message about it.
        public QueryFilter ToFilter() => Operator switch
        {
            FilterOperator.DateRange => QueryFilter.Dates(Column, Preset == DateRangePreset.Custom
                ? new DateRange(DateRangePreset.Custom, From is { } from ? DateOnly.FromDateTime(from) : null, To is { } to ? DateOnly.FromDateTime(to) : null)
                : new DateRange(Preset)),
            FilterOperator.IsNull or FilterOperator.IsNotNull => new QueryFilter(Column, Operator, []),
            FilterOperator.Between => new QueryFilter(Column, Operator, [Value, Value2]),
            FilterOperator.In => new QueryFilter(Column, Operator, [.. Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]),
            _ => new QueryFilter(Column, Operator, [Value]),
        };
    }

    public sealed class AggregateRow
    {
        public AggregateFunction Function { get; set; } = AggregateFunction.CountAll;

        public string? Column { get; set; }

        public string? Alias { get; set; }
    }

    public sealed class GroupRow
    {
        public string Column { get; set; } = "";

        public DateBucket Bucket { get; set; }
    }

    public sealed class OrderRow
    {
        public string Name { get; set; } = "";

        public bool Descending { get; set; }
    }
}
