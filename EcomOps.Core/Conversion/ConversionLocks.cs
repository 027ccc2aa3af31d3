using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Conversion;

/// <summary>
/// One conversion per dataset across every process on the data root (the dashboard and any CLI commands): the job
/// runner queues a process's own runs per dataset, but knows nothing of another process's. A run holds an exclusive
/// lock on <c>&lt;DataRoot&gt;/locks/convert-&lt;dataset&gt;.lock</c> from before its recovery to after its commit.
/// The operating system drops the lock when its process ends, however it ends, so a killed run never leaves its
/// dataset locked; and recovery deletes only the staging of datasets whose lock it could take, never that of a
/// run in flight elsewhere. Within this process a gate per dataset comes first, since one process's file locks do not
/// keep out its own other holders.
/// </summary>
internal sealed class ConversionLocks(IOptions<EcomOpsOptions> options)
{
    /// <summary>How long a run waits for its dataset while another holder in this process has it (a recovery holds it for moments).</summary>
    internal static readonly TimeSpan RunPatience = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>
    /// The dataset's lock for a run. A recovery of this process (as another run starts) takes every free dataset's lock
    /// for a moment to look at its staging, and a run must not be refused for that: a holder here is waited for, up to
    /// <see cref="RunPatience"/>. Null when that wait runs out, and at once when another process holds the file.
    /// </summary>
    public async Task<IDisposable?> AcquireForRunAsync(string dataset, CancellationToken cancellationToken)
    {
        var gate = Gate(dataset);
        return await gate.WaitAsync(RunPatience, cancellationToken).ConfigureAwait(false) ? LockFile(dataset, gate) : null;
    }

    /// <summary>The dataset's lock, or null at once when a run or recovery of this or another process holds it.</summary>
    public IDisposable? TryAcquire(string dataset)
    {
        var gate = Gate(dataset);
        return gate.Wait(0) ? LockFile(dataset, gate) : null;
    }

    private SemaphoreSlim Gate(string dataset) => _gates.GetOrAdd(dataset, _ => new SemaphoreSlim(1, 1));

    // With this process's gate held: the file, or null (the gate let go) when another process holds it.
    private Held? LockFile(string dataset, SemaphoreSlim gate)
    {
        try
        {
            var folder = Path.Combine(options.Value.DataRootFullPath, "locks");
            Directory.CreateDirectory(folder);

            // FileShare.None is an exclusive lock of the open file: flock on Unix, a sharing lock on Windows.
            var file = new FileStream(Path.Combine(folder, $"convert-{dataset}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            return new Held(gate, file);
        }
        catch (IOException)
        {
            gate.Release();
            return null;
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim gate, FileStream file) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                file.Dispose();
                gate.Release();
            }
        }
    }
}
