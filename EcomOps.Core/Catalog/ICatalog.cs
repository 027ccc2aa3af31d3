namespace EcomOps.Core.Catalog;

/// <summary>
/// The Data Catalog's read side: databases, tables with their columns, locations, partitions, row counts and
/// sizes, and each table's versions. The query engine reads table definitions only from here. Locally it is
/// the ops database; on AWS the Glue Data Catalog can stand behind it.
/// </summary>
public interface ICatalog
{
    /// <summary>Databases that have tables, by name.</summary>
    Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Tables, by database and name; of one database, or of all when <paramref name="database"/> is null. Deprecated ones included.</summary>
    Task<IReadOnlyList<CatalogTable>> ListTablesAsync(string? database = null, CancellationToken cancellationToken = default);

    /// <summary>One table, or null when the catalog has no such table. Names are matched as Glue does, ignoring case.</summary>
    Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken = default);

    /// <summary>The table's partitions in key order; empty for a table without partition keys.</summary>
    Task<IReadOnlyList<CatalogPartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default);

    /// <summary>Every version of the table, newest first, with what changed in each.</summary>
    Task<IReadOnlyList<TableVersion>> GetVersionsAsync(string database, string table, CancellationToken cancellationToken = default);
}
