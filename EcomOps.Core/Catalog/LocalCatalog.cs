using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Ops;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Catalog;

/// <summary>
/// The local "Glue Data Catalog": tables, their versions and partitions in the ops database (the Catalog
/// capability's own tables). Crawls write to it in one transaction each, so readers see a crawl whole or not at all.
/// </summary>
internal sealed class LocalCatalog(OpsDatabase database, TimeProvider time) : ICatalog
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

    private static CatalogTable NewTable(string db, CrawledTable found, DateTimeOffset now, Guid runId) => new(
        db,
        found.Name,
        found.Location,
        found.Classification,
        found.Compression,
        found.Columns,
        found.PartitionKeys,
        found.RecordCount,
        found.SizeKey,
        found.ObjectCount,
        TableStatus.Active,
        1,
        now,
        now,
        now,
        runId);

    private static async Task WriteTableAsync(SqliteConnection connection, SqliteTransaction transaction, CatalogTable table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO catalog_tables (database, name, location, classification, compression, columns, partition_keys, record_count,
                size_key, object_count, status, version, created_at, updated_at, last_crawled_at, last_crawl_run_id, pending_change)
            VALUES ($database, $name, $location, $classification, $compression, $columns, $partition_keys, $record_count,
                $size_key, $object_count, $status, $version, $created_at, $updated_at, $last_crawled_at, $last_crawl_run_id, $pending_change)
            """;
        var p = command.Parameters;
        p.AddWithValue("$database", table.Database);
        p.AddWithValue("$name", table.Name);
        p.AddWithValue("$location", table.Location);
        p.AddWithValue("$classification", table.Classification);
        p.AddWithValue("$compression", table.Compression);
        p.AddWithValue("$columns", JsonSerializer.Serialize(table.Columns, Json));
        p.AddWithValue("$partition_keys", JsonSerializer.Serialize(table.PartitionKeys, Json));
        p.AddWithValue("$record_count", table.RecordCount);
        p.AddWithValue("$size_key", table.SizeKey);
        p.AddWithValue("$object_count", table.ObjectCount);
        p.AddWithValue("$status", table.Status.ToString());
        p.AddWithValue("$version", table.Version);
        p.AddWithValue("$created_at", Time(table.CreatedAt));
        p.AddWithValue("$updated_at", Time(table.UpdatedAt));
        p.AddWithValue("$last_crawled_at", Time(table.LastCrawledAt));
        p.AddWithValue("$last_crawl_run_id", table.LastCrawlRunId.ToString());
        p.AddWithValue("$pending_change", (object?)table.PendingChange ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CatalogTable table, IReadOnlyList<TableChange> changes, Guid runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO catalog_table_versions (database, name, version, created_at, run_id, columns, partition_keys, changes)
            VALUES ($database, $name, $version, $created_at, $run_id, $columns, $partition_keys, $changes)
            """;
        var p = command.Parameters;
        p.AddWithValue("$database", table.Database);
        p.AddWithValue("$name", table.Name);
        p.AddWithValue("$version", table.Version);
        p.AddWithValue("$created_at", Time(now));
        p.AddWithValue("$run_id", runId.ToString());
        p.AddWithValue("$columns", JsonSerializer.Serialize(table.Columns, Json));
        p.AddWithValue("$partition_keys", JsonSerializer.Serialize(table.PartitionKeys, Json));
        p.AddWithValue("$changes", JsonSerializer.Serialize(changes, Json));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WritePartitionsAsync(SqliteConnection connection, SqliteTransaction transaction, CatalogTable table, IReadOnlyList<CatalogPartition> partitions, CancellationToken cancellationToken)
    {
        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM catalog_partitions WHERE database = $database AND name = $name";
            delete.Parameters.AddWithValue("$database", table.Database);
            delete.Parameters.AddWithValue("$name", table.Name);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO catalog_partitions (database, name, location, partition_values, object_count, record_count, size_bytes)
            VALUES ($database, $name, $location, $values, $objects, $records, $bytes)
            """;
        var names = new[] { "$database", "$name", "$location", "$values", "$objects", "$records", "$bytes" };
        foreach (var name in names)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        foreach (var partition in partitions)
        {
            insert.Parameters["$database"].Value = table.Database;
            insert.Parameters["$name"].Value = table.Name;
            insert.Parameters["$location"].Value = partition.Location;
            insert.Parameters["$values"].Value = JsonSerializer.Serialize(partition.Values, Json);
            insert.Parameters["$objects"].Value = partition.ObjectCount;
            insert.Parameters["$records"].Value = partition.RecordCount;
            insert.Parameters["$bytes"].Value = partition.SizeBytes;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task DeleteTableAsync(SqliteConnection connection, SqliteTransaction transaction, string db, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM catalog_partitions WHERE database = $database AND name = $name;
            DELETE FROM catalog_table_versions WHERE database = $database AND name = $name;
            DELETE FROM catalog_tables WHERE database = $database AND name = $name;
            """;
        command.Parameters.AddWithValue("$database", db);
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<CatalogTable>> ReadTablesAsync(SqliteConnection connection, SqliteTransaction? transaction, string? db, string? name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var where = new List<string>();
        if (db is not null)
        {
            where.Add("database = $database");
            command.Parameters.AddWithValue("$database", db);
        }

        if (name is not null)
        {
            where.Add("name = $name");
            command.Parameters.AddWithValue("$name", name);
        }

        command.CommandText = $"SELECT * FROM catalog_tables {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY database, name";
        var tables = new List<CatalogTable>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string Text(string column) => reader.GetString(reader.GetOrdinal(column));
            long Number(string column) => reader.GetInt64(reader.GetOrdinal(column));
            var pending = reader.GetOrdinal("pending_change");
            tables.Add(new CatalogTable(
                Text("database"),
                Text("name"),
                Text("location"),
                Text("classification"),
                Text("compression"),
                Deserialize<List<CatalogColumn>>(Text("columns")),
                Deserialize<List<CatalogColumn>>(Text("partition_keys")),
                Number("record_count"),
                Number("size_key"),
                Number("object_count"),
                Enum.Parse<TableStatus>(Text("status")),
                (int)Number("version"),
                ParseTime(Text("created_at")),
                ParseTime(Text("updated_at")),
                ParseTime(Text("last_crawled_at")),
                Guid.Parse(Text("last_crawl_run_id")),
                reader.IsDBNull(pending) ? null : reader.GetString(pending)));
        }

        return tables;
    }

    private static async Task<List<CatalogPartition>> ReadPartitionsAsync(SqliteConnection connection, SqliteTransaction? transaction, string db, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT partition_values, location, object_count, record_count, size_bytes FROM catalog_partitions WHERE database = $database AND name = $name ORDER BY location";
        command.Parameters.AddWithValue("$database", db);
        command.Parameters.AddWithValue("$name", name);
        var partitions = new List<CatalogPartition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            partitions.Add(new CatalogPartition(Deserialize<List<string>>(reader.GetString(0)), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return partitions;
    }

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"A catalog row holds '{json}', not a {typeof(T).Name}.");

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
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
