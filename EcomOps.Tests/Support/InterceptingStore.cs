using EcomOps.Core.Storage;

namespace EcomOps.Tests.Support;

/// <summary>
/// An object store that passes every call to a real one, counts the bytes read through it, and can make reads
/// fail: for tests that check what a reader asks for, or what a user sees when the store fails.
/// </summary>
public sealed class InterceptingStore(IObjectStore inner) : IObjectStore
{
    private long _bytesRead;

    /// <summary>Thrown by reads for which it returns an exception (key, range); none by default.</summary>
    public Func<string, ByteRange?, Exception?> FailRead { get; set; } = (_, _) => null;

    /// <summary>Thrown by listings, when set.</summary>
    public Exception? FailList { get; set; }

    /// <summary>Thrown by deletes, when set.</summary>
    public Exception? FailDelete { get; set; }

    /// <summary>Bytes handed to readers so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public string DisplayName => inner.DisplayName;

    public Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default) =>
        FailList is { } e ? throw e : inner.ListAsync(prefix, delimiter, cancellationToken);

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        Count(FailRead(key, range) is { } e ? throw e : await inner.OpenReadAsync(key, range, cancellationToken));

    public async Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        Count(FailRead(key, range) is { } e ? throw e : await inner.OpenReadIfMatchAsync(key, eTag, range, cancellationToken));

    public Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default) => inner.OpenWriteAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        FailDelete is { } e ? throw e : inner.DeleteAsync(key, cancellationToken);

    public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);

    private Stream Count(Stream stream) => new CountedStream(stream, n => Interlocked.Add(ref _bytesRead, n));

    private sealed class CountedStream(Stream inner, Action<int> onRead) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            onRead(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            onRead(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

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
