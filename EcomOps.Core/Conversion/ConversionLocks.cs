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
    /// <summary>How long a run waits for its dataset's lock while this process's recovery holds it (for moments).</summary>
    internal static readonly TimeSpan RunPatience = TimeSpan.FromSeconds(5);

    // Which datasets this process holds, and whether for a run (true) or a recovery looking at the staging (false).
    private readonly ConcurrentDictionary<string, bool> _heldHere = new(StringComparer.Ordinal);

    /// <summary>
    /// The dataset's lock for a run. A recovery of this process (as another run starts) takes every free dataset's lock
    /// for a moment to look at its staging, and a run must not be refused for that: it waits, up to
    /// <see cref="RunPatience"/>. Null, at once, when a run here or any holder in another process has it.
    /// </summary>
    public async Task<IDisposable?> AcquireForRunAsync(string dataset, TimeProvider time, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + RunPatience;
        while (true)
        {
            if (TryAcquire(dataset, forRun: true) is { } held)
            {
                return held;
            }

            if (_heldHere.TryGetValue(dataset, out var byRun))
            {
                // Here: a run's is refused; a recovery's is waited for.
                if (byRun || time.GetUtcNow() >= until)
                {
                    return null;
                }
            }
            else if (TryAcquire(dataset, forRun: true) is { } freed)
            {
                // A recovery here let go between the two looks.
                return freed;
            }
            else if (!_heldHere.ContainsKey(dataset))
            {
                // Not here: another process holds the file.
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The dataset's lock, or null when a run or recovery of this or another process holds it.</summary>
    /// <param name="forRun">For a run (true), or for a recovery's look at the staging (false, the default).</param>
    public IDisposable? TryAcquire(string dataset, bool forRun = false)
    {
        if (!_heldHere.TryAdd(dataset, forRun))
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
