using EcomOps.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Core.Conversion;

/// <summary>
/// One Parquet file being written to the store, a row group at a time. The object is invisible until
/// <see cref="CompleteAsync"/>; disposing before that discards it.
/// </summary>
internal sealed class ParquetPartWriter : IAsyncDisposable
{
    private readonly IObjectWrite _write;
    private readonly CountingStream _output;
    private readonly ParquetWriter _writer;
    private readonly IReadOnlyList<DataField> _fields;
    private bool _writerDisposed;

    private ParquetPartWriter(string relativeKey, IObjectWrite write, CountingStream output, ParquetWriter writer, IReadOnlyList<DataField> fields)
    {
        RelativeKey = relativeKey;
        _write = write;
        _output = output;
        _writer = writer;
        _fields = fields;
    }

    /// <summary>The file's key relative to the dataset's folder, such as <c>year=2024/month=05/part-…parquet</c>.</summary>
    public string RelativeKey { get; }

    public long Rows { get; private set; }

    public static async Task<ParquetPartWriter> CreateAsync(
        IObjectStore store,
        string key,
        string relativeKey,
        ParquetSchema schema,
        ParquetOptions options,
        CancellationToken cancellationToken)
    {
        var write = await store.OpenWriteAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            // Parquet.Net only asks the stream for its position, which a counting pass-through gives even where the
            // store's stream cannot seek (an S3 multipart upload).
            var output = new CountingStream(write.Stream);
            var writer = await ParquetWriter.CreateAsync(schema, output, options, append: false, cancellationToken).ConfigureAwait(false);
            return new ParquetPartWriter(relativeKey, write, output, writer, schema.DataFields);
        }
        catch
        {
            await write.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task WriteRowGroupAsync(RowGroupBuffer rows, CancellationToken cancellationToken)
    {
        await rows.WriteAsync(_writer, _fields, cancellationToken).ConfigureAwait(false);
        Rows += rows.Count;
    }

    /// <summary>Writes the footer and makes the object visible under its key; returns its size in bytes.</summary>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        await DisposeWriterAsync().ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var info = await _write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return info.Size;
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeWriterAsync().ConfigureAwait(false);
        await _write.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask DisposeWriterAsync()
    {
        if (!_writerDisposed)
        {
            _writerDisposed = true;
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
