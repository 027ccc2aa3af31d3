using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Lake;

internal sealed class LakeService(IObjectStore store, IJobRunner jobs, UploadSpool spool, IOptions<EcomOpsOptions> options, IOptions<LimitsOptions> limits, IAccess access, ILogger<LakeService> logger) : ILakeService
{
    /// <summary>CSVs up to this size are counted while previewing; larger ones by a background run.</summary>
    internal const long CountInlineBytes = 16 * 1024 * 1024;

    private const int PreviewHeadBytes = 1024 * 1024;

    // Row counts of large CSVs, by key and ETag, so a changed object is counted again.
    private readonly ConcurrentDictionary<(string Key, string ETag), long> _rowCounts = new();
    // Counts under way, so previews share one run. A Lazy is stored before its run starts, so the run's own
    // clean-up (which removes exactly this entry) cannot come before the entry exists.
    private readonly ConcurrentDictionary<(string Key, string ETag), Lazy<Guid>> _counting = new();

    public string StoreName => store.DisplayName;

    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    public int MaxUploadFiles => limits.Value.MaxUploadFiles;

    public long MaxUploadBatchBytes => limits.Value.MaxUploadBatchBytes;

    public void CheckUploadBatch(IReadOnlyList<UploadRequest> files) => UploadBatch.Check(files, MaxUploadFiles, MaxUploadBatchBytes);

    public async Task<LakeFolder> BrowseAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        prefix = ObjectKey.ValidatePrefix(prefix);
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            prefix += "/";
        }

        // One recursive listing gives both this level's objects and the totals of each sub-folder.
        var listing = await store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false);
        var objects = new List<ObjectInfo>();
        var folders = new Dictionary<string, (long Bytes, long Count, DateTimeOffset Last)>(StringComparer.Ordinal);
        foreach (var item in listing.Objects)
        {
            var rest = item.Key[prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                objects.Add(item);
                continue;
            }

            var name = rest[..slash];
            var current = folders.GetValueOrDefault(name);
            folders[name] = (current.Bytes + item.Size, current.Count + 1, item.LastModified > current.Last ? item.LastModified : current.Last);
        }

        var breadcrumbs = new List<(string, string)> { (store.DisplayName, "") };
        var path = "";
        foreach (var segment in prefix.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += segment + "/";
            breadcrumbs.Add((segment, path));
        }

        return new LakeFolder(
            prefix,
            breadcrumbs,
            folders.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new LakeFolderEntry(f.Key, prefix + f.Key + "/", f.Value.Bytes, f.Value.Count, f.Value.Last)).ToList(),
            objects,
            listing.Objects.Sum(o => o.Size),
            listing.Objects.Count);
    }

    public async Task<UploadCheck> CheckUploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Upload);
        var fileName = FileNameOf(request);
        var inspection = await CsvInspector.InspectAsync(content, fileName, DatasetOf(request), cancellationToken: cancellationToken).ConfigureAwait(false);
        var key = TargetKey(request, inspection);
        var existing = key is null ? null : await store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        return new UploadCheck(inspection, key, existing, request.Size, MaxUploadBytes);
    }

    public async Task<ObjectInfo> UploadAsync(UploadRequest request, Stream content, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Upload);
        var fileName = FileNameOf(request);
        var max = MaxUploadBytes;
        if (request.Size > max)
        {
            throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture, $"'{fileName}' is {request.Size:N0} bytes, over the upload limit of {max:N0} bytes (EcomOps:MaxUploadBytes). Nothing was uploaded."));
        }

        // The start of the file is checked as it goes by, so a file that changed since it was checked, or
        // an upload from the CLI, gets the same refusal as the page shows.
        var head = new byte[CsvInspector.MaxHeadBytes];
        var headLength = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (headLength > max)
        {
            throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture, $"'{fileName}' is over the upload limit of {max:N0} bytes (EcomOps:MaxUploadBytes). Nothing was uploaded."));
        }

        var inspection = CsvInspector.Inspect(head.AsMemory(0, headLength), headLength < head.Length, fileName, DatasetOf(request));
        if (inspection.Refusal is { } refusal)
        {
            throw new UploadRejectedException(refusal + " Nothing was uploaded.", inspection);
        }

        if (inspection.BadRowCount > 0 && !request.AcceptBadRows)
        {
            throw new UploadRejectedException(UploadMessages.BadRows(inspection), inspection);
        }

        var key = TargetKey(request, inspection)!;
        if (!request.Overwrite && await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw new UploadRejectedException(UploadMessages.Exists(key, existing));
        }

        var stopwatch = Stopwatch.StartNew();
        logger.LogInformation("Uploading {File} to {Key} in {Store}", fileName, key, store.DisplayName);
        await using var write = await store.OpenWriteAsync(key, cancellationToken).ConfigureAwait(false);
        await write.Stream.WriteAsync(head.AsMemory(0, headLength), cancellationToken).ConfigureAwait(false);
        long sent = headLength;
        progress?.Report(new UploadProgress(sent, request.Size));
        var buffer = new byte[256 * 1024];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sent += read;
            if (sent > max)
            {
                throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture, $"'{fileName}' is over the upload limit of {max:N0} bytes (EcomOps:MaxUploadBytes). Nothing was uploaded."));
            }

            await write.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            progress?.Report(new UploadProgress(sent, request.Size));
        }

        var info = await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Uploaded {Key}: {Bytes} bytes in {Elapsed}", key, info.Size, stopwatch.Elapsed);
        return info;
    }

    public JobRun StartUpload(UploadRequest request, string sourcePath)
    {
        access.Demand(CoreAction.Upload);
        var path = Path.GetFullPath(sourcePath);
        if (!File.Exists(path))
        {
            throw new UploadRejectedException($"'{sourcePath}' does not exist; check the path. Nothing was uploaded.");
        }

        return jobs.Start(new UploadJob(request, path));
    }

    public BrowserUpload StartBrowserUpload(UploadRequest request)
    {
        access.Demand(CoreAction.Upload);
        var fileName = FileNameOf(request);
        var path = spool.Create(fileName);
        try
        {
            var run = jobs.Start(new UploadJob(request, path, Spooled: true));
            return new BrowserUpload(run, (content, token) => spool.ReceiveAsync(path, content, MaxUploadBytes, token));
        }
        catch
        {
            spool.Delete(path + ".part");
            throw;
        }
    }

    public async Task<LakePreview> PreviewAsync(string key, int rows = 100, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        ObjectKey.Validate(key);
        var info = await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(key, store.DisplayName);
        if (key.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            await using var seekable = new SeekableObjectStream(store, info.Key, info.ETag, info.Size);
            var (columns, parquetRows, count) = await ParquetPreviewReader.ReadAsync(seekable, rows, cancellationToken).ConfigureAwait(false);
            var dataset = DatasetRegistry.Recognize(columns.Select(c => c.Name).ToList());
            return new LakePreview(info, "parquet", dataset, columns, parquetRows, count, null, null);
        }

        return await PreviewCsvAsync(info, rows, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(ObjectInfo Info, Stream Content)?> OpenDownloadAsync(string key, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        ObjectKey.Validate(key);
        var info = await store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        return info is null ? null : (info, await store.OpenReadIfMatchAsync(info.Key, info.ETag, null, cancellationToken).ConfigureAwait(false));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var caller = access.Demand(CoreAction.DeleteObject);

        // Before the log line: a key is what a user typed, and its control characters must not reach the log.
        ObjectKey.Validate(key);
        logger.LogInformation("Deleting {Key} from {Store} for {User}", key, store.DisplayName, caller.Name);
        return store.DeleteAsync(key, cancellationToken);
    }

    private async Task<LakePreview> PreviewCsvAsync(ObjectInfo info, int rows, CancellationToken cancellationToken)
    {
        var length = (int)Math.Min(info.Size, PreviewHeadBytes);
        var head = new byte[length];
        await using (var stream = await store.OpenReadIfMatchAsync(info.Key, info.ETag, new ByteRange(0, length), cancellationToken).ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        }

        var whole = length == info.Size;
        var usable = whole ? head.AsMemory() : head.AsMemory(0, Array.LastIndexOf(head, (byte)'\n') + 1);
        using var reader = CsvReader.Create(usable, CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture });
        reader.ReadHeader();
        var header = reader.Headers.ToList();
        var dataset = DatasetRegistry.Recognize(header);
        var typed = dataset is not null && HeaderComparison.Compare(dataset, header).Matches;
        var columns = header.Select(h => new PreviewColumn(h, typed ? dataset!.Columns.First(c => c.Name == h).AthenaType : "string")).ToList();
        var values = new List<IReadOnlyList<string>>();
        while (values.Count < rows && reader.Read())
        {
            values.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }

        var note = typed ? null : dataset is null
            ? "The header matches no dataset; columns are shown as text."
            : $"The header does not match {dataset.Name} exactly; columns are shown as text.";
        if (whole)
        {
            return new LakePreview(info, "csv", typed ? dataset : null, columns, values, await CountRowsAsync(info, cancellationToken).ConfigureAwait(false), null, note);
        }

        var cacheKey = (info.Key, info.ETag);
        if (_rowCounts.TryGetValue(cacheKey, out var known))
        {
            return new LakePreview(info, "csv", typed ? dataset : null, columns, values, known, null, note);
        }

        if (info.Size <= CountInlineBytes)
        {
            var counted = await CountRowsAsync(info, cancellationToken).ConfigureAwait(false);
            _rowCounts[cacheKey] = counted;
            return new LakePreview(info, "csv", typed ? dataset : null, columns, values, counted, null, note);
        }

        if (_counting.TryGetValue(cacheKey, out var earlier) && earlier.IsValueCreated && await jobs.GetAsync(earlier.Value, cancellationToken).ConfigureAwait(false) is { IsFinished: true })
        {
            // Cancelled while it was still queued: its work, and so its clean-up, never ran.
            _counting.TryRemove(KeyValuePair.Create(cacheKey, earlier));
        }

        var counting = _counting.GetOrAdd(cacheKey, _ => new Lazy<Guid>(() => StartRowCount(info)));
        Guid runId;
        try
        {
            runId = counting.Value;
        }
        catch
        {
            // The run was never started (the runner refused it): the next preview tries again.
            _counting.TryRemove(KeyValuePair.Create(cacheKey, counting));
            throw;
        }

        return new LakePreview(info, "csv", typed ? dataset : null, columns, values, null, runId, note);
    }

    private Guid StartRowCount(ObjectInfo info) => jobs.Start(new RowCountJob(info.Key, info.ETag, info.Size)).Id;

    /// <summary>Counts a large CSV's rows for <see cref="RowCountJobHandler"/>; the preview shows the count from then on.</summary>
    internal async Task<long> CountRowsForPreviewAsync(RowCountJob job, Action<long> onBytes, CancellationToken cancellationToken)
    {
        var cacheKey = (job.Key, job.ETag);
        try
        {
            var info = await store.HeadAsync(job.Key, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(job.Key, store.DisplayName);
            var rows = await CountRowsAsync(info, cancellationToken, onBytes).ConfigureAwait(false);
            _rowCounts[(info.Key, info.ETag)] = rows;
            return rows;
        }
        finally
        {
            // Whatever the outcome, this count is over: a failed one must not look like one still counting.
            _counting.TryRemove(cacheKey, out _);
        }
    }

    /// <summary>Data rows (records after the header), counted with the CSV parser so quoted line breaks count once.</summary>
    private async Task<long> CountRowsAsync(ObjectInfo info, CancellationToken cancellationToken, Action<long>? onBytes = null)
    {
        // The count is kept under this ETag, so it must be the count of this version.
        await using var stream = await store.OpenReadIfMatchAsync(info.Key, info.ETag, null, cancellationToken).ConfigureAwait(false);
        using var reader = CsvReader.Create(stream, CsvReaderOptions.Default, leaveOpen: true);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (++rows % 100_000 == 0)
            {
                onBytes?.Invoke(reader.ByteOffset);
            }
        }

        return rows;
    }

    // Sanitize leaves no path, control or format character, ':' or '%', leading dot or over-long name: a valid key segment.
    internal static string FileNameOf(UploadRequest request) => UploadFileName.Sanitize(request.FileName);

    private static DatasetSchema? DatasetOf(UploadRequest request) =>
        request.Dataset is null ? null : DatasetRegistry.Find(request.Dataset)
            ?? throw new UploadRejectedException($"Unknown dataset '{request.Dataset}'. Use one of: {string.Join(", ", DatasetRegistry.All.Select(d => d.Name))}.");

    private static string? TargetKey(UploadRequest request, CsvInspection inspection)
    {
        if (request.Key is not null)
        {
            return ObjectKey.Problem(request.Key) is { } problem
                ? throw new UploadRejectedException($"Invalid object key '{request.Key}': {problem}.")
                : request.Key;
        }

        return inspection.Dataset is null ? null : $"raw/{inspection.Dataset.Name}/{inspection.FileName}";
    }
}
