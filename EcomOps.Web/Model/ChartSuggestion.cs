using EcomOps.Core.Query;

namespace EcomOps.Web.Model;

/// <summary>The chart kinds the Query page draws.</summary>
public enum ChartKind
{
    Bar,
    Line,
    Area,
    Pie,
    Scatter,
}

/// <summary>A chart over a result: its kind, which columns (by index) go on x and y, and which one, if any, splits it into series.</summary>
public sealed record ChartSuggestion(ChartKind Kind, int X, int Y, int? Series = null)
{
    private static readonly string[] TimeNames = ["date", "day", "week", "month", "year", "quarter"];

    /// <summary>
    /// The chart a result suggests from its column types: a date or timestamp (or a column named like one, such as
    /// <c>month</c>) and a number give a line; a text column and a number a bar; two numbers a scatter. Null when the
    /// result has no number to plot. Columns named like identifiers (<c>...id</c>) are plotted only when nothing else is.
    /// A line over time with one text column beside it (month, country, revenue) gets a series per value of that column.
    /// </summary>
    public static ChartSuggestion? Suggest(IReadOnlyList<QueryColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var time = IndexOf(columns, IsTime);
        // A measure rather than a key: identifiers such as customerid are numbers nobody plots.
        var number = IndexOf(columns, (c, i) => i != time && QueryValues.IsNumericType(c.Type) && !IsIdentifier(c));
        if (number < 0)
        {
            number = IndexOf(columns, (c, i) => i != time && QueryValues.IsNumericType(c.Type));
        }

        if (number < 0)
        {
            return null;
        }

        if (time >= 0)
        {
            // Only the shape of an aggregate (time, group, measure): raw rows would give a line per row's country.
            var series = columns.Count == 3 ? IndexOf(columns, (c, i) => i != time && !QueryValues.IsNumericType(c.Type) && !IsIdentifier(c)) : -1;
            return new(ChartKind.Line, time, number, series >= 0 ? series : null);
        }

        var text = IndexOf(columns, (c, _) => !QueryValues.IsNumericType(c.Type));
        if (text >= 0)
        {
            return new(ChartKind.Bar, text, number);
        }

        var second = IndexOf(columns, (c, i) => i != number && QueryValues.IsNumericType(c.Type) && !IsIdentifier(c));
        if (second < 0)
        {
            second = IndexOf(columns, (c, i) => i != number && QueryValues.IsNumericType(c.Type));
        }

        return second >= 0 ? new(ChartKind.Scatter, number, second) : new(ChartKind.Bar, number, number);
    }

    private static bool IsTime(QueryColumn column, int index) =>
        QueryValues.IsDateType(column.Type)
        || (index >= 0 && !QueryValues.IsNumericType(column.Type)
            && TimeNames.Any(n => column.Name.Equals(n, StringComparison.OrdinalIgnoreCase) || column.Name.EndsWith("_" + n, StringComparison.OrdinalIgnoreCase)));

    private static bool IsIdentifier(QueryColumn column) => column.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase);

    private static int IndexOf(IReadOnlyList<QueryColumn> columns, Func<QueryColumn, int, bool> match)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (match(columns[i], i))
            {
                return i;
            }
        }

        return -1;
    }
}
