using System.Collections.Concurrent;
using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Conversion;

/// <summary>Runs <see cref="ParquetConverter"/> as jobs, one per dataset, on the configured lake.</summary>
internal sealed class ConversionService(IObjectStore lake, IJobRunner jobs, TimeProvider time, ILoggerFactory loggers) : IConversionService
{
    private readonly ILogger<ConversionService> _logger = loggers.CreateLogger<ConversionService>();
    private readonly SemaphoreSlim _recoveryLock = new(1, 1);
    private readonly ConcurrentDictionary<Guid, bool> _ownRuns = new();
    private bool _recovered;

    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
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
            // would look abandoned from here: leave everything alone and try again before the next run.
            var others = jobs.List(new JobRunFilter(Status: JobStatus.Running, Kind: JobKinds.Convert)).Where(r => !_ownRuns.ContainsKey(r.Id)).ToList();
            if (others.Count > 0)
            {
                _logger.LogInformation("Skipping conversion recovery: run {RunId} of another process is converting", others[0].Id);
                return 0;
            }

            var repaired = await ParquetConverter.RecoverAsync(lake, cancellationToken).ConfigureAwait(false);
            if (repaired > 0)
            {
                _logger.LogWarning("Repaired {Count} conversion(s) a crash had interrupted", repaired);
            }

            _recovered = true;
            return repaired;
        }
        finally
        {
            _recoveryLock.Release();
        }
    }

    public IReadOnlyList<JobRun> StartConversion(ConversionOptions options, IReadOnlyList<string> datasets, string startedBy)
    {
        if (datasets.Count == 0)
        {
            throw new ArgumentException("Choose at least one dataset to convert.");
        }

        if (options.MaxErrors is < 0 or > ConversionOptions.MaxMaxErrors)
        {
            throw new ArgumentException($"Max errors must be between 0 and {ConversionOptions.MaxMaxErrors:N0}; got {options.MaxErrors:N0}.");
        }

        var schemas = datasets.Select(DatasetRegistry.Get).Distinct().ToList();
        if (options.Partitioning == Partitioning.Month && !schemas.Any(s => s.MonthPartitionColumn is not null))
        {
            throw new ArgumentException("Partitioning by month applies to transactions_data only (by its Timestamp); include it or choose no partitioning.");
        }

        return schemas.Select(dataset => Start(options, dataset, startedBy)).ToList();
    }

    private JobRun Start(ConversionOptions options, DatasetSchema dataset, string startedBy)
    {
        var parameters = new Dictionary<string, string>
        {
            ["compression"] = options.Compression.ToString().ToLowerInvariant(),
            ["partitioning"] = dataset.MonthPartitionColumn is not null && options.Partitioning == Partitioning.Month ? "year=YYYY/month=MM" : "none",
            ["mode"] = options.Mode.ToString().ToLowerInvariant(),
            ["max errors"] = options.MaxErrors.ToString(CultureInfo.InvariantCulture),
            ["source"] = $"raw/{dataset.Name}/*.csv",
            ["target"] = $"parquet/{dataset.Name}/",
        };
        var run = jobs.Start(new JobDefinition(
            JobKinds.Convert,
            $"Convert {dataset.Name} to Parquet",
            [dataset.Name],
            async (context, token) =>
            {
                _ownRuns[context.RunId] = true;
                await RecoverAsync(token).ConfigureAwait(false);
                var begun = false;
                var converter = new ParquetConverter(loggers.CreateLogger<ParquetConverter>(), time);
                // Progress in bytes of CSV read: the total is known up front, so the bar has a percentage and an ETA.
                var progress = new SyncProgress<ConversionProgress>(p =>
                {
                    if (!begun)
                    {
                        context.BeginStep(dataset.Name, p.TotalBytes, JobUnits.Bytes);
                        begun = true;
                    }

                    context.Report(dataset.Name, p.BytesRead, p.BytesRead);
                    context.SetCounts(c => c with { RowsRead = p.RowsRead, BytesRead = p.BytesRead, RowsRejected = p.RowsRejected });
                });
                try
                {
                    var result = await converter.ConvertAsync(options.RequestFor(dataset, context.RunId), lake, progress, token).ConfigureAwait(false);
                    context.CompleteStep(dataset.Name, result.BytesRead, result.BytesRead);
                    context.SetCounts(c => c with { RowsRead = result.RowsRead, BytesRead = result.BytesRead, RowsRejected = result.RowsRejected });
                    foreach (var file in result.Files)
                    {
                        context.AddOutput(new JobOutput(dataset.Name, file.Key, file.Bytes, file.Rows, true));
                    }

                    if (result.QuarantineKey is { } quarantine)
                    {
                        context.AddOutput(new JobOutput(dataset.Name, quarantine, 0, 0, true));
                    }
                }
                catch (ConversionFailedException e) when (e.QuarantineKey is not null)
                {
                    context.SetCounts(c => c with { RowsRejected = e.RowsRejected });
                    context.AddOutput(new JobOutput(dataset.Name, e.QuarantineKey, 0, 0, true));
                    throw;
                }
            },
            parameters,
            dataset.Name,
            startedBy));
        return run;
    }
}
