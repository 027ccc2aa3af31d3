using System.Globalization;
using System.Text;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Conversion;

// Rows the run refuses: their quarantine lines, their reasons, and the stop when there are more than MaxErrors.
internal sealed partial class ConversionRun
{
    private async Task RejectAsync(RejectedRow row, CancellationToken cancellationToken)
    {
        RowsRejected++;
        _firstRejected ??= row;
        await _quarantine.AddAsync(row, cancellationToken).ConfigureAwait(false);
        if (RowsRejected > _request.MaxErrors)
        {
            var first = _firstRejected;
            throw new ConversionFailedException(
                string.Create(CultureInfo.InvariantCulture, $"Conversion of {_dataset.Name} stopped: more than {_request.MaxErrors:N0} rows were rejected (the limit, MaxErrors), at '{row.SourceKey}' line {row.LineNumber}. ") +
                $"No Parquet was committed; the previous output of {_dataset.Name} is unchanged. " +
                string.Create(CultureInfo.InvariantCulture, $"The {RowsRejected:N0} rejected rows, with line numbers and reasons, are in {_quarantine.Key}; the first: '{first.SourceKey}' line {first.LineNumber}") +
                (first.Column is null ? $": {first.Reason}" : $", column {first.Column}: '{first.RawValue}' {first.Reason}") + ". Fix the source files, or raise the limit.",
                RowsRejected,
                _quarantine.Key);
        }
    }

    private RejectedRow Rejected(ObjectInfo source, CsvReader reader, DatasetColumn? column, string reason, string? value = null) =>
        new(source.Key, reader.LineNumber, column?.Name, value, reason, Encoding.UTF8.GetString(reader.RawRecord));

    private RejectedRow FieldRejected(ObjectInfo source, CsvReader reader, int index)
    {
        var column = _dataset.Columns[index];
        var bytes = reader.GetSpan(index);
        var value = Encoding.UTF8.GetString(bytes);
        var problem = ColumnValues.Problem(column, bytes) ?? "was refused";
        return Rejected(source, reader, column, problem, value);
    }

    private static string QuotingProblem(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed (a \" without its closing \"), so the rest of the file is one value",
        CsvMalformedReason.StrayQuote => "a quote (\") inside an unquoted field; quote the whole field and double inner quotes",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote; quote the whole field and double inner quotes",
        _ => $"malformed quoting ({reason})",
    };
}
