using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcomOps.Core.Conversion;

/// <summary>
/// The local "Glue job": converts every <c>raw/&lt;dataset&gt;/*.csv</c> to typed, compressed Parquet under
/// <c>parquet/&lt;dataset&gt;/</c>, optionally Hive-partitioned by month, streaming end to end (memory does not
/// grow with the input) and using two cores (CSV parsing and Parquet encoding run side by side).
/// </summary>
/// <remarks>
/// <para>
/// Values follow <see cref="ColumnValues"/>, the rules the upload check applies. A row that breaks them (wrong
/// field count, a value that does not parse or fit, an empty field, broken quoting, bytes that are not UTF-8)
/// goes to <c>quarantine/&lt;dataset&gt;/&lt;run-id&gt;.csv</c> with its file, line, column, value and reason.
/// More than <see cref="ConversionRequest.MaxErrors"/> such rows fail the run.
/// </para>
/// <para>
/// Output is staged under <see cref="StagingRoot"/> and committed only when complete, with
/// <c>_manifest.json</c> and <c>_SUCCESS</c>. Given the store's <see cref="IAtomicPrefixSwap"/> (the local lake)
/// the commit is one folder swap: a reader of <c>parquet/&lt;dataset&gt;/**/*.parquet</c> sees the previous
/// complete output or the new one, never a mix. S3 has no such operation, so there the files are copied into
/// place, then the manifest is written (the commit point), old files deleted and <c>_SUCCESS</c> written last:
/// <b>while an S3 commit runs, a reader that lists the prefix can see old and new files together</b>; S3 readers
/// must open the files the manifest lists, or wait for <c>_SUCCESS</c>. A failed or cancelled run deletes its
/// staging and leaves the live output untouched; after a crash, call <see cref="RecoverAsync"/> at start-up.
/// </para>
/// </remarks>
public sealed class ParquetConverter
{
    /// <summary>Where runs stage their files before the commit: outside every dataset's folder, and skipped by Hive-style readers (a leading '_').</summary>
    public const string StagingRoot = "_staging/parquet/";

    // The start of each file checked for bytes that are not UTF-8 text, as the upload check does.
    private const int TextCheckBytes = 64 * 1024;

    // Enough calls for the per-row methods to be counted towards full optimisation, few enough to take a few ms.
    private const int WarmUpRows = 256;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IAtomicPrefixSwap? _prefixSwap;

    /// <param name="logger">Logs each run's start and end with counts and duration (never per row).</param>
    /// <param name="timeProvider">Clock for the manifest's time and the duration; the system clock by default.</param>
    /// <param name="prefixSwap">
    /// The folder swap of the store conversions write to, when it has one (the Local backend registers the local
    /// lake's): the commit is then one atomic step. Without it output is committed by copying (S3).
    /// </param>
    public ParquetConverter(ILogger<ParquetConverter>? logger = null, TimeProvider? timeProvider = null, IAtomicPrefixSwap? prefixSwap = null)
    {
        _prefixSwap = prefixSwap;
        _logger = logger ?? NullLogger<ParquetConverter>.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Converts the dataset's raw CSVs and commits the Parquet, the manifest and <c>_SUCCESS</c>.
    /// </summary>
    /// <param name="progress">Rows and bytes read, rows written and rejected, about four times a second, from a background thread.</param>
    /// <param name="cancellationToken">Stops the run; staging is deleted and the live output is untouched.</param>
    /// <exception cref="ConversionFailedException">
    /// No input, a file with the wrong header, bad settings, or more than MaxErrors bad rows (the quarantine file
    /// is still written then). Nothing was committed.
    /// </exception>
    public async Task<ConversionResult> ConvertAsync(
        ConversionRequest request,
        IObjectStore store,
        IProgress<ConversionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        Validate(request);
        var started = _time.GetTimestamp();
        var dataset = request.Dataset;
        var targetPrefix = ConversionManifest.PrefixOf(dataset.Name);
        var sources = await FindSourcesAsync(store, dataset, cancellationToken).ConfigureAwait(false);
        await CheckHeadersAsync(store, dataset, sources, cancellationToken).ConfigureAwait(false);

        IReadOnlyList<ManifestFile> kept = [];
        if (request.Mode == ConversionMode.Append)
        {
            var live = await ConversionManifest.ReadAsync(store, dataset.Name, cancellationToken).ConfigureAwait(false);
            kept = await ParquetCommit.LiveFilesAsync(store, targetPrefix, live, cancellationToken).ConfigureAwait(false);
            CheckAppendable(request, live, kept);
        }

        _logger.LogInformation(
            "Converting {Dataset} (run {RunId}): {Files} CSV files, {Bytes} bytes; {Compression}, partitioning {Partitioning}, {Mode}, at most {MaxErrors} bad rows",
            dataset.Name, request.RunId, sources.Count, sources.Sum(s => s.Size), request.Compression, request.Partitioning, request.Mode, request.MaxErrors);

        var run = new ConversionRun(request, store, sources, progress, _time, _logger, cancellationToken);
        var committed = false;
        try
        {
            // A crashed attempt with the same run id may have left files there.
            await ParquetCommit.DeletePrefixAsync(store, run.StagingPrefix, cancellationToken).ConfigureAwait(false);
            var staged = await run.WriteAsync().ConfigureAwait(false);
            var quarantineKey = await run.CommitQuarantineAsync(cancellationToken).ConfigureAwait(false);

            var files = staged.Select(f => new ConvertedFile(targetPrefix + f.RelativeKey, f.Rows, f.Bytes)).ToList();
            var compression = ParquetWriterSettings.Name(request.Compression);
            var listed = kept.Concat(files.Select(f => new ManifestFile(f.Key, f.Rows, f.Bytes, request.RunId, compression))).ToList();
            var manifest = new ConversionManifest(
                ConversionManifest.CurrentVersion,
                request.RunId,
                dataset.Name,
                _time.GetUtcNow(),
                request.Mode.ToString().ToLowerInvariant(),
                compression,
                request.Partitioning.ToString().ToLowerInvariant(),
                listed.Sum(f => f.Rows),
                listed.Sum(f => f.Bytes),
                dataset.Columns.Select(c => new ManifestColumn(c.Name, DatasetParquetSchema.PhysicalType(c), DatasetParquetSchema.LogicalType(c))).ToList(),
                listed);

            await ParquetCommit.CommitAsync(store, _prefixSwap, run.StagingPrefix, targetPrefix, [.. staged.Select(f => f.RelativeKey)], manifest, request.Mode == ConversionMode.Append, cancellationToken)
                .ConfigureAwait(false);
            committed = true;

            var result = new ConversionResult(
                dataset.Name,
                [.. sources.Select(s => s.Key)],
                files,
                run.RowsRead,
                run.RowsWritten,
                run.RowsRejected,
                sources.Sum(s => s.Size),
                files.Sum(f => f.Bytes),
                quarantineKey,
                ConversionManifest.KeyOf(dataset.Name),
                _time.GetElapsedTime(started));
            _logger.LogInformation(
                "Converted {Dataset} (run {RunId}) in {Duration}: {RowsRead} rows read, {RowsWritten} written, {RowsRejected} rejected; {Files} Parquet files, {BytesWritten} bytes",
                dataset.Name, request.RunId, result.Duration, result.RowsRead, result.RowsWritten, result.RowsRejected, files.Count, result.BytesWritten);
            return result;
        }
        catch (ConversionFailedException e) when (e.QuarantineKey is not null)
        {
            // Too many bad rows: nothing is committed but the rows themselves, so the user can see why.
            await run.CommitQuarantineAsync(CancellationToken.None).ConfigureAwait(false);
            _logger.LogWarning("Conversion of {Dataset} (run {RunId}) failed after {Duration}: {Reason}", dataset.Name, request.RunId, _time.GetElapsedTime(started), e.Message);
            throw;
        }
        catch (ConversionFailedException e)
        {
            _logger.LogWarning("Conversion of {Dataset} (run {RunId}) failed after {Duration}: {Reason}", dataset.Name, request.RunId, _time.GetElapsedTime(started), e.Message);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogInformation("Conversion of {Dataset} (run {RunId}) cancelled after {Duration}, {RowsRead} rows read; nothing committed", dataset.Name, request.RunId, _time.GetElapsedTime(started), run.RowsRead);
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(Security.SecretRedactor.ForLog(e), "Conversion of {Dataset} (run {RunId}) failed after {Duration}; nothing committed", dataset.Name, request.RunId, _time.GetElapsedTime(started));
            throw;
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
            if (!committed)
            {
                await ParquetCommit.DeletePrefixAsync(store, run.StagingPrefix, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs a few made-up rows of <paramref name="dataset"/> through the CSV parser and the Parquet encoder in
    /// memory (nothing is read or written) so that the code a conversion runs is loaded and compiled before the
    /// first real row. Worth it in a short-lived process (the CLI), where that otherwise delays every run: start it
    /// on a spare core while the process sets up and do not wait for it. Never throws; cancellation stops it.
    /// </summary>
    public static async Task WarmUpAsync(DatasetSchema dataset, ParquetCompression compression = ParquetCompression.Snappy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        try
        {
            await ConversionRun.WarmUpAsync(dataset, compression, WarmUpRows, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a warm-up: the real run reports its own errors.
        }
    }

    /// <summary>
    /// Repairs what a crash in the middle of a conversion left behind; call it at start-up, before any
    /// conversion runs. On the local lake it puts back a dataset folder taken aside by an interrupted commit and
    /// removes the rest of finished ones; on S3 it finishes a commit whose manifest was written (deleting the
    /// files it does not list, writing <c>_SUCCESS</c>) and removes the files of one that died before. Staged
    /// files of unfinished runs are deleted everywhere. Returns the number of repairs made.
    /// </summary>
    /// <param name="prefixSwap">The store's folder swap, as given to the converter; null for a store committed by copying.</param>
    public static Task<int> RecoverAsync(IObjectStore store, IAtomicPrefixSwap? prefixSwap = null, CancellationToken cancellationToken = default) =>
        RecoverExceptAsync(store, prefixSwap, new HashSet<string>(StringComparer.Ordinal), cancellationToken);

    /// <summary>As <see cref="RecoverAsync(IObjectStore, IAtomicPrefixSwap?, CancellationToken)"/>, leaving alone the datasets a run is converting now.</summary>
    /// <param name="busy">Datasets whose staging and commit belong to a run in flight (in this or another process).</param>
    internal static async Task<int> RecoverExceptAsync(IObjectStore store, IAtomicPrefixSwap? prefixSwap, IReadOnlySet<string> busy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var repaired = 0;
        if (prefixSwap is { } swap)
        {
            // A swap's journal names folders, not datasets, and a run in flight may be swapping: journals are
            // recovered when no dataset is busy (the next recovery gets them otherwise).
            if (busy.Count == 0)
            {
                repaired += await swap.RecoverPrefixSwapsAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var datasets = await store.ListAsync("parquet/", "/", cancellationToken).ConfigureAwait(false);
            foreach (var prefix in datasets.CommonPrefixes.Where(p => !busy.Contains(p["parquet/".Length..].TrimEnd('/'))))
            {
                if (await RecoverCopyCommitAsync(store, prefix, cancellationToken).ConfigureAwait(false))
                {
                    repaired++;
                }
            }
        }

        // Staging is StagingRoot/<dataset>/<run id>/...: each dataset's is deleted unless that dataset is busy.
        var staged = await store.ListAsync(StagingRoot, null, cancellationToken).ConfigureAwait(false);
        var abandoned = staged.Objects
            .Where(o => !busy.Contains(o.Key[StagingRoot.Length..].Split('/')[0]))
            .ToList();
        foreach (var info in abandoned)
        {
            await store.DeleteAsync(info.Key, cancellationToken).ConfigureAwait(false);
        }

        return abandoned.Count > 0 ? repaired + 1 : repaired;
    }

    private static async Task<bool> RecoverCopyCommitAsync(IObjectStore store, string prefix, CancellationToken cancellationToken)
    {
        if (await store.HeadAsync(prefix + ConversionManifest.SuccessFileName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        var dataset = prefix["parquet/".Length..].TrimEnd('/');
        var manifest = await ConversionManifest.ReadAsync(store, dataset, cancellationToken).ConfigureAwait(false);
        if (manifest is not null)
        {
            await ParquetCommit.FinishAsync(store, prefix, manifest, cancellationToken).ConfigureAwait(false);
            return true;
        }

        // A first commit that died before its manifest: only its own part files are there.
        var listing = await store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false);
        var orphans = listing.Objects.Where(o => o.Name.StartsWith("part-", StringComparison.Ordinal) && o.Key.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        foreach (var orphan in orphans)
        {
            await store.DeleteAsync(orphan.Key, cancellationToken).ConfigureAwait(false);
        }

        return orphans.Count > 0;
    }

    private static void Validate(ConversionRequest request)
    {
        var dataset = request.Dataset ?? throw new ConversionFailedException("The conversion request names no dataset.");
        var problems = new List<string>();
        if (!Enum.IsDefined(request.Compression))
        {
            problems.Add($"unknown compression '{request.Compression}' (use snappy, zstd, gzip or none)");
        }

        if (!Enum.IsDefined(request.Mode))
        {
            problems.Add($"unknown mode '{request.Mode}' (use overwrite or append)");
        }

        if (!Enum.IsDefined(request.Partitioning))
        {
            problems.Add($"unknown partitioning '{request.Partitioning}' (use none or month)");
        }
        else if (request.Partitioning == Partitioning.Month
            && !dataset.Columns.Any(c => c.Name == dataset.MonthPartitionColumn && c.Type == ColumnType.Timestamp))
        {
            problems.Add($"partitioning by month uses the {DatasetRegistry.Transactions.MonthPartitionColumn} column, which {dataset.Name} does not have (only {DatasetRegistry.Transactions.Name} has it); convert {dataset.Name} without partitioning");
        }

        if (request.MaxErrors < 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MaxErrors must be 0 or more, got {request.MaxErrors}"));
        }

        if (request.RowGroupRows is < ConversionRequest.MinRowGroupRows or > ConversionRequest.MaxRowGroupRows)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"RowGroupRows must be from {ConversionRequest.MinRowGroupRows:N0} to {ConversionRequest.MaxRowGroupRows:N0}, got {request.RowGroupRows:N0}"));
        }

        if (request.RowGroupBytes < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"RowGroupBytes must be at least 1, got {request.RowGroupBytes}"));
        }

        if (problems.Count > 0)
        {
            throw new ConversionFailedException($"Cannot convert {dataset.Name}: {string.Join("; ", problems)}. Nothing was converted.");
        }
    }

    private static async Task<IReadOnlyList<ObjectInfo>> FindSourcesAsync(IObjectStore store, DatasetSchema dataset, CancellationToken cancellationToken)
    {
        var folder = $"raw/{dataset.Name}/";
        var listing = await store.ListAsync(folder, "/", cancellationToken).ConfigureAwait(false);
        var sources = listing.Objects
            .Where(o => o.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToList();
        return sources.Count > 0
            ? sources
            : throw new ConversionFailedException(
                $"There is nothing to convert: no CSV files under {folder} in {store.DisplayName}. Generate {dataset.Name} or upload its CSV files first.");
    }

    // Every file's header is checked before any row is converted, so a bad file fails the run at once.
    private static async Task CheckHeadersAsync(IObjectStore store, DatasetSchema dataset, IReadOnlyList<ObjectInfo> sources, CancellationToken cancellationToken)
    {
        foreach (var source in sources)
        {
            // A file that is not UTF-8 text at all (UTF-16, Parquet, an archive, NUL bytes) is named as such, as the
            // upload check names it, rather than as a header of garbled column names.
            var head = new byte[(int)Math.Min(source.Size, TextCheckBytes)];
            if (head.Length > 0)
            {
                await using var start = await store.OpenReadAsync(source.Key, new ByteRange(0, head.Length), cancellationToken).ConfigureAwait(false);
                await start.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
                if (CsvInspector.NotTextProblem(head, source.Key) is { } notText)
                {
                    throw new ConversionFailedException($"{notText} Fix or remove the file; nothing was converted.");
                }
            }

            await using var stream = await store.OpenReadAsync(source.Key, null, cancellationToken).ConfigureAwait(false);
            await using var reader = CsvReader.Create(stream, CsvReaderOptions.Default with { Separator = ',' }, leaveOpen: false);
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (reader.Headers.Count == 0)
            {
                throw new ConversionFailedException(
                    $"'{source.Key}' is empty: it has no header row. Delete it or upload it again; nothing was converted.");
            }

            if (CsvInspector.HeaderTextProblem(reader.Headers) is { } separator)
            {
                throw new ConversionFailedException($"'{source.Key}' line 1: {separator} Nothing was converted.");
            }

            var comparison = HeaderComparison.Compare(dataset, reader.Headers);
            if (!comparison.Matches)
            {
                throw new ConversionFailedException(
                    $"'{source.Key}' line 1: the header does not match {dataset.Name}: {comparison.Describe()}. Fix or remove the file; nothing was converted.");
            }
        }
    }

    private static void CheckAppendable(ConversionRequest request, ConversionManifest? live, IReadOnlyList<ManifestFile> kept)
    {
        var partitioning = request.Partitioning.ToString().ToLowerInvariant();
        var livePartitioning = live?.Partitioning
            ?? (kept.Count == 0 ? partitioning : kept.Any(f => f.Key.Contains("/year=", StringComparison.Ordinal)) ? "month" : "none");
        if (!string.Equals(livePartitioning, partitioning, StringComparison.Ordinal))
        {
            throw new ConversionFailedException(
                $"Cannot append to {request.Dataset.Name}: its Parquet is partitioned '{livePartitioning}' and this run asks for '{partitioning}', which readers cannot mix. " +
                $"Append with partitioning '{livePartitioning}', or overwrite.");
        }

        if (live is not null && live.Files.Any(f => f.RunId == request.RunId))
        {
            throw new ConversionFailedException($"Cannot append run {request.RunId} to {request.Dataset.Name}: files of that run are already there. Start a new run.");
        }
    }
}
