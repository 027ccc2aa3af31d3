using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Conversion;

/// <summary>Options of a conversion, shared by every dataset it converts.</summary>
/// <param name="Partitioning">Month partitioning applies to transactions_data; other datasets are never partitioned.</param>
/// <param name="MaxErrors">Bad rows allowed per dataset before the run fails and commits nothing (default 1,000).</param>
public sealed record ConversionOptions(
    ParquetCompression Compression = ParquetCompression.Snappy,
    Partitioning Partitioning = Partitioning.None,
    ConversionMode Mode = ConversionMode.Overwrite,
    int MaxErrors = 1_000)
{
    public const int MaxMaxErrors = 100_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of range.</summary>
    public void EnsureValid()
    {
        if (MaxErrors is < 0 or > MaxMaxErrors)
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Max errors must be between 0 and {MaxMaxErrors:N0}; got {MaxErrors:N0}."));
        }

        if (!Enum.IsDefined(Compression) || !Enum.IsDefined(Partitioning) || !Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"Unknown conversion setting: compression {Compression}, partitioning {Partitioning}, mode {Mode}.");
        }
    }

    /// <summary>The converter's request for one dataset of this conversion.</summary>
    public ConversionRequest RequestFor(DatasetSchema dataset, Guid runId) => new(
        dataset,
        runId,
        Compression,
        dataset.MonthPartitionColumn is not null ? Partitioning : Partitioning.None,
        Mode,
        MaxErrors);
}

/// <summary>CSV to Parquet conversion (the local "Glue job"), run as jobs with history.</summary>
public interface IConversionService
{
    /// <summary>Starts one run per dataset (kind <c>convert</c>); they queue behind runs of the same dataset.</summary>
    /// <exception cref="ArgumentException">An unknown dataset, or options out of range; nothing was started.</exception>
    IReadOnlyList<JobRun> StartConversion(ConversionOptions options, IReadOnlyList<string> datasets, string startedBy);

    /// <summary>
    /// Repairs what a crash in the middle of a conversion left (a half-swapped dataset folder, staged files),
    /// once per process, before its first conversion; skipped while another process is converting. Runs at
    /// start-up of the dashboard and before the first conversion of the CLI. Returns the repairs made.
    /// </summary>
    Task<int> RecoverAsync(CancellationToken cancellationToken = default);
}
