using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Conversion;

/// <summary>Options of a conversion, shared by every dataset it converts.</summary>
/// <param name="Partitioning">Month partitioning applies to transactions_data; other datasets are never partitioned.</param>
/// <param name="MaxErrors">Bad rows allowed per dataset before the run fails and commits nothing (default 1,000).</param>
/// <param name="RowGroupRows">
/// Rows per Parquet row group (default <see cref="ConversionRequest.DefaultRowGroupRows"/>), from
/// <see cref="ConversionRequest.MinRowGroupRows"/> to <see cref="ConversionRequest.MaxRowGroupRows"/>; the
/// conversion's memory grows with it. Out of range throws <see cref="ArgumentOutOfRangeException"/>.
/// </param>
public sealed record ConversionOptions(
    ParquetCompression Compression = ParquetCompression.Snappy,
    Partitioning Partitioning = Partitioning.None,
    ConversionMode Mode = ConversionMode.Overwrite,
    int MaxErrors = 1_000,
    int RowGroupRows = ConversionRequest.DefaultRowGroupRows)
{
    public const int MaxMaxErrors = 100_000_000;

    // Checked here, where the options are made, so a bad value is refused before any run starts rather than
    // failing the run when the converter gets it.
    public int RowGroupRows
    {
        get;
        init => field = CheckRowGroupRows(value);
    } = CheckRowGroupRows(RowGroupRows);

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of range.</summary>
    public void EnsureValid()
    {
        if (MaxErrors is < 0 or > MaxMaxErrors)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Max errors must be between 0 and {MaxMaxErrors:N0}; got {MaxErrors:N0}."));
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
        MaxErrors,
        RowGroupRows);

    private static int CheckRowGroupRows(int rows) => rows is >= ConversionRequest.MinRowGroupRows and <= ConversionRequest.MaxRowGroupRows
        ? rows
        : throw new ArgumentOutOfRangeException(
            nameof(RowGroupRows),
            rows,
            string.Create(CultureInfo.InvariantCulture, $"Row group rows must be from {ConversionRequest.MinRowGroupRows:N0} to {ConversionRequest.MaxRowGroupRows:N0}; got {rows:N0}."));
}

/// <summary>CSV to Parquet conversion (the local "Glue job"), run as jobs with history.</summary>
public interface IConversionService
{
    /// <summary>Starts one run per dataset (kind <c>convert</c>); they queue behind runs of the same dataset.</summary>
    /// <exception cref="ArgumentException">An unknown dataset, or options out of range; nothing was started.</exception>
    IReadOnlyList<JobRun> StartConversion(ConversionOptions options, IReadOnlyList<string> datasets);

    /// <summary>
    /// Repairs what a crash in the middle of a conversion left (a half-swapped dataset folder, staged files),
    /// once per process, before its first conversion; a dataset another run is converting (in this or another
    /// process) is left alone, and recovered before a later run instead. Runs at
    /// start-up of the dashboard and before the first conversion of the CLI. Returns the repairs made.
    /// </summary>
    Task<int> RecoverAsync(CancellationToken cancellationToken = default);
}
