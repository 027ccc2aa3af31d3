using System.Diagnostics;
using EcomOps.Core.Security;
using EcomOps.Core.Telemetry;
using EcomOps.Core.Warehouse;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

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
/// The Query capability: runs through the backend's <see cref="IQueryEngine"/> or <see cref="IWarehouse"/>, with the
/// caller's role checked, a per-user rate limit, and every run recorded; history and saved queries are kept by
/// <see cref="QueryStore"/> in the ops database.
/// </summary>
internal sealed class QueryService(IQueryEngine engine, IWarehouse warehouse, QueryStore store, TimeProvider time, IAccess access, ILogger<QueryService> logger, EcomOpsMetrics metrics, QueryRateLimit queryLimit) : IQueryService
{
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

    // Recorded with no token: a cancelled run still gets its history line.
    private async Task RecordAsync(Guid id, QueryRunRequest request, string user, DateTimeOffset started, TimeSpan duration, string status, long rows, string? error, long? bytes)
    {
        metrics.QueryEnded(request.Target.ToString(), status, duration);
        try
        {
            var entry = new QueryHistoryEntry(id, request.Sql, status, started, duration, rows, error, user, request.Source, EngineNameFor(request.Target))
            {
                BytesScanned = bytes,
                Target = request.Target,
            };
            await store.AddHistoryAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            // The answer still reaches the user; only its history line is missing.
            logger.LogWarning(e, "Could not record a query in the history");
        }
    }

    // The reads and writes below await the store rather than return its task, so a refused role faults the task as before
    // instead of throwing at the call.
    public async Task<IReadOnlyList<QueryHistoryEntry>> HistoryAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return await store.HistoryAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueryHistoryEntry?> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return await store.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SavedQuery>> SavedAsync(string? search = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return await store.SavedAsync(search, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SavedQuery?> GetSavedAsync(string name, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return await store.GetSavedAsync(name, cancellationToken).ConfigureAwait(false);
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

        return await store.SaveAsync(name, description, sql, target, user, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteSavedAsync(string name, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.DeleteSavedQuery);
        return await store.DeleteSavedAsync(name, cancellationToken).ConfigureAwait(false);
    }
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
