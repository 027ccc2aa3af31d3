using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Overview;

/// <summary>The Overview's data over Core's interfaces; see <see cref="IOverviewService"/>. Holds no state between calls.</summary>
internal sealed class OverviewService(
    IJobRunner jobs,
    IObjectStore store,
    ICatalog catalog,
    IWarehouse warehouse,
    TimeProvider time,
    IAccess access,
    ILogger<OverviewService> logger) : IOverviewService
{
    private const int MaxFailures = 200;
    private const int MaxDays = 366;

    public async Task<OverviewKpis> GetKpisAsync(TimeZoneInfo? zone = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var now = time.GetUtcNow();
        var problems = new List<OverviewProblem>();
        zone ??= TimeZoneInfo.Utc;
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;

        // Midnight's own offset: on the day clocks change it differs from the offset now.
        var midnight = new DateTimeOffset(today, zone.GetUtcOffset(today)).ToUniversalTime();
        var dayAgo = now.AddDays(-1);

        // One read of the history covers both windows.
        var runs = await jobs.ListAsync(new JobRunFilter(Limit: PipelineFacts.RunLimit, QueuedSince: midnight < dayAgo ? midnight : dayAgo), cancellationToken).ConfigureAwait(false);
        var full = runs.Count >= PipelineFacts.RunLimit;
        var runsToday = Count(runs.Where(r => r.QueuedAt >= midnight), midnight, full);
        var runsLastDay = Count(runs.Where(r => r.QueuedAt >= dayAgo), dayAgo, full);

        var loaded = new LoadedRows(dayAgo, 0, 0, 0, false);
        IReadOnlyList<WarehouseTableCount> tables = [];
        try
        {
            var loads = await warehouse.LoadsAsync(new LoadFilter(Status: LoadStatus.Completed, Since: dayAgo.UtcDateTime, Limit: PipelineFacts.LoadLimit), cancellationToken).ConfigureAwait(false);
            loaded = new LoadedRows(dayAgo, loads.Sum(l => l.LoadedRows), loads.Count, loads.Sum(l => l.ErrorCount), loads.Count >= PipelineFacts.LoadLimit);
            tables = [.. (await warehouse.ListTablesAsync(cancellationToken).ConfigureAwait(false))
                .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)
                .Select(t => new WarehouseTableCount($"{t.Schema}.{t.Name}", t.Rows))];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Unavailable(problems, "warehouse", e);
        }

        IReadOnlyList<LakePrefixSize> lake = [];
        try
        {
            lake = await LakeSizeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Unavailable(problems, "lake", e);
        }

        LastCrawl? lastCrawl = null;
        try
        {
            lastCrawl = await LastCrawlAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Unavailable(problems, "catalog", e);
        }

        return new OverviewKpis(now, runsToday, runsLastDay, loaded, lake, tables, lastCrawl, problems);
    }

    public async Task<IReadOnlyList<RecentFailure>> RecentFailuresAsync(int limit = 10, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxFailures);
        var failures = (await jobs.ListAsync(new JobRunFilter(FailedOnly: true, Limit: limit), cancellationToken).ConfigureAwait(false))
            .Select(r => new RecentFailure(r.Id, LoadQueryIdOf(r), r.Kind, r.Title, r.Dataset, r.Status, r.EndedAt ?? r.QueuedAt, r.Error ?? r.Status.ToString(), OverviewLinks.Run(r.Id)))
            .ToList();

        // A COPY run outside the job runner (another tool, a script) fails in the warehouse's history only.
        try
        {
            var byRun = await PipelineFacts.LoadRunsAsync(jobs, cancellationToken).ConfigureAwait(false);
            var loads = await warehouse.LoadsAsync(new LoadFilter(FailedOnly: true, Limit: limit), cancellationToken).ConfigureAwait(false);
            failures.AddRange(loads.Where(l => !byRun.ContainsKey(l.QueryId)).Select(l => new RecentFailure(
                null,
                l.QueryId,
                JobKinds.Load,
                string.Create(CultureInfo.InvariantCulture, $"Load {l.TableName} from {l.DataSource} (load {l.QueryId}, no run)"),
                null,
                JobStatus.Failed,
                new DateTimeOffset(DateTime.SpecifyKind(l.EndTime ?? l.StartTime, DateTimeKind.Utc)),
                string.Create(CultureInfo.InvariantCulture, $"{l.Status}: {l.ErrorCount:N0} rows rejected"),
                OverviewLinks.Load(l.QueryId))));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The runs' failures are still worth showing when the warehouse cannot be read.
            logger.LogInformation("Overview: the warehouse's failed loads could not be read: {Reason}", e.Message);
        }

        return [.. failures.OrderByDescending(f => f.At).Take(limit)];
    }

    public async Task<IReadOnlyList<DailyRowsLoaded>> RowsLoadedPerDayAsync(int days = 30, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var loads = await warehouse.LoadsAsync(
            new LoadFilter(Status: LoadStatus.Completed, Since: first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Limit: PipelineFacts.LoadLimit), cancellationToken).ConfigureAwait(false);
        var byDay = loads.ToLookup(l => DateOnly.FromDateTime(l.StartTime));
        return [.. Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(d =>
        {
            var of = byDay[d].ToList();
            return new DailyRowsLoaded(d, of.Sum(l => l.LoadedRows), of.Count, of.Sum(l => l.ErrorCount));
        })];
    }

    public async Task<IReadOnlyList<JobDurationPoint>> JobDurationsAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var runs = await jobs.ListAsync(new JobRunFilter(Limit: PipelineFacts.RunLimit, QueuedSince: since), cancellationToken).ConfigureAwait(false);
        return [.. runs
            .Where(r => r.IsFinished && r.StartedAt is not null && r.EndedAt is not null)
            .OrderBy(r => r.StartedAt)
            .Select(r => new JobDurationPoint(r.Id, r.Kind, r.Title, r.StartedAt!.Value, r.EndedAt!.Value - r.StartedAt.Value, r.Status, OverviewLinks.Run(r.Id)))];
    }

    public async Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var facts = await PipelineFacts.ReadAsync(jobs, catalog, warehouse, cancellationToken).ConfigureAwait(false);
        var reconciler = new Reconciler(store, jobs, facts);
        var datasets = new List<DatasetReconciliation>();
        foreach (var dataset in DatasetRegistry.All)
        {
            datasets.Add(await reconciler.ReconcileAsync(dataset.Name, cancellationToken).ConfigureAwait(false));
        }

        return new ReconciliationReport(time.GetUtcNow(), datasets);
    }

    public async Task<TableLineage> LineageAsync(string table, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var facts = await PipelineFacts.ReadAsync(jobs, catalog, warehouse, cancellationToken).ConfigureAwait(false);
        return await new LineageBuilder(store, jobs, catalog, warehouse, facts).BuildAsync(table, cancellationToken).ConfigureAwait(false);
    }

    private static RunCounts Count(IEnumerable<JobRun> runs, DateTimeOffset since, bool atLeast)
    {
        var list = runs.ToList();
        return new RunCounts(
            since,
            list.Count,
            list.Count(r => r.Status == JobStatus.Succeeded),
            list.Count(r => r.Status is JobStatus.Failed or JobStatus.Interrupted),
            list.Count(r => r.Status == JobStatus.Cancelled),
            list.Count(r => r.Status is JobStatus.Queued or JobStatus.Running),
            atLeast,
            OverviewLinks.Jobs);
    }

    /// <summary>Objects and bytes per top-level prefix and, below it, per second-level prefix, from one listing of the lake.</summary>
    private async Task<IReadOnlyList<LakePrefixSize>> LakeSizeAsync(CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync("", null, cancellationToken).ConfigureAwait(false);
        return Group(listing.Objects, "", depth: 0);

        static IReadOnlyList<LakePrefixSize> Group(IEnumerable<ObjectInfo> objects, string parent, int depth) =>
        [
            .. objects
                .Where(o => o.Key.IndexOf('/', parent.Length) > 0)
                .GroupBy(o => o.Key[..(o.Key.IndexOf('/', parent.Length) + 1)], StringComparer.Ordinal)
                .Select(g => new LakePrefixSize(g.Key, g.Count(), g.Sum(o => o.Size), depth == 0 ? Group(g, g.Key, 1) : [], OverviewLinks.Prefix(g.Key)))
                .OrderByDescending(p => p.Bytes)
                .ThenBy(p => p.Prefix, StringComparer.Ordinal),
        ];
    }

    private async Task<LastCrawl?> LastCrawlAsync(CancellationToken cancellationToken)
    {
        var run = (await jobs.ListAsync(new JobRunFilter(Kind: JobKinds.Crawl, Limit: 1), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (run is null)
        {
            return null;
        }

        // The tables this crawl changed are those with a version it made.
        var changes = new List<CrawlChange>();
        foreach (var table in await catalog.ListTablesAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (table.LastCrawlRunId != run.Id)
            {
                continue;
            }

            var versions = await catalog.GetVersionsAsync(table.Database, table.Name, cancellationToken).ConfigureAwait(false);
            changes.AddRange(versions.Where(v => v.RunId == run.Id).Select(v => new CrawlChange(table.FullName, v.Version, v.Changes, OverviewLinks.Catalog(table.Database, table.Name))));
        }

        var summary = run.Results?.Where(r => !r.Name.StartsWith("table ", StringComparison.Ordinal) && !r.Name.StartsWith("skipped ", StringComparison.Ordinal)).ToList() ?? [];
        return new LastCrawl(run.Id, run.Status, run.QueuedAt, run.EndedAt, run.Error, summary, changes, OverviewLinks.Run(run.Id));
    }

    private static long? LoadQueryIdOf(JobRun run) =>
        run.Results?.FirstOrDefault(r => r.Name == "load (query id)") is { } line && long.TryParse(line.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null;

    private void Unavailable(List<OverviewProblem> problems, string part, Exception e)
    {
        logger.LogWarning("Overview: the {Part} could not be read: {Reason}", part, e.Message);
        problems.Add(new OverviewProblem(part, e.Message));
    }
}
