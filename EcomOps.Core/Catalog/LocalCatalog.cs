using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Ops;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Catalog;

/// <summary>
/// The local "Glue Data Catalog": tables, their versions and partitions in the ops database (the Catalog
/// capability's own tables). Crawls write to it in one transaction each, so readers see a crawl whole or not at all.
/// </summary>
internal sealed partial class LocalCatalog(OpsDatabase database, TimeProvider time) : ICatalog
{
    /// <summary>The Catalog capability's tables.</summary>
    public static OpsSchema Schema { get; } = new("catalog",
    [
        """
        CREATE TABLE catalog_tables (
            database TEXT NOT NULL,
            name TEXT NOT NULL,
            location TEXT NOT NULL,
            classification TEXT NOT NULL,
            compression TEXT NOT NULL,
            columns TEXT NOT NULL,
            partition_keys TEXT NOT NULL,
            record_count INTEGER NOT NULL,
            size_key INTEGER NOT NULL,
            object_count INTEGER NOT NULL,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_crawled_at TEXT NOT NULL,
            last_crawl_run_id TEXT NOT NULL,
            pending_change TEXT,
            PRIMARY KEY (database, name)
        );
        CREATE TABLE catalog_table_versions (
            database TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            run_id TEXT NOT NULL,
            columns TEXT NOT NULL,
            partition_keys TEXT NOT NULL,
            changes TEXT NOT NULL,
            PRIMARY KEY (database, name, version)
        );
        CREATE TABLE catalog_partitions (
            database TEXT NOT NULL,
            name TEXT NOT NULL,
            location TEXT NOT NULL,
            partition_values TEXT NOT NULL,
            object_count INTEGER NOT NULL,
            record_count INTEGER NOT NULL,
            size_bytes INTEGER NOT NULL,
            PRIMARY KEY (database, name, location)
        );
        """,
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT database FROM catalog_tables ORDER BY database";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task<IReadOnlyList<CatalogTable>> ListTablesAsync(string? databaseName = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadTablesAsync(connection, null, databaseName, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CatalogTable?> GetTableAsync(string databaseName, string table, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadTablesAsync(connection, null, databaseName.ToLowerInvariant(), table.ToLowerInvariant(), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<CatalogPartition>> GetPartitionsAsync(string databaseName, string table, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPartitionsAsync(connection, null, databaseName.ToLowerInvariant(), table.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TableVersion>> GetVersionsAsync(string databaseName, string table, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, created_at, run_id, columns, partition_keys, changes FROM catalog_table_versions WHERE database = $database AND name = $name ORDER BY version DESC";
        command.Parameters.AddWithValue("$database", databaseName.ToLowerInvariant());
        command.Parameters.AddWithValue("$name", table.ToLowerInvariant());
        var versions = new List<TableVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new TableVersion(
                reader.GetInt32(0),
                ParseTime(reader.GetString(1)),
                Guid.Parse(reader.GetString(2)),
                Deserialize<List<CatalogColumn>>(reader.GetString(3)),
                Deserialize<List<CatalogColumn>>(reader.GetString(4)),
                Deserialize<List<TableChange>>(reader.GetString(5))));
        }

        return versions;
    }

    /// <summary>
    /// Brings the catalog in line with a scan, by the options' policies, in one transaction, and says what it did
    /// to each table. Tables of the database whose location is under a scanned include path but were not found
    /// are handled by the delete policy; tables elsewhere are left alone.
    /// </summary>
    public async Task<IReadOnlyList<TableOutcome>> ApplyAsync(CrawlScan scan, CrawlOptions options, Guid runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var db = options.Database;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var existing = (await ReadTablesAsync(connection, transaction, db, null, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var outcomes = new List<TableOutcome>();
        foreach (var found in scan.Tables)
        {
            if (!existing.TryGetValue(found.Name, out var table))
            {
                var created = NewTable(db, found, now, runId);
                await WriteTableAsync(connection, transaction, created, cancellationToken).ConfigureAwait(false);
                await WriteVersionAsync(connection, transaction, created, [new TableChange(TableChangeKind.Created, found.Name)], runId, now, cancellationToken).ConfigureAwait(false);
                await WritePartitionsAsync(connection, transaction, created, found.Partitions, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new TableOutcome(found.Name, TableOutcomeKind.Created, found.RecordCount, found.Partitions.Count, [new TableChange(TableChangeKind.Created, found.Name)]));
                continue;
            }

            var partitions = await ReadPartitionsAsync(connection, transaction, db, found.Name, cancellationToken).ConfigureAwait(false);
            var changes = CatalogDiff.Changes(table, partitions, found);
            if (changes.Count > 0 && options.OnChange == SchemaChangePolicy.Log)
            {
                var logged = table with { LastCrawledAt = now, LastCrawlRunId = runId, PendingChange = string.Join("; ", changes) };
                await WriteTableAsync(connection, transaction, logged, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new TableOutcome(found.Name, TableOutcomeKind.ChangeLogged, table.RecordCount, partitions.Count, changes));
                continue;
            }

            // Counts and sizes follow the data at every crawl; only schema and partition changes make a version.
            var updated = table with
            {
                Location = found.Location,
                Classification = found.Classification,
                Compression = found.Compression,
                Columns = changes.Count > 0 ? found.Columns : table.Columns,
                PartitionKeys = changes.Count > 0 ? found.PartitionKeys : table.PartitionKeys,
                RecordCount = found.RecordCount,
                SizeKey = found.SizeKey,
                ObjectCount = found.ObjectCount,
                Status = TableStatus.Active,
                Version = changes.Count > 0 ? table.Version + 1 : table.Version,
                UpdatedAt = changes.Count > 0 ? now : table.UpdatedAt,
                LastCrawledAt = now,
                LastCrawlRunId = runId,
                PendingChange = null,
            };
            await WriteTableAsync(connection, transaction, updated, cancellationToken).ConfigureAwait(false);
            await WritePartitionsAsync(connection, transaction, updated, found.Partitions, cancellationToken).ConfigureAwait(false);
            if (changes.Count > 0)
            {
                await WriteVersionAsync(connection, transaction, updated, changes, runId, now, cancellationToken).ConfigureAwait(false);
            }

            outcomes.Add(new TableOutcome(found.Name, changes.Count > 0 ? TableOutcomeKind.Updated : TableOutcomeKind.Unchanged, found.RecordCount, found.Partitions.Count, changes));
        }

        var crawled = scan.Tables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in existing.Values.Where(t => !crawled.Contains(t.Name) && scan.IncludePaths.Any(p => t.Location.StartsWith(p, StringComparison.Ordinal))))
        {
            var change = new TableChange(TableChangeKind.Deprecated, gone.Name);
            switch (options.OnDelete)
            {
                case DeletePolicy.Delete:
                    await DeleteTableAsync(connection, transaction, db, gone.Name, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(new TableOutcome(gone.Name, TableOutcomeKind.Deleted, gone.RecordCount, 0, [change]));
                    break;
                case DeletePolicy.Deprecate when gone.Status == TableStatus.Deprecated:
                    await WriteTableAsync(connection, transaction, gone with { LastCrawledAt = now, LastCrawlRunId = runId }, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(new TableOutcome(gone.Name, TableOutcomeKind.Unchanged, gone.RecordCount, 0, []));
                    break;
                case DeletePolicy.Deprecate:
                    var deprecated = gone with { Status = TableStatus.Deprecated, Version = gone.Version + 1, UpdatedAt = now, LastCrawledAt = now, LastCrawlRunId = runId };
                    await WriteTableAsync(connection, transaction, deprecated, cancellationToken).ConfigureAwait(false);
                    await WriteVersionAsync(connection, transaction, deprecated, [change], runId, now, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(new TableOutcome(gone.Name, TableOutcomeKind.Deprecated, gone.RecordCount, 0, [change]));
                    break;
                default:
                    await WriteTableAsync(connection, transaction, gone with { LastCrawledAt = now, LastCrawlRunId = runId, PendingChange = change.ToString() }, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(new TableOutcome(gone.Name, TableOutcomeKind.GoneLogged, gone.RecordCount, 0, [change]));
                    break;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcomes;
    }
}
