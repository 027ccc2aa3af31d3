using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Overview;

/// <summary>Where a figure or a node comes from, as a page links it: <c>/jobs?run=ID</c>, <c>/loads/ID</c>, <c>/lake?prefix=...</c>, <c>/catalog/DB/TABLE</c>.</summary>
public sealed record OverviewLink(string Text, string Href);

/// <summary>A part of the Overview that could not be read this time (the warehouse is busy or not there, ...), and why.</summary>
public sealed record OverviewProblem(string Part, string Reason);

/// <summary>The landing page's numbers, read fresh on every call.</summary>
/// <param name="At">When they were read.</param>
/// <param name="Unavailable">Parts that could not be read, with why; their figures are left empty rather than made up.</param>
public sealed record OverviewKpis(
    DateTimeOffset At,
    RunCounts RunsToday,
    RunCounts RunsLast24Hours,
    LoadedRows RowsLoadedLast24Hours,
    IReadOnlyList<LakePrefixSize> LakeSize,
    IReadOnlyList<WarehouseTableCount> WarehouseTables,
    LastCrawl? LastCrawl,
    IReadOnlyList<OverviewProblem> Unavailable)
{
    /// <summary>Failed and Interrupted runs of the last 24 hours.</summary>
    public int FailuresLast24Hours => RunsLast24Hours.Failed;
}

/// <summary>Runs queued since <paramref name="Since"/>, by how they are now.</summary>
/// <param name="Failed">Failed or Interrupted.</param>
/// <param name="Active">Queued or Running.</param>
/// <param name="AtLeast">More runs than could be counted: the figures are lower bounds ("5,000+").</param>
/// <param name="Link">The Jobs page.</param>
public sealed record RunCounts(DateTimeOffset Since, int Total, int Succeeded, int Failed, int Cancelled, int Active, bool AtLeast, OverviewLink Link);

/// <summary>Rows completed loads put into the warehouse since <paramref name="Since"/> (NOLOAD checks load nothing).</summary>
/// <param name="Rejected">Rows those loads skipped as errors (under MAXERROR).</param>
/// <param name="AtLeast">More loads than could be read: the figures are lower bounds.</param>
public sealed record LoadedRows(DateTimeOffset Since, long Rows, int Loads, long Rejected, bool AtLeast);

/// <summary>Objects and bytes under one lake prefix (<c>raw/</c>, then <c>raw/customer_data/</c>, ...).</summary>
/// <param name="Children">The next level down, largest first; empty below the second level.</param>
public sealed record LakePrefixSize(string Prefix, long Objects, long Bytes, IReadOnlyList<LakePrefixSize> Children, OverviewLink Link);

/// <summary>One warehouse table and its row count, as the warehouse counts it now.</summary>
/// <param name="Table"><c>schema.table</c>.</param>
public sealed record WarehouseTableCount(string Table, long Rows);

/// <summary>The newest crawl run and what it changed in the catalog.</summary>
/// <param name="Summary">Its counts as the run history records them (tables created, updated, partitions added, ...).</param>
/// <param name="Changes">The catalog versions this crawl made, one per table it changed.</param>
public sealed record LastCrawl(Guid RunId, JobStatus Status, DateTimeOffset QueuedAt, DateTimeOffset? EndedAt, string? Error, IReadOnlyList<JobResult> Summary, IReadOnlyList<CrawlChange> Changes, OverviewLink Link);

/// <summary>A table version a crawl made: which table, which version, what changed.</summary>
public sealed record CrawlChange(string Table, int Version, IReadOnlyList<TableChange> Changes, OverviewLink Link);

/// <summary>A run that failed, or a load that aborted or failed outside any run.</summary>
/// <param name="RunId">The run, when it was one.</param>
/// <param name="LoadQueryId">The load's query id, when it was a load.</param>
/// <param name="Link">Its details: the run on Jobs, or the load's page for a load without a run.</param>
public sealed record RecentFailure(Guid? RunId, long? LoadQueryId, string Kind, string Title, string? Dataset, JobStatus Status, DateTimeOffset At, string Reason, OverviewLink Link);

/// <summary>Rows loaded on one UTC day: one point of the rows-loaded-per-day chart (days without loads are zeros).</summary>
public sealed record DailyRowsLoaded(DateOnly Day, long Rows, int Loads, long Rejected);

/// <summary>One finished run: a point of the job-durations chart (x: started, y: duration, series: kind, colour: status).</summary>
public sealed record JobDurationPoint(Guid RunId, string Kind, string Title, DateTimeOffset StartedAt, TimeSpan Duration, JobStatus Status, OverviewLink Link);
