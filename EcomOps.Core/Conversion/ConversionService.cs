using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Conversion;

/// <summary>Starts conversions as jobs (<see cref="ConversionJob"/>), one per dataset, and repairs what a crash left.</summary>
internal sealed class ConversionService(IObjectStore lake, IJobRunner jobs, IAccess access, ILogger<ConversionService> logger, IAtomicPrefixSwap? prefixSwap = null) : IConversionService
{
    private readonly SemaphoreSlim _recoveryLock = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _ownRuns = new();
    private bool _recovered;

    /// <summary>Recovers (once) before a run of this process converts; the run is this process's own from now on.</summary>
    public Task<int> RecoverBeforeRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        _ownRuns[runId] = true;
        return RecoverAsync(cancellationToken);
    }

    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Convert);
        if (Volatile.Read(ref _recovered))
        {
            return 0;
        }

        await _recoveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_recovered)
            {
                return 0;
            }

            // A conversion running in another process (the dashboard, while the CLI starts) owns staging that
            // would look abandoned from here: leave everything alone and try again before the next run. This
            // process's own runs are in memory; the one calling this is one of them.
            var running = await jobs.ListAsync(new JobRunFilter(Status: JobStatus.Running, Kind: JobKinds.Convert), cancellationToken).ConfigureAwait(false);
            var others = running.Where(r => !IsOwn(r.Id)).ToList();
            if (others.Count > 0)
            {
                logger.LogInformation("Skipping conversion recovery: run {RunId} of another process is converting", others[0].Id);
                return 0;
            }

            var repaired = await ParquetConverter.RecoverAsync(lake, prefixSwap, cancellationToken).ConfigureAwait(false);
            if (repaired > 0)
            {
                logger.LogWarning("Repaired {Count} conversion(s) a crash had interrupted", repaired);
            }

            _recovered = true;
            return repaired;
        }
        finally
        {
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

    private bool IsOwn(Guid id) => _ownRuns.ContainsKey(id);
}
