using System.Globalization;
using EcomOps.Core.Ops;
using EcomOps.Core.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Query;

/// <summary>
/// The Query capability's tables in the ops database: the history of runs and the saved queries, with the queries of
/// <c>sql/athena_queries.sql</c> (lake) and <c>sql/redshift_monitoring.sql</c> (warehouse) saved once each. Statements
/// and errors are written with their secrets masked. Who may read or write is <see cref="QueryService"/>'s to check.
/// </summary>
internal sealed class QueryStore(OpsDatabase database, IOptions<QueryOptions> options, TimeProvider time, ILogger<QueryStore> logger)
{
    /// <summary>The Query capability's tables.</summary>
    public static OpsSchema Schema { get; } = new("query",
    [
        """
        CREATE TABLE query_history (
            id TEXT PRIMARY KEY,
            sql TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            error TEXT,
            user_name TEXT NOT NULL,
            source TEXT NOT NULL,
            engine TEXT NOT NULL
        );
        CREATE INDEX ix_query_history_started_at ON query_history (started_at DESC);
        CREATE TABLE saved_queries (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            description TEXT NOT NULL,
            sql TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE TABLE query_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,

        // 2: what each run read, for its cost in the history.
        "ALTER TABLE query_history ADD COLUMN bytes_scanned INTEGER;",

        // 3: what a run and a saved query run on; everything before was on the lake.
        """
        ALTER TABLE query_history ADD COLUMN target TEXT NOT NULL DEFAULT 'Lake';
        ALTER TABLE saved_queries ADD COLUMN target TEXT NOT NULL DEFAULT 'Lake';
        """,
    ]);

    private const string HistoryColumns = "id, sql, status, started_at, duration_ms, rows, error, user_name, source, engine, bytes_scanned, target";

    private readonly SemaphoreSlim _seedLock = new(1, 1);
    private bool _seeded;

    /// <summary>Adds one run to the history.</summary>
    public async Task AddHistoryAsync(QueryHistoryEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO query_history (id, sql, status, started_at, duration_ms, rows, error, user_name, source, engine, bytes_scanned, target)
            VALUES ($id, $sql, $status, $started_at, $duration_ms, $rows, $error, $user, $source, $engine, $bytes, $target)
            """;
        command.Parameters.AddWithValue("$id", entry.Id.ToString());
        // The history keeps the statement with secrets masked; the run itself had the text as written. Errors come from
        // the query exceptions, which mask their messages themselves.
        command.Parameters.AddWithValue("$sql", SecretRedactor.Redact(entry.Sql));
        command.Parameters.AddWithValue("$status", entry.Status);
        command.Parameters.AddWithValue("$started_at", Time(entry.StartedAt));
        command.Parameters.AddWithValue("$duration_ms", (long)entry.Duration.TotalMilliseconds);
        command.Parameters.AddWithValue("$rows", entry.Rows);
        command.Parameters.AddWithValue("$error", (object?)entry.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$user", entry.User);
        command.Parameters.AddWithValue("$source", entry.Source.ToString());
        command.Parameters.AddWithValue("$engine", entry.Engine);
        command.Parameters.AddWithValue("$bytes", (object?)entry.BytesScanned ?? DBNull.Value);
        command.Parameters.AddWithValue("$target", entry.Target.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest runs, newest first; <paramref name="limit"/> is kept within 1 to 10,000.</summary>
    public async Task<IReadOnlyList<QueryHistoryEntry>> HistoryAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HistoryColumns} FROM query_history ORDER BY started_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 10_000));
        return await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run by its id, or null.</summary>
    public async Task<QueryHistoryEntry?> GetHistoryAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HistoryColumns} FROM query_history WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return (await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Saved queries by name; with <paramref name="search"/>, those whose name, description or SQL contain it (ignoring case).</summary>
    public async Task<IReadOnlyList<SavedQuery>> SavedAsync(string? search, CancellationToken cancellationToken)
    {
        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, description, sql, updated_at, updated_by, target FROM saved_queries";
        if (!string.IsNullOrWhiteSpace(search))
        {
            // instr over lower(): a search for '%' or '_' finds those characters, not every query.
            command.CommandText += " WHERE instr(lower(name), $s) > 0 OR instr(lower(description), $s) > 0 OR instr(lower(sql), $s) > 0";
            command.Parameters.AddWithValue("$s", search.Trim().ToLowerInvariant());
        }

        command.CommandText += " ORDER BY name COLLATE NOCASE";
        return await ReadSavedAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A saved query by name (ignoring case), or null.</summary>
    public async Task<SavedQuery?> GetSavedAsync(string name, CancellationToken cancellationToken)
    {
        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, description, sql, updated_at, updated_by, target FROM saved_queries WHERE name = $name";
        command.Parameters.AddWithValue("$name", name.Trim());
        return (await ReadSavedAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <summary>Saves a query under its name (trimmed), stamped now by <paramref name="user"/>, replacing one of the same name.</summary>
    public async Task<SavedQuery> SaveAsync(string name, string description, string sql, QueryTarget target, string user, CancellationToken cancellationToken)
    {
        // The examples go in first, so a query saved under an example's name replaces it rather than being replaced.
        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        var saved = new SavedQuery(name.Trim(), description.Trim(), sql.Trim(), time.GetUtcNow(), user) { Target = target };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await UpsertAsync(connection, null, saved, cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Deletes a saved query; false when there was none of that name.</summary>
    public async Task<bool> DeleteSavedAsync(string name, CancellationToken cancellationToken)
    {
        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM saved_queries WHERE name = $name";
        command.Parameters.AddWithValue("$name", name.Trim());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    // Once per ops database and file, ever: a user who deletes an example does not get it back at the next start. Each file
    // has its own mark, so a database seeded before the warehouse's queries existed gets them once too.
    private async Task SeedExamplesAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _seeded))
        {
            return;
        }

        await _seedLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_seeded)
            {
                return;
            }

            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await SeedAsync(connection, transaction, "examples_seeded", options.Value.ExampleQueriesFullPath, QueryTarget.Lake, cancellationToken).ConfigureAwait(false);
            await SeedAsync(connection, transaction, "warehouse_examples_seeded", options.Value.WarehouseQueriesFullPath, QueryTarget.Warehouse, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _seeded = true;
        }
        finally
        {
            _seedLock.Release();
        }
    }

    private async Task SeedAsync(SqliteConnection connection, SqliteTransaction transaction, string mark, string path, QueryTarget target, CancellationToken cancellationToken)
    {
        await using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT count(*) FROM query_meta WHERE key = $key";
            check.Parameters.AddWithValue("$key", mark);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        var examples = File.Exists(path) ? ExampleQueries.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)) : [];
        if (examples.Count == 0)
        {
            logger.LogWarning("No example queries at {Path}; no {Target} queries are saved from it", path, target);
        }

        foreach (var example in examples)
        {
            await UpsertAsync(connection, transaction, new SavedQuery(example.Name, example.Description, example.Sql, time.GetUtcNow(), "system") { Target = target }, cancellationToken).ConfigureAwait(false);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO query_meta (key, value) VALUES ($key, $at)";
        insert.Parameters.AddWithValue("$key", mark);
        insert.Parameters.AddWithValue("$at", Time(time.GetUtcNow()));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<QueryHistoryEntry>> ReadHistoryAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<QueryHistoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new QueryHistoryEntry(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.GetString(2),
                ParseTime(reader.GetString(3)),
                TimeSpan.FromMilliseconds(reader.GetInt64(4)),
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7),
                Enum.Parse<QuerySource>(reader.GetString(8)),
                reader.GetString(9))
            {
                BytesScanned = reader.IsDBNull(10) ? null : reader.GetInt64(10),
                Target = Enum.Parse<QueryTarget>(reader.GetString(11)),
            });
        }

        return entries;
    }

    private static async Task UpsertAsync(SqliteConnection connection, SqliteTransaction? transaction, SavedQuery query, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO saved_queries (name, description, sql, updated_at, updated_by, target) VALUES ($name, $description, $sql, $updated_at, $updated_by, $target)
            ON CONFLICT (name) DO UPDATE SET description = excluded.description, sql = excluded.sql, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
                target = excluded.target
            """;
        command.Parameters.AddWithValue("$name", query.Name);
        // A saved query is kept with its secrets masked, like the history: the ops database holds none.
        command.Parameters.AddWithValue("$description", SecretRedactor.Redact(query.Description));
        command.Parameters.AddWithValue("$sql", SecretRedactor.Redact(query.Sql));
        command.Parameters.AddWithValue("$updated_at", Time(query.UpdatedAt));
        command.Parameters.AddWithValue("$updated_by", query.UpdatedBy);
        command.Parameters.AddWithValue("$target", query.Target.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<SavedQuery>> ReadSavedAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var saved = new List<SavedQuery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            saved.Add(new SavedQuery(reader.GetString(0), reader.GetString(1), reader.GetString(2), ParseTime(reader.GetString(3)), reader.GetString(4))
            {
                Target = Enum.Parse<QueryTarget>(reader.GetString(5)),
            });
        }

        return saved;
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

