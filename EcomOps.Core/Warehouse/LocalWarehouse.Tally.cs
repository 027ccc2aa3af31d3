using EcomOps.Core.Storage;

namespace EcomOps.Core.Warehouse;

// What a load counts as it goes: rejected rows, files, rows and bytes, reported as progress.
internal sealed partial class LocalWarehouse
{
    private sealed record RejectedRow(string File, long Line, string Column, string Type, string Length, string RawLine, string RawValue, LoadFieldError Error);

    private sealed record FileTally(string Uri, long Rows, long Lines, long Errors);

    // Counts as the load goes, and reports them at most every so many rows.
    private sealed class LoadTally(int filesTotal, long bytesTotal, IProgress<LoadProgress>? progress)
    {
        private int _errorsAtFileStart;

        public List<RejectedRow> Errors { get; } = [];

        public List<FileTally> Files { get; } = [];

        public long Rows { get; private set; }

        public long Bytes { get; private set; }

        public string? CurrentFile { get; private set; }

        public void StartFile(ObjectInfo file)
        {
            CurrentFile = file.Key;
            _errorsAtFileStart = Errors.Count;
        }

        public void EndFile(long rows, long lines) => Files.Add(new FileTally(CurrentFile ?? "", rows, lines, Errors.Count - _errorsAtFileStart));

        public long AddRow() => ++Rows;

        public void AddRows(long rows) => Rows += rows;

        public void AddBytes(long bytes) => Bytes += bytes;

        public void Report() => progress?.Report(new LoadProgress(Files.Count, filesTotal, Bytes, bytesTotal, Rows, Errors.Count));
    }

    // A source file as a load reads it: its bytes counted into the tally as they come from the lake (compressed, when
    // GZIP), then decompressed. Disposing the returned stream closes the lake's.
    private async Task<Stream> OpenSourceAsync(string key, CopyOptions copyOptions, LoadTally tally, CancellationToken cancellationToken)
    {
        var counted = new CountingStream(await lake.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false), tally);
        return copyOptions.Compression == CopyCompression.Gzip ? new System.IO.Compression.GZipStream(counted, System.IO.Compression.CompressionMode.Decompress) : counted;
    }

    // Bytes read from the lake, for the progress bar and loaded_bytes.
    private sealed class CountingStream(Stream inner, LoadTally tally) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            tally.AddBytes(read);
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            tally.AddBytes(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            tally.AddBytes(read);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
