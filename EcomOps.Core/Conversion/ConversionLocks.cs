using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Conversion;

/// <summary>
/// One conversion per dataset across every process on the data root (the dashboard and any CLI commands): the job
/// runner queues a process's own runs per dataset, but knows nothing of another process's. A run holds an exclusive
/// lock on <c>&lt;DataRoot&gt;/locks/convert-&lt;dataset&gt;.lock</c> from before its recovery to after its commit.
/// The operating system drops the lock when its process ends, however it ends, so a killed run never leaves its
/// dataset locked; and recovery deletes only the staging of datasets whose lock it could take, never that of a
/// run in flight elsewhere.
/// </summary>
internal sealed class ConversionLocks(IOptions<EcomOpsOptions> options)
{
    private readonly ConcurrentDictionary<string, bool> _heldHere = new(StringComparer.Ordinal);

    /// <summary>The dataset's lock, or null when a run of this or another process holds it.</summary>
    public IDisposable? TryAcquire(string dataset)
    {
        if (!_heldHere.TryAdd(dataset, true))
        {
            return null;
        }

        try
        {
            var folder = Path.Combine(options.Value.DataRootFullPath, "locks");
            Directory.CreateDirectory(folder);

            // FileShare.None is an exclusive lock of the open file: flock on Unix, a sharing lock on Windows.
            var file = new FileStream(Path.Combine(folder, $"convert-{dataset}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            return new Held(this, dataset, file);
        }
        catch (IOException)
        {
            _heldHere.TryRemove(dataset, out _);
            return null;
        }
    }

    private sealed class Held(ConversionLocks owner, string dataset, FileStream file) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                file.Dispose();
                owner._heldHere.TryRemove(dataset, out _);
            }
        }
    }
}
