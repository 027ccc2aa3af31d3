namespace EcomOps.Core.Catalog;

/// <summary>One column of a catalog table.</summary>
/// <param name="Name">As Glue stores it, lower-cased, so Athena SQL matches it unquoted.</param>
/// <param name="Type">The Athena/Glue type: <c>bigint</c>, <c>int</c>, <c>decimal(10,2)</c>, <c>timestamp</c>, <c>date</c>, <c>string</c>, ...</param>
/// <param name="SourceName">The name in the files, as written (such as <c>CustomerID</c>).</param>
/// <param name="SourceType">The type as the files name it (Parquet's physical and logical type, or <c>csv</c>).</param>
public sealed record CatalogColumn(string Name, string Type, string SourceName, string SourceType);

/// <summary>Whether a table is in use.</summary>
public enum TableStatus
{
    Active,

    /// <summary>Its folder was gone at the last crawl, and the crawler's delete policy is to deprecate.</summary>
    Deprecated,
}

/// <summary>
/// A table of the Data Catalog, with the names Glue gives its parameters where it has one
/// (<c>classification</c>, <c>recordCount</c>, <c>sizeKey</c>, <c>objectCount</c>, <c>averageRecordSize</c>).
/// </summary>
/// <param name="Location">Where its files are: a lake prefix such as <c>parquet/transactions_data/</c>.</param>
/// <param name="Classification"><c>parquet</c> or <c>csv</c>.</param>
/// <param name="Compression">The files' codec (<c>snappy</c>, <c>zstd</c>, <c>gzip</c>, <c>none</c>), or <c>mixed</c>.</param>
/// <param name="PartitionKeys">Hive partition columns in path order (<c>year</c>, <c>month</c>), typed <c>string</c> as Glue types them.</param>
/// <param name="SizeKey">Bytes of its data files.</param>
/// <param name="PendingChange">What the last crawl found different but did not apply (the Log policy), or null.</param>
public sealed record CatalogTable(
    string Database,
    string Name,
    string Location,
    string Classification,
    string Compression,
    IReadOnlyList<CatalogColumn> Columns,
    IReadOnlyList<CatalogColumn> PartitionKeys,
    long RecordCount,
    long SizeKey,
    long ObjectCount,
    TableStatus Status,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastCrawledAt,
    Guid LastCrawlRunId,
    string? PendingChange = null)
{
    /// <summary>Bytes per record, as Glue's <c>averageRecordSize</c>.</summary>
    public long AverageRecordSize => RecordCount > 0 ? SizeKey / RecordCount : 0;

    /// <summary><c>database.table</c>.</summary>
    public string FullName => $"{Database}.{Name}";
}

/// <summary>One Hive partition of a table: its values in key order, where it is, and what it holds.</summary>
public sealed record CatalogPartition(IReadOnlyList<string> Values, string Location, long ObjectCount, long RecordCount, long SizeBytes);

/// <summary>What kind of change a table version records.</summary>
public enum TableChangeKind
{
    Created,
    ColumnAdded,
    ColumnRemoved,
    TypeChanged,
    PartitionKeysChanged,
    PartitionsAdded,
    PartitionsRemoved,
    Deprecated,
    Restored,
}

/// <summary>One change a crawl found in a table.</summary>
/// <param name="Subject">The column, or the partitions (such as <c>year=2024/month=05</c>), it is about.</param>
/// <param name="Before">The old type, when a type changed.</param>
/// <param name="After">The new type, when a column was added or its type changed.</param>
public sealed record TableChange(TableChangeKind Kind, string Subject, string? Before = null, string? After = null)
{
    public override string ToString() => Kind switch
    {
        TableChangeKind.Created => "created",
        TableChangeKind.ColumnAdded => $"column {Subject} added ({After})",
        TableChangeKind.ColumnRemoved => $"column {Subject} removed (was {Before})",
        TableChangeKind.TypeChanged => $"column {Subject}: {Before} → {After}",
        TableChangeKind.PartitionKeysChanged => $"partition keys {Before} → {After}",
        TableChangeKind.PartitionsAdded => $"partitions added: {Subject}",
        TableChangeKind.PartitionsRemoved => $"partitions removed: {Subject}",
        TableChangeKind.Deprecated => "deprecated: its folder is gone",
        TableChangeKind.Restored => "its folder is back",
        _ => Kind.ToString(),
    };
}

/// <summary>A table as one crawl left it: its schema then, and what changed from the version before.</summary>
public sealed record TableVersion(int Version, DateTimeOffset CreatedAt, Guid RunId, IReadOnlyList<CatalogColumn> Columns, IReadOnlyList<CatalogColumn> PartitionKeys, IReadOnlyList<TableChange> Changes);

/// <summary>Two versions of a table compared column by column, for the side-by-side view.</summary>
public sealed record VersionComparison(TableVersion Left, TableVersion Right, IReadOnlyList<ColumnDifference> Columns);

/// <summary>How a column differs between two versions.</summary>
public enum ColumnState
{
    Same,
    Added,
    Removed,
    TypeChanged,
}

/// <summary>One row of a version comparison: the column's type on each side, or null where it is missing.</summary>
public sealed record ColumnDifference(string Name, string? LeftType, string? RightType, ColumnState State, bool PartitionKey);

/// <summary>What the crawler does when a table's schema or partitions changed, as Glue's SchemaChangePolicy.UpdateBehavior.</summary>
public enum SchemaChangePolicy
{
    /// <summary>Update the table: a new version with what changed (Glue's UPDATE_IN_DATABASE).</summary>
    Update,

    /// <summary>Leave the table as it is and record the change (Glue's LOG).</summary>
    Log,
}

/// <summary>What the crawler does with a table whose folder is gone, as Glue's SchemaChangePolicy.DeleteBehavior.</summary>
public enum DeletePolicy
{
    /// <summary>Mark it deprecated (Glue's DEPRECATE_IN_DATABASE).</summary>
    Deprecate,

    /// <summary>Delete it from the catalog (Glue's DELETE_FROM_DATABASE).</summary>
    Delete,

    /// <summary>Leave it and record that it is gone (Glue's LOG).</summary>
    Log,
}

/// <summary>What a crawl did to one table.</summary>
public enum TableOutcomeKind
{
    Created,
    Updated,
    Unchanged,
    Deprecated,
    Deleted,

    /// <summary>Changed, but the Log policy left the table as it was.</summary>
    ChangeLogged,

    /// <summary>Its folder is gone, and the Log delete policy left the table as it was.</summary>
    GoneLogged,
}

/// <summary>One table's line of a crawl's result.</summary>
public sealed record TableOutcome(string Table, TableOutcomeKind Outcome, long Rows, int Partitions, IReadOnlyList<TableChange> Changes);
