namespace EcomOps.Core.Storage;

/// <summary>
/// A read-only, seekable view of an object made of range GETs, for readers that jump around (Parquet reads
/// its footer first). Reads ahead in blocks so small reads do not each cost a request. Every range read asks
/// for the version <c>eTag</c> names, so an object replaced meanwhile fails the read
/// (<see cref="ObjectChangedException"/>) instead of mixing two versions.
/// </summary>
internal sealed class SeekableObjectStream(IObjectStore store, string key, string eTag, long length, int blockSize = 1024 * 1024) : Stream
{
    private byte[] _block = [];
    private long _blockStart = -1;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
        {
            return 0;
        }

        if (_position < _blockStart || _position >= _blockStart + _block.Length)
        {
            await LoadBlockAsync(_position, cancellationToken).ConfigureAwait(false);
        }

        var offset = (int)(_position - _blockStart);
        var count = Math.Min(buffer.Length, _block.Length - offset);
        _block.AsMemory(offset, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async Task LoadBlockAsync(long start, CancellationToken cancellationToken)
    {
        var size = (int)Math.Min(blockSize, length - start);
        await using var range = await store.OpenReadIfMatchAsync(key, eTag, new ByteRange(start, size), cancellationToken).ConfigureAwait(false);
        var block = new byte[size];
        await range.ReadExactlyAsync(block, cancellationToken).ConfigureAwait(false);
        _block = block;
        _blockStart = start;
    }
}
