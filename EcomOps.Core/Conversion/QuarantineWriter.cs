using System.Globalization;
using CsvHelper;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Conversion;

/// <summary>A CSV row the converter rejected, with where it was and why.</summary>
/// <param name="LineNumber">The 1-based line of the source file where the row starts (the header is line 1).</param>
/// <param name="Column">The column whose value was refused, or null for a problem with the whole row.</param>
/// <param name="RawValue">That column's value as read, or null for a problem with the whole row.</param>
/// <param name="RawRecord">The row as it appears in the file, without its line break.</param>
internal sealed record RejectedRow(string SourceKey, long LineNumber, string? Column, string? RawValue, string Reason, string RawRecord);

/// <summary>
/// Writes <c>quarantine/&lt;dataset&gt;/&lt;run-id&gt;.csv</c> as rows are rejected, so memory stays flat however
/// many there are. The object only becomes visible on <see cref="CommitAsync"/>; disposing without it discards it.
/// </summary>
internal sealed class QuarantineWriter(IObjectStore store, string key) : IAsyncDisposable
{
    public static readonly string[] Header = ["source_key", "line_number", "column", "raw_value", "reason", "raw_record"];

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        NewLine = "\n",
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private IObjectWrite? _write;
    private CsvWriter? _writer;

    public string Key => key;

    public long Rows { get; private set; }

    public async Task AddAsync(RejectedRow row, CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            _write = await store.OpenWriteAsync(key, cancellationToken).ConfigureAwait(false);
            _writer = CsvWriter.Create(_write.Stream, Options, leaveOpen: true);
            _writer.WriteHeader(Header);
        }

        _writer.WriteField(row.SourceKey);
        _writer.WriteField(row.LineNumber, default);
        _writer.WriteField(row.Column ?? string.Empty);
        _writer.WriteField(row.RawValue ?? string.Empty);
        _writer.WriteField(row.Reason);
        _writer.WriteField(row.RawRecord);
        await _writer.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        Rows++;
    }

    /// <summary>Makes the file visible; returns its key, or null when no row was rejected (no file is written).</summary>
    public async Task<string?> CommitAsync(CancellationToken cancellationToken)
    {
        if (_writer is null || _write is null)
        {
            return null;
        }

        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await _write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return key;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_write is not null)
        {
            await _write.DisposeAsync().ConfigureAwait(false);
        }
    }
}
