namespace EcomOps.Core.Overview;

/// <summary>
/// The Overview page's data: KPIs, recent failures, charts, reconciliation of row counts along the pipeline and the
/// lineage of tables. Everything is read fresh from the run history, the lake's listings and manifests, the catalog
/// and the warehouse's own counts and load tables on each call (nothing is cached, so nothing goes stale); no data file
/// is scanned, so the landing page can call these on every visit and refresh. Works on any backend: it reads only
/// Core's interfaces (<c>IJobRunner</c>, <c>IObjectStore</c>, <c>ICatalog</c>, <c>IWarehouse</c>).
/// A part that cannot be read (the warehouse is not there) is reported as such, not as zero.
/// </summary>
public interface IOverviewService
{
    /// <summary>
    /// Runs today (since midnight in <paramref name="zone"/>, UTC by default) and in the last 24 hours, rows loaded in the
    /// last 24 hours, the lake's size by prefix, the warehouse's row count per table, and the last crawl with its changes.
    /// </summary>
    Task<OverviewKpis> GetKpisAsync(TimeZoneInfo? zone = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest failed or interrupted runs, and aborted or failed loads that were no run (a COPY from outside EcomOps),
    /// newest first, at most <paramref name="limit"/> (1 to 200), each linked to its details.
    /// </summary>
    Task<IReadOnlyList<RecentFailure>> RecentFailuresAsync(int limit = 10, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rows loaded into the warehouse per UTC day for the last <paramref name="days"/> days (1 to 366) including today,
    /// oldest first, one entry per day (zeros where nothing loaded).
    /// </summary>
    Task<IReadOnlyList<DailyRowsLoaded>> RowsLoadedPerDayAsync(int days = 30, CancellationToken cancellationToken = default);

    /// <summary>Finished runs queued since <paramref name="since"/> (at most 5,000, the newest), oldest first, with kind, start, duration and status.</summary>
    Task<IReadOnlyList<JobDurationPoint>> JobDurationsAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>
    /// Per dataset: rows in the raw CSVs (as recorded by generation, row counts or the conversion that read them; unknown
    /// otherwise), in the Parquet (its manifest), in the catalog, in the warehouse, quarantined and rejected, each with its
    /// source, and every mismatch with a sentence naming the stage and the run or load behind the expected figure.
    /// </summary>
    Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Where a table's data came from: for a warehouse table (<c>public.transactions_data</c>) its loads, the Parquet or CSV
    /// files they read, the conversion runs that wrote those and the raw files they read, and the catalog table over the same
    /// files with its crawl; for a catalog table (<c>ecom.transactions_data</c>) its crawl, files and conversions. A bare
    /// name (<c>transactions_data</c>) means the warehouse table when there is one, else the catalog table.
    /// </summary>
    /// <exception cref="KeyNotFoundException">Neither the catalog nor the warehouse has such a table.</exception>
    Task<TableLineage> LineageAsync(string table, CancellationToken cancellationToken = default);
}
