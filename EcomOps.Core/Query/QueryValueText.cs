using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace EcomOps.Core.Query;

/// <summary>
/// A result value as Athena's console and result files write it, by the column's Athena type: decimals keep
/// their scale (<c>12.50</c>, not <c>12.5</c>), timestamps have milliseconds, booleans are lower-case, arrays
/// read <c>[a, b]</c> and maps <c>{k=v}</c>. Invariant culture always: these are data, not prose. One place
/// for the grid, the CSV download and the CLI.
/// </summary>
public static class QueryValueText
{
    /// <summary>The text of a value, or null for SQL NULL (each output says NULL its own way).</summary>
    public static string? Format(object? value, string athenaType)
    {
        ArgumentNullException.ThrowIfNull(athenaType);
        return value is null or DBNull ? null : Text(value, athenaType);
    }

    private static string Text(object value, string type) => value switch
    {
        string s => s,
        decimal d => AthenaTypes.DecimalScale(type) is { } scale ? d.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateTime d when type == "date" => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d when type == "timestamp with time zone" => d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC",
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString(@"d\ hh\:mm\:ss\.fff", CultureInfo.InvariantCulture),
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => string.Join(' ', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture))),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Element(k, MapType(type, 0))}={Element(map[k], MapType(type, 1))}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(e => Element(e, ElementType(type)))) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Element(object? value, string type) => Format(value, type) ?? "null";

    private static string ElementType(string type) =>
        type.StartsWith("array(", StringComparison.Ordinal) && type.EndsWith(')') ? type[6..^1] : "";

    private static string MapType(string type, int part)
    {
        if (!type.StartsWith("map(", StringComparison.Ordinal) || !type.EndsWith(')'))
        {
            return "";
        }

        // map(k, v): the key type never holds a comma at the top level in what DuckDB allows as a key here.
        var inner = type[4..^1];
        var depth = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            depth += inner[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (inner[i] == ',' && depth == 0)
            {
                return part == 0 ? inner[..i].Trim() : inner[(i + 1)..].Trim();
            }
        }

        return "";
    }
}

/// <summary>Where a query's rows go as the engine produces them: a list in memory, a CSV download, ...</summary>
public interface IQueryRowWriter
{
    /// <summary>Called once, before the first row, with the result's columns (Athena types).</summary>
    ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken);

    /// <summary>One row; the array is the writer's to keep. False stops the query: the writer has what it wants.</summary>
    ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken);
}

/// <summary>
/// Writes a result as CSV (RFC 4180: a header row, fields quoted when they hold a comma, quote or line break,
/// CRLF line ends unless told otherwise; NULL is an empty field), values as <see cref="QueryValueText"/> writes them.
/// </summary>
public sealed class QueryCsvWriter(TextWriter output, string newLine = "\r\n") : IQueryRowWriter
{
    private IReadOnlyList<QueryColumn> _columns = [];
    private readonly StringBuilder _line = new();

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    public async ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken)
    {
        _columns = columns;
        _line.Clear();
        for (var i = 0; i < columns.Count; i++)
        {
            Append(i, columns[i].Name);
        }

        await FlushLineAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        _line.Clear();
        for (var i = 0; i < row.Length; i++)
        {
            Append(i, QueryValueText.Format(row[i], i < _columns.Count ? _columns[i].Type : ""));
        }

        await FlushLineAsync(cancellationToken).ConfigureAwait(false);
        Rows++;
        return true;
    }

    /// <summary>One field, quoted when it must be.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private void Append(int index, string? value)
    {
        if (index > 0)
        {
            _line.Append(',');
        }

        if (value is not null)
        {
            _line.Append(Quote(value));
        }
    }

    private async Task FlushLineAsync(CancellationToken cancellationToken)
    {
        _line.Append(newLine);
        await output.WriteAsync(_line, cancellationToken).ConfigureAwait(false);
    }
}
