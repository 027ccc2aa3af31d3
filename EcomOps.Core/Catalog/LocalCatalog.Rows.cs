using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Catalog;

// The catalog's rows: tables, versions and partitions read from and written to the ops database.
internal sealed partial class LocalCatalog
{
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
