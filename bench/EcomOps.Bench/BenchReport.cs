using System.Globalization;
using System.Text;

namespace EcomOps.Bench;

/// <summary>A column of a <see cref="BenchReport"/> table; numbers are right-aligned.</summary>
internal sealed record BenchColumn(string Header, bool Numeric = true);

/// <summary>
/// Printing for every benchmark: numbers in invariant culture (the output is pasted into the README and
/// compared between machines), Markdown tables, and PASS/FAIL checks counted for the exit code.
/// Sizes are decimal megabytes (1 MB = 1,000,000 bytes), the unit the targets are stated in.
/// </summary>
internal sealed class BenchReport(TextWriter output)
{
    private readonly List<(string Name, bool Passed)> _checks = [];

    public TextWriter Output => output;

    public bool AllChecksPassed => _checks.TrueForAll(c => c.Passed);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) =>
        value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Megabytes(long bytes) => Fixed(bytes / 1e6, 1);

    public static string Seconds(TimeSpan elapsed) => Fixed(elapsed.TotalSeconds, 2);

    public static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    // FormattableString only: with a string overload too, C# would bind $"..." to it and format in the current culture.
    public void Line(FormattableString text) => output.WriteLine(Text(text));

    public void Line() => output.WriteLine();

    public void Heading(string text)
    {
        output.WriteLine();
        output.WriteLine("## " + text);
        output.WriteLine();
    }

    /// <summary>Prints <c>PASS name: detail</c> or <c>FAIL name: detail</c> and remembers the outcome.</summary>
    public void Check(string name, bool passed, string detail)
    {
        _checks.Add((name, passed));
        output.WriteLine($"{(passed ? "PASS" : "FAIL")} {name}: {detail}");
    }

    /// <summary>A Markdown table padded so it also reads well in a terminal.</summary>
    public void Table(IReadOnlyList<BenchColumn> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var body = rows.ToList();
        foreach (var row in body)
        {
            if (row.Count != columns.Count)
            {
                throw new ArgumentException($"A row has {row.Count} cells; the table has {columns.Count} columns ({string.Join(", ", columns.Select(c => c.Header))}).", nameof(rows));
            }
        }

        var widths = columns.Select((c, i) => Math.Max(3, body.Select(r => r[i].Length).Append(c.Header.Length).Max())).ToArray();
        output.WriteLine(Row(columns.Select(c => c.Header).ToArray()));
        output.WriteLine("|" + string.Join("|", columns.Select((c, i) =>
            " " + (c.Numeric ? new string('-', widths[i] - 1) + ":" : new string('-', widths[i])) + " ")) + "|");
        foreach (var row in body)
        {
            output.WriteLine(Row(row));
        }

        string Row(IReadOnlyList<string> cells)
        {
            var line = new StringBuilder("|");
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = columns[i].Numeric ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
                line.Append(' ').Append(cell).Append(" |");
            }

            return line.ToString();
        }
    }
}
