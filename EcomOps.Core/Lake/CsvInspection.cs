using EcomOps.Core.Datasets;

namespace EcomOps.Core.Lake;

/// <summary>One row that would not load: where it is, which column, the value and why.</summary>
/// <param name="Line">1-based line in the file (the header is line 1).</param>
/// <param name="Column">The column, or null for a problem with the whole row (field count, quoting).</param>
/// <param name="Value">The value as found, or null.</param>
public sealed record CsvProblem(long Line, string? Column, string? Value, string Reason)
{
    public override string ToString() => Column is null
        ? $"line {Line}: {Reason}"
        : $"line {Line}, column {Column}: '{Value}' {Reason}";
}

/// <summary>What a check of a CSV's header and first rows found.</summary>
/// <param name="FileName">The file's name, for messages.</param>
/// <param name="Header">The header row as found (empty for an empty file).</param>
/// <param name="Dataset">The dataset it belongs to: chosen, or recognized from the header; null when neither.</param>
/// <param name="Refusal">Why the file cannot be uploaded at all (header, empty, encoding), or null.</param>
/// <param name="BadRows">Rows among those checked that would not load (first problem of each), at most <see cref="CsvInspector.MaxReportedProblems"/>.</param>
/// <param name="BadRowCount">All bad rows among those checked, including those not listed.</param>
/// <param name="RowsChecked">Data rows checked.</param>
/// <param name="CheckedWholeFile">Whether the rows checked are all the file has.</param>
public sealed record CsvInspection(
    string FileName,
    IReadOnlyList<string> Header,
    DatasetSchema? Dataset,
    string? Refusal,
    IReadOnlyList<CsvProblem> BadRows,
    int BadRowCount,
    int RowsChecked,
    bool CheckedWholeFile,
    bool HasByteOrderMark,
    bool HasCrLf)
{
    public bool Refused => Refusal is not null;
}
