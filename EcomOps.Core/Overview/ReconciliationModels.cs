namespace EcomOps.Core.Overview;

/// <summary>Every dataset's row counts along the pipeline, side by side, read when asked.</summary>
public sealed record ReconciliationReport(DateTimeOffset At, IReadOnlyList<DatasetReconciliation> Datasets)
{
    public bool HasMismatch => Datasets.Any(d => d.Mismatches.Count > 0);
}

/// <summary>
/// One dataset's rows at each stage: raw CSV, Parquet, catalog, warehouse, and the rows the converter quarantined and the
/// warehouse rejected on the way. <see cref="Mismatches"/> says where the figures do not add up, and why.
/// </summary>
public sealed record DatasetReconciliation(
    string Dataset,
    RowFigure RawCsv,
    RowFigure Parquet,
    RowFigure Catalog,
    RowFigure Warehouse,
    RowFigure Quarantined,
    RowFigure Rejected,
    IReadOnlyList<ReconciliationMismatch> Mismatches)
{
    public bool Reconciled => Mismatches.Count == 0;
}

/// <summary>
/// One figure of a reconciliation with where it comes from. <see cref="Rows"/> is null when it is not known; then
/// <see cref="Source"/> says why (nothing counted that file, it was never converted, ...): figures are never estimated.
/// </summary>
/// <param name="Source">For people: "manifest of conversion run …", "count-rows run … of raw/…", "the warehouse's count now".</param>
/// <param name="RunId">The run the figure is recorded by, when one is.</param>
/// <param name="LoadQueryId">The load the figure is recorded by, when one is.</param>
/// <param name="Key">The lake key or prefix the figure is of, when it is one.</param>
/// <param name="Links">One click to where the figure comes from.</param>
public sealed record RowFigure(long? Rows, string Source, IReadOnlyList<OverviewLink> Links, Guid? RunId = null, long? LoadQueryId = null, string? Key = null)
{
    public bool Known => Rows is not null;

    internal static RowFigure Unknown(string why, params OverviewLink[] links) => new(null, why, links);
}

/// <summary>Between which figures a mismatch is.</summary>
public enum ReconciliationStage
{
    /// <summary>The raw CSVs against what the conversion read from them, and what it wrote and quarantined.</summary>
    RawToParquet,

    /// <summary>The Parquet files the manifest lists against the files in the lake.</summary>
    ParquetFiles,

    /// <summary>The catalog table's row count against the Parquet it describes.</summary>
    ParquetToCatalog,

    /// <summary>What the loads put into the warehouse against the Parquet.</summary>
    ParquetToWarehouse,

    /// <summary>The warehouse table's rows now against what its loads put in.</summary>
    Warehouse,
}

/// <summary>One place where a dataset's figures do not add up.</summary>
/// <param name="Message">A sentence for ops staff, naming both figures and the run or load behind the expected one.</param>
/// <param name="Expected">The figure the earlier stage (or the loads) says there should be, when known.</param>
/// <param name="Actual">The figure there is, when known.</param>
/// <param name="RunId">The run that explains the expected figure.</param>
/// <param name="LoadQueryId">The load that explains it, when it is a load.</param>
public sealed record ReconciliationMismatch(
    ReconciliationStage Stage,
    string Message,
    long? Expected,
    long? Actual,
    Guid? RunId,
    long? LoadQueryId,
    IReadOnlyList<OverviewLink> Links);

/// <summary>What a lineage node is.</summary>
public enum LineageNodeKind
{
    RawFile,
    ConversionRun,
    ParquetFile,
    CrawlRun,
    CatalogTable,
    Load,
    WarehouseTable,
}

/// <summary>
/// One step a table's data came through. <see cref="Inputs"/> are the ids of the nodes it was made from (a load's
/// Parquet files, a conversion's raw files), so a page can draw the chain; <see cref="Link"/> is its one click.
/// </summary>
/// <param name="Id">Unique within the lineage: <c>raw:KEY</c>, <c>run:ID</c>, <c>parquet:KEY</c>, <c>load:ID</c>, <c>catalog:DB.TABLE</c>, <c>warehouse:SCHEMA.TABLE</c>.</param>
/// <param name="Detail">For people: sizes, times, status.</param>
/// <param name="Rows">Rows it held, read, wrote or loaded, when recorded.</param>
/// <param name="Note">What is not as it was when the data went through (a raw file changed since, a Parquet file no longer listed), or null.</param>
public sealed record LineageNode(
    string Id,
    LineageNodeKind Kind,
    string Label,
    string Detail,
    long? Rows,
    DateTimeOffset? At,
    IReadOnlyList<string> Inputs,
    OverviewLink Link,
    Guid? RunId = null,
    long? LoadQueryId = null,
    string? Key = null,
    string? Note = null);

/// <summary>Where a catalog or warehouse table's data came from, raw file to table, from the run and load history.</summary>
/// <param name="Table">The table as resolved (<c>ecom.transactions_data</c> or <c>public.transactions_data</c>).</param>
/// <param name="Dataset">The dataset behind it, when known.</param>
/// <param name="Nodes">Ordered raw files, conversion runs, Parquet files, crawl run, catalog table, loads, warehouse table.</param>
/// <param name="Notes">What the history cannot tell (files no run recorded, a warehouse that keeps no per-file record, ...).</param>
public sealed record TableLineage(string Table, string? Dataset, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<string> Notes)
{
    public IEnumerable<LineageNode> OfKind(LineageNodeKind kind) => Nodes.Where(n => n.Kind == kind);
}
