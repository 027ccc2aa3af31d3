using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Conversion;

/// <summary>
/// Starts conversions as jobs (<see cref="ConversionJob"/>), one per dataset, and repairs what a crash left; a dataset is
/// converted by one run at a time across processes (<see cref="ConversionLocks"/>).
/// </summary>
internal sealed class ConversionService(IObjectStore lake, IJobRunner jobs, IAccess access, ConversionLocks locks, ILogger<ConversionService> logger, IAtomicPrefixSwap? prefixSwap = null) : IConversionService
{
    private readonly SemaphoreSlim _recoveryLock = new(1, 1);
    private bool _recovered;

    /// <summary>
    /// Recovers (once) before a run of this process converts <paramref name="dataset"/>, whose lock the run holds:
    /// that dataset's leftovers are a dead run's, never the caller's, which has not written anything yet.
    /// </summary>
    public Task<int> RecoverBeforeRunAsync(string dataset, CancellationToken cancellationToken) => RecoverCoreAsync(dataset, cancellationToken);

    public Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Convert);
        return RecoverCoreAsync(null, cancellationToken);
    }

    /// <summary>Why a run of <paramref name="dataset"/> could not take its lock, naming the run that holds it when the history knows it.</summary>
    public async Task<string> BusyMessageAsync(string dataset, Guid runId, CancellationToken cancellationToken)
    {
        var running = await jobs.ListAsync(new JobRunFilter(Status: JobStatus.Running, Kind: JobKinds.Convert, Dataset: dataset), cancellationToken).ConfigureAwait(false);
        var other = running.FirstOrDefault(r => r.Id != runId);
        var which = other is null ? "" : $" (run {other.Id.ToString()[..8]}, started by {other.StartedBy})";
        return $"Another conversion of {dataset} is running{which}, in this or another EcomOps process on this data root. " +
            "This run did not start and changed nothing; wait for that one to end (or cancel it), then run this again.";
    }

    private async Task<int> RecoverCoreAsync(string? ownDataset, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _recovered))
        {
            return 0;
        }

        await _recoveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var taken = new List<IDisposable>();
        try
        {
            if (_recovered)
            {
                return 0;
            }

            // A dataset whose lock someone holds (a run here, or in the dashboard while the CLI starts) owns its
            // staging: leave it alone, and recover the rest. The caller's own dataset is locked by the caller.
            var busy = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dataset in DatasetRegistry.All.Select(d => d.Name).Where(d => d != ownDataset))
            {
                if (locks.TryAcquire(dataset) is { } held)
                {
                    taken.Add(held);
                }
                else
                {
                    busy.Add(dataset);
                }
            }

            if (busy.Count > 0)
            {
                logger.LogInformation("Conversion recovery leaves {Datasets} alone: a run is converting them", string.Join(", ", busy));
            }

            var repaired = await ParquetConverter.RecoverExceptAsync(lake, prefixSwap, busy, cancellationToken).ConfigureAwait(false);
            if (repaired > 0)
            {
                logger.LogWarning("Repaired {Count} conversion(s) a crash had interrupted", repaired);
            }

            // With a dataset busy, what it may leave if its process dies is recovered before the next run.
            _recovered = busy.Count == 0;
            return repaired;
        }
        finally
        {
            foreach (var held in taken)
            {
                held.Dispose();
            }

            _recoveryLock.Release();
        }
    }

    public IReadOnlyList<JobRun> StartConversion(ConversionOptions options, IReadOnlyList<string> datasets)
    {
        access.Demand(CoreAction.Convert);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("Choose at least one dataset to convert.");
        }

        options.EnsureValid();
        var schemas = datasets.Select(DatasetRegistry.Get).Distinct().ToList();
        if (options.Partitioning == Partitioning.Month && !schemas.Any(s => s.MonthPartitionColumn is not null))
        {
            throw new ArgumentException("Partitioning by month applies to transactions_data only (by its Timestamp); include it or choose no partitioning.");
        }

        return schemas.Select(dataset => jobs.Start(new ConversionJob(dataset.Name, options))).ToList();
    }

}
