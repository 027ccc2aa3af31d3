using System.Diagnostics;
using System.Globalization;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Storage;

/// <summary>
/// One object being written to S3. Bytes collect in a part-sized buffer; when it is full and more bytes come,
/// it is sent as the next part of a multipart upload while the writer fills a second buffer, so memory stays
/// at about two parts whatever the object's size. Commit completes the upload (or, when everything fit in the
/// first part, sends one PutObject), so the object appears whole or not at all; dispose without commit aborts.
/// </summary>
internal sealed class S3MultipartWrite : IObjectWrite
{
    /// <summary>S3's limit on parts per upload.</summary>
    private const int MaxParts = 10_000;

    /// <summary>The first buffer starts small and grows, so a small object does not cost a whole part.</summary>
    private const int InitialBufferBytes = 64 * 1024;

    private readonly S3ObjectStore _store;
    private readonly PartStream _stream;
    private readonly List<PartETag> _parts = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private byte[] _buffer;
    private int _filled;
    private byte[]? _uploadingBuffer;
    private Task? _uploading;
    private string? _uploadId;
    private long _written;
    private bool _committed;
    private bool _disposed;

    public S3MultipartWrite(S3ObjectStore store, string key)
    {
        _store = store;
        Key = key;
        _buffer = new byte[Math.Min(InitialBufferBytes, store.PartSizeBytes)];
        _stream = new PartStream(this);
    }

    public string Key { get; }

    public Stream Stream => _stream;

    public async Task<ObjectInfo> CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        var client = _store.Client;
        if (_uploadId is null)
        {
            var put = new PutObjectRequest
            {
                BucketName = _store.Bucket,
                Key = Key,
                InputStream = new MemoryStream(_buffer, 0, _filled, writable: false),
                UseChunkEncoding = !_store.Options.DisableChunkedEncoding,
                ChecksumAlgorithm = _store.PartChecksum,
            };
            _store.ApplyEncryption(put);
            await _store.CallAsync("write", Key, () => client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            if (_filled > 0)
            {
                await SendPartAsync(cancellationToken).ConfigureAwait(false);
            }

            await WaitForUploadAsync().ConfigureAwait(false);
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = _store.Bucket,
                Key = Key,
                UploadId = _uploadId,
                PartETags = [.. _parts.OrderBy(p => p.PartNumber)],
            };
            await _store.CallAsync("write", Key, () => client.CompleteMultipartUploadAsync(complete, cancellationToken)).ConfigureAwait(false);
        }

        _committed = true;
        ReleaseBuffers();
        _store.Logger.LogInformation(
            "Wrote {Key} to {Store}: {Bytes} bytes in {Parts} parts, {Elapsed}",
            Key, _store.DisplayName, _written, Math.Max(1, _parts.Count), Stopwatch.GetElapsedTime(_started));

        return await _store.HeadAsync(Key, cancellationToken).ConfigureAwait(false)
            ?? throw new IOException($"'{Key}' was written to {_store.DisplayName} but is not there on reading it back; check for a lifecycle rule or another writer deleting it.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_committed && _uploadId is not null)
        {
            await AbortAsync().ConfigureAwait(false);
        }

        ReleaseBuffers();
    }

    internal long Written => _written;

    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        EnsureWritable();
        while (!data.IsEmpty)
        {
            if (PartIsFull)
            {
                await SendPartAsync(cancellationToken).ConfigureAwait(false);
            }

            data = data[CopyIn(data.Span)..];
        }
    }

    internal void Write(ReadOnlySpan<byte> data)
    {
        EnsureWritable();
        while (!data.IsEmpty)
        {
            if (PartIsFull)
            {
                SendPartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            data = data[CopyIn(data)..];
        }
    }

    /// <summary>
    /// A full part is sent only once more bytes arrive, so an object of exactly one part is one PutObject.
    /// </summary>
    private bool PartIsFull => _filled == _store.PartSizeBytes;

    /// <summary>Copies what fits of <paramref name="data"/> into the current part; returns how many bytes.</summary>
    private int CopyIn(ReadOnlySpan<byte> data)
    {
        var partSize = _store.PartSizeBytes;
        var count = Math.Min(data.Length, partSize - _filled);
        if (_filled + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(partSize, Math.Max(_filled + count, 2L * _buffer.Length)));
        }

        data[..count].CopyTo(_buffer.AsSpan(_filled));
        _filled += count;
        _written += count;
        return count;
    }

    private async Task SendPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            var initiate = new InitiateMultipartUploadRequest { BucketName = _store.Bucket, Key = Key, ChecksumAlgorithm = _store.PartChecksum };
            _store.ApplyEncryption(initiate);
            var started = await _store.CallAsync("write", Key, () => _store.Client.InitiateMultipartUploadAsync(initiate, cancellationToken)).ConfigureAwait(false);
            _uploadId = started.UploadId;
        }

        // One part in flight at a time: its buffer is reused once it is sent, which bounds memory to two parts.
        await WaitForUploadAsync().ConfigureAwait(false);
        if (_parts.Count >= MaxParts)
        {
            throw new IOException(
                string.Create(CultureInfo.InvariantCulture, $"'{Key}' is too large for a multipart upload of {_store.Options.PartSizeMB} MiB parts (S3 allows {MaxParts:N0} parts); ") +
                "raise EcomOps:S3:PartSizeMB (up to 512).");
        }

        var free = _uploadingBuffer;
        _uploadingBuffer = _buffer;
        _uploading = UploadPartAsync(_parts.Count + 1, _uploadingBuffer, _filled, cancellationToken);
        _buffer = free ?? new byte[_store.PartSizeBytes];
        _filled = 0;
    }

    private async Task UploadPartAsync(int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var request = new UploadPartRequest
        {
            BucketName = _store.Bucket,
            Key = Key,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            UseChunkEncoding = !_store.Options.DisableChunkedEncoding,
            ChecksumAlgorithm = _store.PartChecksum,
        };
        var response = await _store.CallAsync("write", Key, () => _store.Client.UploadPartAsync(request, cancellationToken)).ConfigureAwait(false);
        _parts.Add(new PartETag(partNumber, response.ETag) { ChecksumCRC32 = response.ChecksumCRC32 });
    }

    /// <summary>Waits for the part in flight; its failure, if any, is the write's failure.</summary>
    private async Task WaitForUploadAsync()
    {
        if (_uploading is { } uploading)
        {
            _uploading = null;
            await uploading.ConfigureAwait(false);
        }
    }

    private async Task AbortAsync()
    {
        try
        {
            // A part still in flight would otherwise land after the abort and be kept (and billed).
            await WaitForUploadAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The write is being abandoned, usually because of this very failure, which its writer has seen.
            _store.Logger.LogDebug(e, "A part of the abandoned write {Key} to {Store} failed; aborting the upload anyway", Key, _store.DisplayName);
        }

        try
        {
            await _store.Client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _store.Bucket, Key = Key, UploadId = _uploadId }).ConfigureAwait(false);
            _store.Logger.LogInformation("Abandoned the write of {Key} to {Store}; nothing was stored", Key, _store.DisplayName);
        }
        catch (Exception e) when (S3ObjectStore.IsTranslatable(e))
        {
            // Disposal must not throw over the error that usually caused it; the object is not visible either way.
            _store.Logger.LogWarning(
                e,
                "Abandoned the write of {Key} to {Store} but could not abort multipart upload {UploadId}; its parts stay billed until a bucket " +
                "lifecycle rule (AbortIncompleteMultipartUpload) removes them",
                Key, _store.DisplayName, _uploadId);
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException($"'{Key}' is already committed to {_store.DisplayName}; open a new write to replace it.");
        }
    }

    private void ReleaseBuffers()
    {
        _buffer = [];
        _uploadingBuffer = null;
        _filled = 0;
    }

    /// <summary>The write's <see cref="IObjectWrite.Stream"/>: write-only, forward-only, counting.</summary>
    private sealed class PartStream(S3MultipartWrite write) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => write.Written;

        /// <summary>Bytes written so far, for progress reports.</summary>
        public override long Position
        {
            get => write.Written;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        // Synchronous writers (StreamWriter, CsvHelper) block here only while a part is handed over.
        public override void Write(ReadOnlySpan<byte> buffer) => write.Write(buffer);

        public override void WriteByte(byte value) => Write([value]);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => write.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            write.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
