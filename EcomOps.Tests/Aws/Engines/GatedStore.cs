using EcomOps.Core.Storage;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>
/// An object store that passes every call to a real one, except that, once held, reads of <c>raw/</c> wait until it
/// is released (or the reader is cancelled): a conversion in progress that a test can cancel at a known point.
/// </summary>
internal sealed class GatedStore(IObjectStore inner) : IObjectStore
{
    private TaskCompletionSource _gate = Opened();
    private int _waiting;

    /// <summary>Reads waiting at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public string DisplayName => inner.DisplayName;

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, delimiter, cancellationToken);

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await PassAsync(key, cancellationToken);
        return await inner.OpenReadAsync(key, range, cancellationToken);
    }

    public async Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await PassAsync(key, cancellationToken);
        return await inner.OpenReadIfMatchAsync(key, eTag, range, cancellationToken);
    }

    public Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default) => inner.OpenWriteAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        opened.SetResult();
        return opened;
    }

    private async Task PassAsync(string key, CancellationToken cancellationToken)
    {
        if (!key.StartsWith("raw/", StringComparison.Ordinal) || _gate.Task.IsCompleted)
        {
            return;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}
