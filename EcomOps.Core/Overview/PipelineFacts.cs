using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;

namespace EcomOps.Core.Overview;

/// <summary>A completed load, the run that ran it (when one did) and what it read.</summary>
/// <param name="Replaced">The load replaced the table's rows (a pipeline's load): the loads before it no longer count.</param>
internal sealed record LoadFact(LoadHistoryEntry Entry, Guid? RunId, CopySource? Source, bool Replaced = false)
{
    public DateTimeOffset Started => new(DateTime.SpecifyKind(Entry.StartTime, DateTimeKind.Utc));

    /// <summary>Rows the load read: those it loaded and those it rejected.</summary>
    public long RowsRead => Entry.LoadedRows + Entry.ErrorCount;

    public string Describe() => RunId is { } run
        ? string.Create(CultureInfo.InvariantCulture, $"load {Entry.QueryId}, run {OverviewLinks.Short(run)}")
        : string.Create(CultureInfo.InvariantCulture, $"load {Entry.QueryId}, no run");

    public IEnumerable<OverviewLink> Links()
    {
        yield return OverviewLinks.Load(Entry.QueryId);
        if (RunId is { } run)
        {
            yield return OverviewLinks.Run(run);
        }
    }
}

/// <summary>A raw CSV's rows as some run recorded them for this very version of the file, or why none did.</summary>
internal sealed record RawFileCount(ObjectInfo File, long? Rows, string Source, Guid? RunId);

/// <summary>
/// What the Overview reads once per call and shares between datasets: the runs that record row counts, loads and the
/// catalog, and the warehouse's tables and completed loads. A part that cannot be read is kept as a problem, not as empty.
/// </summary>
internal sealed class PipelineFacts
{
    // Enough history for any lake this size of tool serves; past it, figures that need all of it say so.
    internal const int RunLimit = 5_000;
    internal const int LoadLimit = 10_000;

    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    private PipelineFacts()
    {
    }

    public required IReadOnlyList<JobRun> CountRuns { get; init; }

    public required IReadOnlyList<JobRun> WriterRuns { get; init; }

    public required IReadOnlyList<CatalogTable>? CatalogTables { get; init; }

    public required string? CatalogProblem { get; init; }

    public required IReadOnlyList<WarehouseTableInfo>? WarehouseTables { get; init; }

    public required IReadOnlyList<LoadFact>? Loads { get; init; }

    /// <summary>More completed loads than were read: sums over them are not known.</summary>
    public required bool LoadsTruncated { get; init; }

    public required string? WarehouseProblem { get; init; }

    public static async Task<PipelineFacts> ReadAsync(IJobRunner jobs, ICatalog catalog, IWarehouse warehouse, CancellationToken cancellationToken)
    {
        var counts = await jobs.ListAsync(new JobRunFilter(JobStatus.Succeeded, JobKinds.CountRows, Limit: RunLimit), cancellationToken).ConfigureAwait(false);
        var generated = await jobs.ListAsync(new JobRunFilter(JobStatus.Succeeded, JobKinds.Generate, Limit: RunLimit), cancellationToken).ConfigureAwait(false);
        var uploaded = await jobs.ListAsync(new JobRunFilter(JobStatus.Succeeded, JobKinds.Upload, Limit: RunLimit), cancellationToken).ConfigureAwait(false);

        IReadOnlyList<CatalogTable>? tables = null;
        string? catalogProblem = null;
        try
        {
            tables = await catalog.ListTablesAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            catalogProblem = e.Message;
        }

        IReadOnlyList<WarehouseTableInfo>? warehouseTables = null;
        IReadOnlyList<LoadFact>? loads = null;
        var truncated = false;
        string? warehouseProblem = null;
        try
        {
            warehouseTables = await warehouse.ListTablesAsync(cancellationToken).ConfigureAwait(false);
            var entries = await warehouse.LoadsAsync(new LoadFilter(Status: LoadStatus.Completed, Limit: LoadLimit), cancellationToken).ConfigureAwait(false);
            truncated = entries.Count >= LoadLimit;
            var loadRuns = await LoadRunsAsync(jobs, cancellationToken).ConfigureAwait(false);
            loads = entries
                .Where(e => !(loadRuns.TryGetValue(e.QueryId, out var run) && run.Parameters.ContainsKey("noload")))
                .Select(e => new LoadFact(e, loadRuns.TryGetValue(e.QueryId, out var run) ? run.Id : null, CopySource.TryFromUri(e.DataSource),
                    run is not null && run.Parameters.GetValueOrDefault(LoadJobHandler.ModeParameter) == LoadJobHandler.ReplaceMode))
                .ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            warehouseProblem = e.Message;
        }

        return new PipelineFacts
        {
            CountRuns = counts,
            WriterRuns = [.. generated.Concat(uploaded).OrderByDescending(r => r.EndedAt ?? r.QueuedAt)],
            CatalogTables = tables,
            CatalogProblem = catalogProblem,
            WarehouseTables = warehouseTables,
            Loads = loads,
            LoadsTruncated = truncated,
            WarehouseProblem = warehouseProblem,
        };
    }

    /// <summary>Load runs by the query id their results name: how a load in <c>sys_load_history</c> is tied to its run.</summary>
    public static async Task<Dictionary<long, JobRun>> LoadRunsAsync(IJobRunner jobs, CancellationToken cancellationToken)
    {
        var runs = await jobs.ListAsync(new JobRunFilter(Kind: JobKinds.Load, Limit: RunLimit), cancellationToken).ConfigureAwait(false);
        var byQuery = new Dictionary<long, JobRun>();
        foreach (var run in runs)
        {
            var line = run.Results?.FirstOrDefault(r => r.Name == "load (query id)");
            if (line is not null && long.TryParse(line.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var queryId))
            {
                byQuery.TryAdd(queryId, run);
            }
        }

        return byQuery;
    }

    /// <summary>The dataset's raw CSVs as the converter takes them: <c>raw/&lt;dataset&gt;/*.csv</c>, one level.</summary>
    public static async Task<IReadOnlyList<ObjectInfo>> RawFilesAsync(IObjectStore store, string dataset, CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync($"raw/{dataset}/", "/", cancellationToken).ConfigureAwait(false);
        return [.. listing.Objects.Where(o => o.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).OrderBy(o => o.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The rows of this version of a raw CSV, from a count-rows run of its ETag or the generation that wrote it (same size,
    /// not modified since). An upload records no rows, and nothing is re-read here: otherwise it is unknown, and says why.
    /// </summary>
    public RawFileCount RawRows(ObjectInfo file)
    {
        foreach (var run in CountRuns)
        {
            if (run.ParametersJson is { } json && TryRowCountJob(json) is { } counted && counted.Key == file.Key && counted.ETag == file.ETag)
            {
                return new RawFileCount(file, run.Counts.RowsRead, "counted by count-rows run " + OverviewLinks.Short(run.Id), run.Id);
            }
        }

        var writer = WriterRuns.FirstOrDefault(r => r.Outputs.Any(o => o.InLake && o.Location == file.Key));
        if (writer is null)
        {
            return new RawFileCount(file, null, "unknown: no run recorded writing or counting this version of it; converting it records its rows", null);
        }

        var output = writer.Outputs.First(o => o.InLake && o.Location == file.Key);

        // The object must be the one the run wrote: same size, and not written after the run ended.
        if (output.Bytes != file.Size || writer.EndedAt is not { } ended || file.LastModified > ended + ClockSlack)
        {
            return new RawFileCount(file, null, string.Create(CultureInfo.InvariantCulture,
                $"unknown: changed since {writer.Kind} run {OverviewLinks.Short(writer.Id)} wrote it ({output.Bytes:N0} bytes then, {file.Size:N0} now) and not counted since"), writer.Id);
        }

        if (writer.Kind != JobKinds.Generate)
        {
            return new RawFileCount(file, null, $"unknown: uploaded by run {OverviewLinks.Short(writer.Id)}, which records no row count; converting it records its rows", writer.Id);
        }

        return new RawFileCount(file, output.Rows, "written by generate run " + OverviewLinks.Short(writer.Id), writer.Id);
    }

    /// <summary>The dataset's catalog table over its Parquet folder, if it was crawled.</summary>
    public CatalogTable? CatalogTableOf(string dataset)
    {
        var location = ConversionManifest.PrefixOf(dataset);
        return CatalogTables?
            .Where(t => t.Location == location)
            .OrderBy(t => t.Status == TableStatus.Active ? 0 : 1)
            .ThenByDescending(t => t.LastCrawledAt)
            .FirstOrDefault();
    }

    /// <summary>The dataset's warehouse table: <c>public.&lt;dataset&gt;</c> first, else any schema's table of that name.</summary>
    public WarehouseTableInfo? WarehouseTableOf(string name) =>
        WarehouseTables?
            .Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => t.Schema == "public" ? 0 : 1)
            .FirstOrDefault();

    /// <summary>Completed loads into a table (<c>schema.table</c>), newest first.</summary>
    /// <summary>
    /// The completed loads whose rows are in the table now, newest first: up to and including the latest one that replaced
    /// the table's rows (what came before it was deleted).
    /// </summary>
    public IReadOnlyList<LoadFact> LoadsInto(WarehouseTableInfo table)
    {
        var loads = Loads?.Where(l => string.Equals(l.Entry.TableName, $"{table.Schema}.{table.Name}", StringComparison.OrdinalIgnoreCase)).ToList() ?? [];
        var replaced = loads.FindIndex(l => l.Replaced);
        return replaced < 0 ? loads : loads[..(replaced + 1)];
    }

    private static RowCountJob? TryRowCountJob(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RowCountJob>(json, JobRunner.ParametersJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
