namespace EcomOps.Core.Query;

/// <summary>
/// What the visual builder holds: one catalog table and what to read from it. <see cref="QuerySqlBuilder"/> turns it
/// into Athena SQL against the <see cref="Catalog.CatalogTable"/> it names, and <see cref="ScanEstimate"/> prices it.
/// </summary>
/// <remarks>
/// <para>Column names are the catalog's (matched ignoring case, as Glue does). Filter values are text, as the user typed
/// them; they are parsed as the column's type when the SQL is built, never pasted into it.</para>
/// <para>Grouping: with <see cref="Aggregates"/> and no <see cref="GroupBy"/>, the selected <see cref="Columns"/> are
/// the groups (the builder's "summarize by"). With an explicit <see cref="GroupBy"/>, every selected column must be
/// one of its plain (not bucketed) columns; anything else is refused, since Athena would refuse it too. The output
/// is the group keys in <see cref="GroupBy"/> order, then the aggregates.</para>
/// <para>With neither aggregates nor groups and no columns selected, every column is read, partition keys last.</para>
/// </remarks>
/// <param name="Table">The table to read.</param>
public sealed record QuerySpec(QueryTable Table)
{
    /// <summary>Columns to show; empty for all (or for aggregates only).</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Conditions the rows must all meet (AND).</summary>
    public IReadOnlyList<QueryFilter> Filters { get; init; } = [];

    /// <summary>Aggregates to compute, each with an output name.</summary>
    public IReadOnlyList<QueryAggregate> Aggregates { get; init; } = [];

    /// <summary>Groups, in output order; a date or timestamp column can be grouped by day, week, month or year.</summary>
    public IReadOnlyList<QueryGroup> GroupBy { get; init; } = [];

    /// <summary>Sort keys, first first.</summary>
    public IReadOnlyList<QueryOrder> OrderBy { get; init; } = [];

    /// <summary>Most rows to return: 1..<see cref="QueryLimits.MaxLimit"/>, default <see cref="QueryLimits.DefaultLimit"/>.</summary>
    public int Limit { get; init; } = QueryLimits.DefaultLimit;

    /// <summary>
    /// This spec with every date-range preset replaced by the concrete dates it means at <paramref name="nowUtc"/>,
    /// so the spec (and the SQL built from it) reads the same tomorrow. Custom ranges and other filters are kept.
    /// </summary>
    public QuerySpec ResolveDates(DateTimeOffset nowUtc) =>
        Filters.Any(f => f.Range is { Preset: not DateRangePreset.Custom })
            ? this with { Filters = [.. Filters.Select(f => f.Range is { } range ? f with { Range = range.Resolve(nowUtc) } : f)] }
            : this;

    /// <summary><see cref="ResolveDates(DateTimeOffset)"/> at the provider's current UTC time.</summary>
    public QuerySpec ResolveDates(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return ResolveDates(timeProvider.GetUtcNow());
    }
}

/// <summary>A catalog table by database and name, as <see cref="Catalog.CatalogTable.Database"/> and <see cref="Catalog.CatalogTable.Name"/>.</summary>
public sealed record QueryTable(string Database, string Name)
{
    public override string ToString() => $"{Database}.{Name}";
}

/// <summary>Bounds on <see cref="QuerySpec.Limit"/>.</summary>
public static class QueryLimits
{
    /// <summary>The limit when the user sets none: enough to look at, small enough to show in a page.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The largest limit the builder writes: results go to a download beyond a page, not to the browser.</summary>
    public const int MaxLimit = 1_000_000;
}

/// <summary>How a filter compares its column.</summary>
public enum FilterOperator
{
    /// <summary><c>=</c>, one value.</summary>
    Equal,

    /// <summary><c>!=</c> (written <c>&lt;&gt;</c>), one value.</summary>
    NotEqual,

    /// <summary><c>&lt;</c>, one value.</summary>
    LessThan,

    /// <summary><c>&lt;=</c>, one value.</summary>
    LessThanOrEqual,

    /// <summary><c>&gt;</c>, one value.</summary>
    GreaterThan,

    /// <summary><c>&gt;=</c>, one value.</summary>
    GreaterThanOrEqual,

    /// <summary><c>BETWEEN low AND high</c>, both included; two values.</summary>
    Between,

    /// <summary><c>IN (...)</c>, one or more values.</summary>
    In,

    /// <summary><c>LIKE</c>, one pattern, on string columns; the user's <c>%</c> and <c>_</c> are wildcards.</summary>
    Like,

    /// <summary><c>IS NULL</c>, no values.</summary>
    IsNull,

    /// <summary><c>IS NOT NULL</c>, no values.</summary>
    IsNotNull,

    /// <summary>From a start date to an end date, on a date or timestamp column; see <see cref="QueryFilter.Range"/>.</summary>
    DateRange,
}

/// <summary>One condition on one column. Build it with the static methods; values are text, parsed as the column's type.</summary>
/// <param name="Column">The catalog column.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Values">The operands, as many as <paramref name="Operator"/> takes.</param>
/// <param name="Range">The dates, for <see cref="FilterOperator.DateRange"/> only.</param>
public sealed record QueryFilter(string Column, FilterOperator Operator, IReadOnlyList<string> Values, DateRange? Range = null)
{
    public static QueryFilter Equal(string column, string value) => new(column, FilterOperator.Equal, [value]);

    public static QueryFilter NotEqual(string column, string value) => new(column, FilterOperator.NotEqual, [value]);

    public static QueryFilter LessThan(string column, string value) => new(column, FilterOperator.LessThan, [value]);

    public static QueryFilter LessThanOrEqual(string column, string value) => new(column, FilterOperator.LessThanOrEqual, [value]);

    public static QueryFilter GreaterThan(string column, string value) => new(column, FilterOperator.GreaterThan, [value]);

    public static QueryFilter GreaterThanOrEqual(string column, string value) => new(column, FilterOperator.GreaterThanOrEqual, [value]);

    public static QueryFilter Between(string column, string low, string high) => new(column, FilterOperator.Between, [low, high]);

    public static QueryFilter In(string column, params IReadOnlyList<string> values) => new(column, FilterOperator.In, values);

    public static QueryFilter Like(string column, string pattern) => new(column, FilterOperator.Like, [pattern]);

    public static QueryFilter IsNull(string column) => new(column, FilterOperator.IsNull, []);

    public static QueryFilter IsNotNull(string column) => new(column, FilterOperator.IsNotNull, []);

    public static QueryFilter Dates(string column, DateRange range) => new(column, FilterOperator.DateRange, [], range);
}

/// <summary>The date ranges the builder offers.</summary>
public enum DateRangePreset
{
    /// <summary>Today (UTC) and the 6 days before it.</summary>
    Last7Days,

    /// <summary>Today (UTC) and the 29 days before it.</summary>
    Last30Days,

    /// <summary>From the first of the current month (UTC) to today.</summary>
    ThisMonth,

    /// <summary>The whole previous calendar month.</summary>
    LastMonth,

    /// <summary>From 1 January of the current year (UTC) to today.</summary>
    ThisYear,

    /// <summary>The user's own <see cref="DateRange.From"/> and <see cref="DateRange.To"/>.</summary>
    Custom,
}

/// <summary>
/// A range of whole days, both ends included. A preset means different days on different days; <see cref="Resolve"/>
/// pins it to concrete dates. The SQL compares half-open (<c>&gt;= From</c> and <c>&lt; To + 1 day</c>), so every
/// moment of the last day is in, for timestamps too.
/// </summary>
/// <param name="Preset">Which range.</param>
/// <param name="From">The first day, for <see cref="DateRangePreset.Custom"/> (and after <see cref="Resolve"/>).</param>
/// <param name="To">The last day, included, for <see cref="DateRangePreset.Custom"/> (and after <see cref="Resolve"/>).</param>
public sealed record DateRange(DateRangePreset Preset, DateOnly? From = null, DateOnly? To = null)
{
    public static DateRange Last7Days { get; } = new(DateRangePreset.Last7Days);

    public static DateRange Last30Days { get; } = new(DateRangePreset.Last30Days);

    public static DateRange ThisMonth { get; } = new(DateRangePreset.ThisMonth);

    public static DateRange LastMonth { get; } = new(DateRangePreset.LastMonth);

    public static DateRange ThisYear { get; } = new(DateRangePreset.ThisYear);

    public static DateRange Between(DateOnly from, DateOnly to) => new(DateRangePreset.Custom, from, to);

    /// <summary>
    /// The concrete range at <paramref name="nowUtc"/> (taken as UTC whatever its offset, since the lake's timestamps
    /// are UTC): a <see cref="DateRangePreset.Custom"/> range with both dates set.
    /// </summary>
    /// <exception cref="ArgumentException">A custom range without both dates, or ending before it starts.</exception>
    public DateRange Resolve(DateTimeOffset nowUtc)
    {
        var today = DateOnly.FromDateTime(nowUtc.UtcDateTime);
        var firstOfMonth = new DateOnly(today.Year, today.Month, 1);
        return Preset switch
        {
            DateRangePreset.Last7Days => Between(today.AddDays(-6), today),
            DateRangePreset.Last30Days => Between(today.AddDays(-29), today),
            DateRangePreset.ThisMonth => Between(firstOfMonth, today),
            DateRangePreset.LastMonth => Between(firstOfMonth.AddMonths(-1), firstOfMonth.AddDays(-1)),
            DateRangePreset.ThisYear => Between(new DateOnly(today.Year, 1, 1), today),
            _ => Checked(),
        };
    }

    internal DateRange Checked()
    {
        if (From is not { } from || To is not { } to)
        {
            throw new ArgumentException("A custom date range needs both a From and a To date.");
        }

        return to < from
            ? throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The date range ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd})."))
            : this;
    }
}

/// <summary>An aggregate function.</summary>
public enum AggregateFunction
{
    /// <summary><c>count(*)</c>: rows; takes no column.</summary>
    CountAll,

    /// <summary><c>count(col)</c>: rows where the column is not null.</summary>
    Count,

    /// <summary><c>count(DISTINCT col)</c>.</summary>
    CountDistinct,

    /// <summary><c>sum(col)</c>, numeric columns.</summary>
    Sum,

    /// <summary><c>avg(col)</c>, numeric columns.</summary>
    Avg,

    /// <summary><c>min(col)</c>.</summary>
    Min,

    /// <summary><c>max(col)</c>.</summary>
    Max,
}

/// <summary>One aggregate in the output.</summary>
/// <param name="Function">What to compute.</param>
/// <param name="Column">Over which column; null for <see cref="AggregateFunction.CountAll"/>.</param>
/// <param name="Alias">The output name; null for a default such as <c>count</c> or <c>sum_amount</c>.</param>
public sealed record QueryAggregate(AggregateFunction Function, string? Column = null, string? Alias = null)
{
    public static QueryAggregate CountAll(string? alias = null) => new(AggregateFunction.CountAll, null, alias);

    public static QueryAggregate Count(string column, string? alias = null) => new(AggregateFunction.Count, column, alias);

    public static QueryAggregate CountDistinct(string column, string? alias = null) => new(AggregateFunction.CountDistinct, column, alias);

    public static QueryAggregate Sum(string column, string? alias = null) => new(AggregateFunction.Sum, column, alias);

    public static QueryAggregate Avg(string column, string? alias = null) => new(AggregateFunction.Avg, column, alias);

    public static QueryAggregate Min(string column, string? alias = null) => new(AggregateFunction.Min, column, alias);

    public static QueryAggregate Max(string column, string? alias = null) => new(AggregateFunction.Max, column, alias);
}

/// <summary>How a date or timestamp column is bucketed for grouping (Athena's <c>date_trunc</c> units).</summary>
public enum DateBucket
{
    /// <summary>Group by the value itself.</summary>
    None,
    Day,

    /// <summary>Weeks start on Monday (ISO), as <c>date_trunc('week', ...)</c> does.</summary>
    Week,
    Month,
    Year,
}

/// <summary>One group key.</summary>
/// <param name="Column">The catalog column.</param>
/// <param name="Bucket">For a date or timestamp column, the unit to truncate it to.</param>
/// <param name="Alias">The output name of a bucketed group; null for <c>column_unit</c> (such as <c>timestamp_month</c>). A plain group keeps the column's name.</param>
public sealed record QueryGroup(string Column, DateBucket Bucket = DateBucket.None, string? Alias = null)
{
    public static QueryGroup By(string column) => new(column);

    public static QueryGroup ByDay(string column, string? alias = null) => new(column, DateBucket.Day, alias);

    public static QueryGroup ByWeek(string column, string? alias = null) => new(column, DateBucket.Week, alias);

    public static QueryGroup ByMonth(string column, string? alias = null) => new(column, DateBucket.Month, alias);

    public static QueryGroup ByYear(string column, string? alias = null) => new(column, DateBucket.Year, alias);
}

/// <summary>One sort key.</summary>
/// <param name="Name">An output name (an aggregate's or a bucketed group's alias) or a column; output names win, as in Athena.</param>
/// <param name="Descending">Largest first.</param>
public sealed record QueryOrder(string Name, bool Descending = false)
{
    public static QueryOrder Asc(string name) => new(name);

    public static QueryOrder Desc(string name) => new(name, true);
}
