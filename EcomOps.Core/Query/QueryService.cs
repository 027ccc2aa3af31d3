using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Ops;
using EcomOps.Core.Security;
using EcomOps.Core.Telemetry;
using EcomOps.Core.Warehouse;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Query;

/// <summary>Where a query came from, as its history line says.</summary>
public enum QuerySource
{
    Editor,
    Builder,
    Saved,
    Cli,

    /// <summary>A whole result streamed as a file (the Query page's CSV download).</summary>
    Download,
}

/// <summary>What a query runs on.</summary>
public enum QueryTarget
{
    /// <summary>The lake through the catalog, in Athena's SQL (<see cref="IQueryEngine"/>).</summary>
    Lake,

    /// <summary>The warehouse's tables and its load tables, in Redshift's SQL (<see cref="IWarehouse.QueryAsync"/>).</summary>
    Warehouse,
}

/// <summary>A query to run; who asked is the caller (<see cref="IAccess"/>), recorded in the history.</summary>
/// <param name="Target">The lake (the default) or the warehouse.</param>
public sealed record QueryRunRequest(string Sql, QuerySource Source = QuerySource.Editor, int? MaxRows = null, QueryTarget Target = QueryTarget.Lake);

/// <summary>One line of the query history.</summary>
/// <param name="Status"><c>Succeeded</c>, <c>Failed</c>, <c>Refused</c> or <c>Cancelled</c>.</param>
public sealed record QueryHistoryEntry(Guid Id, string Sql, string Status, DateTimeOffset StartedAt, TimeSpan Duration, long Rows, string? Error, string User, QuerySource Source, string Engine)
{
    /// <summary>What the run read (<see cref="QueryResult.BytesScanned"/>), when known.</summary>
    public long? BytesScanned { get; init; }

    /// <summary>What it ran on; runs from before targets existed were all on the lake.</summary>
    public QueryTarget Target { get; init; }

    /// <summary>What Athena would charge for it, or null.</summary>
    public decimal? CostUsd => BytesScanned is { } bytes ? AthenaPricing.CostUsd(AthenaPricing.BilledBytes(bytes)) : null;
}

/// <summary>A saved query: a name people find it by, what it answers, and its SQL (Athena's for the lake, Redshift's for the warehouse).</summary>
public sealed record SavedQuery(string Name, string Description, string Sql, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    /// <summary>What it runs on.</summary>
    public QueryTarget Target { get; init; }
}

/// <summary>
/// Queries as analysts use them: run (and recorded in the history), and saved by name. Running, saving and deleting
/// saved queries need the Analyst role, reading the history and saved queries Viewer (<see cref="IAccess"/>).
/// </summary>
public interface IQueryService
{
    /// <summary>Which engine answers lake queries: DuckDB locally, Athena on AWS.</summary>
    string EngineName { get; }

    /// <summary>Which engine answers queries on <paramref name="target"/>: <see cref="EngineName"/> for the lake, the warehouse's name for it.</summary>
    string EngineNameFor(QueryTarget target);

    /// <summary>
    /// Runs a query on its target (the backend's engine for the lake, the warehouse's read-only sandbox for the warehouse)
    /// and records it in the history with its target, however it ends.
    /// </summary>
    /// <exception cref="QueryRefusedException">Not one query, or it reaches outside the lake (recorded as Refused).</exception>
    /// <exception cref="QueryFailedException">It failed (recorded as Failed with the message).</exception>
    Task<QueryResult> RunAsync(QueryRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a query with no row cap and streams every row to <paramref name="writer"/> (a CSV download), recorded in
    /// the history like any run.
    /// </summary>
    /// <exception cref="QueryRefusedException">As for <see cref="RunAsync"/>.</exception>
    /// <exception cref="QueryFailedException">As for <see cref="RunAsync"/>.</exception>
    Task<QueryStreamSummary> ExportAsync(QueryRunRequest request, IQueryRowWriter writer, CancellationToken cancellationToken = default);

    /// <summary>The latest runs, newest first.</summary>
    Task<IReadOnlyList<QueryHistoryEntry>> HistoryAsync(int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>One run of the history by its id (<see cref="QueryResult.HistoryId"/>), or null.</summary>
    Task<QueryHistoryEntry?> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Saved queries by name; with <paramref name="search"/>, those whose name, description or SQL contain it (ignoring case).</summary>
    Task<IReadOnlyList<SavedQuery>> SavedAsync(string? search = null, CancellationToken cancellationToken = default);

    /// <summary>A saved query by name (ignoring case), or null.</summary>
    Task<SavedQuery?> GetSavedAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Saves a query under its name, replacing one of the same name.</summary>
    /// <param name="target">What it runs on; the lake by default.</param>
    /// <exception cref="ArgumentException">An empty name or SQL.</exception>
    Task<SavedQuery> SaveAsync(string name, string description, string sql, QueryTarget target = QueryTarget.Lake, CancellationToken cancellationToken = default);

    /// <summary>Deletes a saved query; false when there was none of that name.</summary>
    Task<bool> DeleteSavedAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>
/// The Query capability: runs through the backend's <see cref="IQueryEngine"/> or <see cref="IWarehouse"/>, history and
/// saved queries in the ops database (its own tables). The queries of <c>sql/athena_queries.sql</c> (lake) and
/// <c>sql/redshift_monitoring.sql</c> (warehouse) become saved queries once each.
/// </summary>
internal sealed class QueryService(IQueryEngine engine, IWarehouse warehouse, OpsDatabase database, IOptions<QueryOptions> options, TimeProvider time, IAccess access, ILogger<QueryService> logger, EcomOpsMetrics metrics, QueryRateLimit queryLimit) : IQueryService
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

    private readonly SemaphoreSlim _seedLock = new(1, 1);
    private bool _seeded;

    // The warehouse's sandbox holds a result in memory; a download takes at most this many rows of it.
    private const int WarehouseExportRows = 1_000_000;

    public string EngineName => engine.Name;

    public string EngineNameFor(QueryTarget target) => target == QueryTarget.Warehouse ? warehouse.Name : engine.Name;

    public async Task<QueryResult> RunAsync(QueryRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = Guid.NewGuid();
        var result = await RecordedAsync(request, id, () => request.Target == QueryTarget.Warehouse
                ? warehouse.QueryAsync(request.Sql, request.MaxRows, cancellationToken)
                : engine.RunAsync(request.Sql, request.MaxRows, cancellationToken),
            r => (r.Rows.Count, r.BytesScanned), cancellationToken).ConfigureAwait(false);
        return result with { HistoryId = id };
    }

    public Task<QueryStreamSummary> ExportAsync(QueryRunRequest request, IQueryRowWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(writer);
        return RecordedAsync(request, Guid.NewGuid(), () => request.Target == QueryTarget.Warehouse
                ? ExportWarehouseAsync(request.Sql, writer, cancellationToken)
                : engine.StreamAsync(request.Sql, writer, cancellationToken),
            s => (s.Rows, s.BytesScanned), cancellationToken);
    }

    private async Task<QueryStreamSummary> ExportWarehouseAsync(string sql, IQueryRowWriter writer, CancellationToken cancellationToken)
    {
        var result = await warehouse.QueryAsync(sql, WarehouseExportRows, cancellationToken).ConfigureAwait(false);
        await writer.StartAsync(result.Columns, cancellationToken).ConfigureAwait(false);
        long rows = 0;
        foreach (var row in result.Rows)
        {
            if (!await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            rows++;
        }

        return new QueryStreamSummary(result.Columns, rows, result.Duration, result.EngineSql, null);
    }

    // Every run is a history line, however it ends.
    private async Task<T> RecordedAsync<T>(QueryRunRequest request, Guid id, Func<Task<T>> run, Func<T, (long Rows, long? Bytes)> outcome, CancellationToken cancellationToken)
    {
        var user = access.Demand(CoreAction.RunQuery).Name;
        queryLimit.Acquire(user);
        var started = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var result = await run().ConfigureAwait(false);
            var (rows, bytes) = outcome(result);
            await RecordAsync(id, request, user, started, stopwatch.Elapsed, "Succeeded", rows, null, bytes).ConfigureAwait(false);
            return result;
        }
        catch (QueryRefusedException e)
        {
            await RecordAsync(id, request, user, started, stopwatch.Elapsed, "Refused", 0, e.Message, null).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await RecordAsync(id, request, user, started, stopwatch.Elapsed, "Cancelled", 0, "Cancelled by the user.", null).ConfigureAwait(false);
            throw;
        }
        catch (QueryFailedException e)
        {
            await RecordAsync(id, request, user, started, stopwatch.Elapsed, "Failed", 0, e.Message, null).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<IReadOnlyList<QueryHistoryEntry>> HistoryAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HistoryColumns} FROM query_history ORDER BY started_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 10_000));
        return await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueryHistoryEntry?> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HistoryColumns} FROM query_history WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return (await ReadHistoryAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private const string HistoryColumns = "id, sql, status, started_at, duration_ms, rows, error, user_name, source, engine, bytes_scanned, target";

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

    public async Task<IReadOnlyList<SavedQuery>> SavedAsync(string? search = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
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

    public async Task<SavedQuery?> GetSavedAsync(string name, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, description, sql, updated_at, updated_by, target FROM saved_queries WHERE name = $name";
        command.Parameters.AddWithValue("$name", name.Trim());
        return (await ReadSavedAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<SavedQuery> SaveAsync(string name, string description, string sql, QueryTarget target = QueryTarget.Lake, CancellationToken cancellationToken = default)
    {
        var user = access.Demand(CoreAction.SaveQuery).Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A saved query needs a name.");
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException($"Saved query '{name}' has no SQL.");
        }

        await SeedExamplesAsync(cancellationToken).ConfigureAwait(false);
        var saved = new SavedQuery(name.Trim(), description.Trim(), sql.Trim(), time.GetUtcNow(), user) { Target = target };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await UpsertAsync(connection, null, saved, cancellationToken).ConfigureAwait(false);
        return saved;
    }

    public async Task<bool> DeleteSavedAsync(string name, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.DeleteSavedQuery);
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

    private async Task RecordAsync(Guid id, QueryRunRequest request, string user, DateTimeOffset started, TimeSpan duration, string status, long rows, string? error, long? bytes)
    {
        metrics.QueryEnded(request.Target.ToString(), status, duration);
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO query_history (id, sql, status, started_at, duration_ms, rows, error, user_name, source, engine, bytes_scanned, target)
                VALUES ($id, $sql, $status, $started_at, $duration_ms, $rows, $error, $user, $source, $engine, $bytes, $target)
                """;
            command.Parameters.AddWithValue("$id", id.ToString());
            // The history keeps the statement and error with secrets masked; the run itself had the text as written.
            command.Parameters.AddWithValue("$sql", SecretRedactor.Redact(request.Sql));
            command.Parameters.AddWithValue("$status", status);
            command.Parameters.AddWithValue("$started_at", Time(started));
            command.Parameters.AddWithValue("$duration_ms", (long)duration.TotalMilliseconds);
            command.Parameters.AddWithValue("$rows", rows);
            command.Parameters.AddWithValue("$error", (object?)SecretRedactor.Redact(error) ?? DBNull.Value);
            command.Parameters.AddWithValue("$user", user);
            command.Parameters.AddWithValue("$source", request.Source.ToString());
            command.Parameters.AddWithValue("$engine", EngineNameFor(request.Target));
            command.Parameters.AddWithValue("$bytes", (object?)bytes ?? DBNull.Value);
            command.Parameters.AddWithValue("$target", request.Target.ToString());
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            // The answer still reaches the user; only its history line is missing.
            logger.LogWarning(e, "Could not record a query in the history");
        }
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

/// <summary>The queries of <c>sql/athena_queries.sql</c> and <c>sql/redshift_monitoring.sql</c>: a <c>-- name: X</c> line, comment lines describing it, then its SQL.</summary>
public static class ExampleQueries
{
    public static IReadOnlyList<(string Name, string Description, string Sql)> Parse(string text)
    {
        var queries = new List<(string, string, string)>();
        string? name = null;
        var description = new List<string>();
        var sql = new List<string>();
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Append("-- name: "))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("-- name:", StringComparison.Ordinal))
            {
                if (name is not null && sql.Count > 0)
                {
                    queries.Add((name, string.Join(' ', description), string.Join('\n', sql).Trim().TrimEnd(';').Trim()));
                }

                name = line["-- name:".Length..].Trim();
                description.Clear();
                sql.Clear();
            }
            else if (name is not null && line.StartsWith("--", StringComparison.Ordinal) && sql.Count == 0)
            {
                description.Add(line[2..].Trim());
            }
            else if (name is not null && (line.Length > 0 || sql.Count > 0))
            {
                sql.Add(line);
            }
        }

        return queries;
    }
}
