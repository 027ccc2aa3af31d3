using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using EcomOps.Core.Catalog;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Query;

/// <summary>
/// The Local backend's query engine: DuckDB in this process, one in-memory database per query, over views of
/// the catalog's tables, sandboxed to the lake. Athena SQL is translated by <see cref="AthenaSqlTranslator"/>.
/// </summary>
internal sealed class DuckDbQueryEngine(ICatalog catalog, IObjectStore lake, IOptions<EcomOpsOptions> options, IOptions<QueryOptions> queryOptions, ILogger<DuckDbQueryEngine> logger) : IQueryEngine, IDisposable
{
    // The next query's database, opened and sandboxed ahead on another thread (~13 ms off each query's path).
    // One query at a time takes it; the others open their own as before.
    private Task<Sandboxed>? _next;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Task> _cleanups = new();
    private long _cleanupIds;

    private sealed record Sandboxed(DuckDBConnection Connection, string Profile);

    public string Name => "DuckDB (local)";

    public async Task<QueryResult> RunAsync(string sql, int? maxRows, CancellationToken cancellationToken)
    {
        var settings = queryOptions.Value;
        var rows = new QueryRowCollector(Math.Clamp(maxRows ?? settings.MaxRows, 1, settings.MaxRows));
        var summary = await StreamAsync(sql, rows, cancellationToken).ConfigureAwait(false);
        return new QueryResult(summary.Columns, rows.Rows, rows.Truncated, summary.Duration, summary.EngineSql) { BytesScanned = summary.BytesScanned };
    }

    public async Task<QueryStreamSummary> StreamAsync(string sql, IQueryRowWriter writer, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(writer);
        var settings = queryOptions.Value;
        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var sandboxed = TakeSandboxed(settings);
        try
        {
            return await RunSandboxedAsync(sandboxed.Connection, sql, writer, settings, sandboxed.Profile, stopwatch, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Closing a database and deleting its profile take ~10 ms; the answer need not wait for them, but Dispose does.
            Track(Task.Run(() =>
            {
                sandboxed.Connection.Dispose();
                TryDelete(sandboxed.Profile);
            }, CancellationToken.None));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _next, null) is { } next)
        {
            Track(DisposeWhenDone(next));
        }

        // The databases still closing in the background: their files are under the data root, which may be deleted next.
        Task.WhenAll(_cleanups.Values).Wait(TimeSpan.FromSeconds(5));
    }

    private void Track(Task cleanup)
    {
        var id = Interlocked.Increment(ref _cleanupIds);
        _cleanups[id] = cleanup;
        cleanup.ContinueWith(_ => _cleanups.TryRemove(id, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // The database prepared ahead when it is ready, else a new one; then the next one is prepared.
    private Sandboxed TakeSandboxed(QueryOptions settings)
    {
        Sandboxed taken;
        var ready = Interlocked.Exchange(ref _next, null);
        if (ready is { IsCompletedSuccessfully: true })
        {
            taken = ready.Result;
        }
        else
        {
            if (ready is not null)
            {
                Track(DisposeWhenDone(ready));
            }

            taken = OpenSandboxed(settings);
        }

        var next = Task.Run(() => OpenSandboxed(settings));
        if (Interlocked.CompareExchange(ref _next, next, null) is not null)
        {
            Track(DisposeWhenDone(next));
        }

        return taken;
    }

    private Task DisposeWhenDone(Task<Sandboxed> prepared) => prepared.ContinueWith(t =>
    {
        if (t.IsCompletedSuccessfully)
        {
            t.Result.Connection.Dispose();
            TryDelete(t.Result.Profile);
        }
    }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    // Each query's profile goes to a folder of its own, the only place outside the lake DuckDB may touch.
    private Sandboxed OpenSandboxed(QueryOptions settings)
    {
        var profile = Directory.CreateDirectory(Path.Combine(options.Value.DataRootFullPath, "duckdb-home", "profiles", Guid.NewGuid().ToString("N"))).FullName;
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            Sandbox(connection, settings, profile);
            return new Sandboxed(connection, profile);
        }
        catch
        {
            connection.Dispose();
            TryDelete(profile);
            throw;
        }
    }

    private static async Task InterruptUntilEndedAsync(DuckDBCommand command, CancellationToken ended)
    {
        try
        {
            while (!ended.IsCancellationRequested)
            {
                command.Cancel();
                await Task.Delay(TimeSpan.FromMilliseconds(100), ended).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The statement has ended (and its command may be gone).
        }
    }

    private async Task<QueryStreamSummary> RunSandboxedAsync(DuckDBConnection connection, string sql, IQueryRowWriter writer, QueryOptions settings, string profile, Stopwatch stopwatch, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var parsed = QueryGate.Check(connection, sql);
        var (tableFiles, types) = await CreateViewsAsync(connection, AthenaSqlTranslator.TablesOf(parsed.Tree), timeout.Token).ConfigureAwait(false);
        var engineSql = AthenaSqlTranslator.Rewrite(connection, parsed, types);

        // DuckDB.NET runs queries synchronously; a cancel from the token interrupts the running statement. Rows go to
        // the writer as DuckDB hands them over, so a download never holds the whole result.
        return await Task.Run(async () =>
        {
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = engineSql;

                // DuckDB's interrupt applies to a running statement only, so one that lands just before the statement
                // starts is lost (seen on a busy CI machine: a cancelled count ran on): once cancelled, interrupt again
                // until the statement has ended.
                using var ended = new CancellationTokenSource();
                using var registration = timeout.Token.Register(() => _ = InterruptUntilEndedAsync(command, ended.Token));
                try
                {
                    timeout.Token.ThrowIfCancellationRequested();
                    using var reader = command.ExecuteReader();
                    var (columns, count, stopped) = await ReadRowsAsync(reader, writer, timeout.Token).ConfigureAwait(false);
                    reader.Dispose();
                    var bytes = ScannedBytes.FromProfile(connection, Path.Combine(profile, "profile.json"), tableFiles, logger);
                    logger.LogInformation("Query ran in {Duration}: {Rows} rows{Stopped}, {Bytes} bytes read", stopwatch.Elapsed, count, stopped ? " (stopped at the row limit)" : "", bytes);
                    return new QueryStreamSummary(columns, count, stopwatch.Elapsed, engineSql, bytes);
                }
                finally
                {
                    await ended.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is DuckDBException or OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new QueryFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"The query ran longer than {settings.TimeoutSeconds} s (EcomOps:Query:TimeoutSeconds) and was stopped."));
            }
            catch (Exception e) when (e is DuckDBException or OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The query was cancelled.", cancellationToken);
            }
            catch (DuckDBException e)
            {
                throw Explain(e);
            }
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Hands a reader's rows to the writer until it has enough; the columns carry Athena's type names.</summary>
    internal static async Task<(List<QueryColumn> Columns, long Rows, bool Stopped)> ReadRowsAsync(DuckDBDataReader reader, IQueryRowWriter writer, CancellationToken cancellationToken)
    {
        var schema = reader.GetSchemaTable();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(i => new QueryColumn(reader.GetName(i), AthenaTypes.FromReader(reader, schema, i))).ToList();
        await writer.StartAsync(columns, cancellationToken).ConfigureAwait(false);
        long count = 0;
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            if (!await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false))
            {
                return (columns, count, true);
            }

            count++;
        }

        return (columns, count, false);
    }

    // The order matters: allowed_directories cannot change once external access is off, and nothing can once locked.
    private void Sandbox(DuckDBConnection connection, QueryOptions settings, string profile)
    {
        var root = options.Value;
        var home = Directory.CreateDirectory(Path.Combine(root.DataRootFullPath, "duckdb-home")).FullName;
        var lakeDirectory = root.LakeFullPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        Execute(connection, $"SET allowed_directories = [{Literal(lakeDirectory)}, {Literal(profile + Path.DirectorySeparatorChar)}]");
        Execute(connection, "SET enable_external_access = false");
        Execute(connection, "SET autoinstall_known_extensions = false");
        Execute(connection, "SET autoload_known_extensions = false");
        Execute(connection, $"SET home_directory = {Literal(home)}");
        Execute(connection, "SET TimeZone = 'UTC'");
        Execute(connection, $"SET memory_limit = {Literal(settings.MemoryLimit)}");
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"SET threads = {settings.Threads}"));

        // The profile of the last statement (the user's) says how many bytes it read: the honest "bytes scanned".
        Execute(connection, "SET enable_profiling = 'json'");
        Execute(connection, $"SET profiling_output = {Literal(Path.Combine(profile, "profile.json"))}");
        Execute(connection, "SET lock_configuration = true");
    }

    // Views only of the tables the statement names: each one lists its files, as Athena does at every query.
    private async Task<(List<IReadOnlyList<string>> Files, ColumnTypes Types)> CreateViewsAsync(DuckDBConnection connection, IReadOnlyList<(string? Schema, string Table)> referenced, CancellationToken cancellationToken)
    {
        var viewFiles = new List<IReadOnlyList<string>>();
        var types = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var tables = await catalog.ListTablesAsync(null, cancellationToken).ConfigureAwait(false);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var schemas = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (schema, name) in referenced)
        {
            var table = tables.Where(t => t.Name == name && (schema is null || t.Database == schema) && t.Status == TableStatus.Active)
                .OrderBy(t => t.Database == CrawlOptions.DefaultDatabase ? 0 : 1)
                .FirstOrDefault();
            if (table is null || !created.Add(table.FullName))
            {
                continue;
            }

            var files = await FilesOfAsync(table, cancellationToken).ConfigureAwait(false);
            if (files.Count == 0)
            {
                continue;
            }

            viewFiles.Add(files);

            // The views' column types, by column name, for the rewrites whose answer depends on a type. From the catalog:
            // asking DuckDB (duckdb_columns) would bind every view, reading footers, about 10 ms a query.
            foreach (var (column, type) in table.Columns.Select(c => (c.Name, DuckDbType(c.Type))).Concat(table.PartitionKeys.Select(k => (k.Name, "VARCHAR"))))
            {
                if (!types.TryGetValue(column.ToLowerInvariant(), out var set))
                {
                    types[column.ToLowerInvariant()] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                }

                set.Add(type);
            }

            if (schemas.Add(table.Database))
            {
                Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {Identifier(table.Database)}");
            }

            var list = "[" + string.Join(", ", files.Select(Literal)) + "]";
            var source = table.Classification == "csv"
                ? $"read_csv({list}, header = true, columns = {{{string.Join(", ", table.Columns.Select(c => $"{Literal(c.SourceName)}: {Literal(DuckDbType(c.Type))}"))}}})"
                : table.PartitionKeys.Count == 0
                    ? $"read_parquet({list})"
                    : $"read_parquet({list}, hive_partitioning = true, hive_types = {{{string.Join(", ", table.PartitionKeys.Select(k => $"{Literal(k.SourceName)}: 'VARCHAR'"))}}})";
            var columns = table.Columns.Concat(table.PartitionKeys).Select(c => $"{Identifier(c.SourceName)} AS {Identifier(c.Name)}");
            var view = $"CREATE VIEW {Identifier(table.Database)}.{Identifier(table.Name)} AS SELECT {string.Join(", ", columns)} FROM {source}";
            Execute(connection, view);

            // Unqualified names resolve too, as in Athena with the database selected.
            if (schema is null && table.Database != "main")
            {
                Execute(connection, $"CREATE VIEW IF NOT EXISTS main.{Identifier(table.Name)} AS SELECT * FROM {Identifier(table.Database)}.{Identifier(table.Name)}");
            }
        }

        return (viewFiles, new ColumnTypes(types.ToDictionary(t => t.Key, t => (IReadOnlySet<string>)t.Value, StringComparer.Ordinal)));
    }

    private async Task<IReadOnlyList<string>> FilesOfAsync(CatalogTable table, CancellationToken cancellationToken) =>
        (await TableFiles.ListAsync(lake, table, cancellationToken).ConfigureAwait(false))
            .Select(o => Path.Combine(options.Value.LakeFullPath, o.Key.Replace('/', Path.DirectorySeparatorChar)))
            .ToList();

    private void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException e)
        {
            logger.LogDebug(e, "Could not delete {Folder}", folder);
        }
    }

    private static string DuckDbType(string athena) => athena switch
    {
        "string" => "VARCHAR",
        "int" => "INTEGER",
        _ => athena.ToUpperInvariant(),
    };

    private static Exception Explain(DuckDBException e)
    {
        var message = e.Message.Split('\n')[0];
        if (message.Contains("Permission Error", StringComparison.Ordinal) || message.Contains("disabled by configuration", StringComparison.Ordinal))
        {
            // The sandbox's refusal, should a file read pass the gate.
            return QueryRules.Refuse(QueryRule.NoFileAccess, $"the engine refused to read outside the lake ({message}).");
        }

        if (message.StartsWith("Catalog Error: Table with name", StringComparison.Ordinal))
        {
            return new QueryFailedException($"{message} Queries see the catalog's tables: crawl the lake first (Catalog page or ecomops crawl).", e);
        }

        if (message.Contains("Function with name", StringComparison.Ordinal) && message.Contains("does not exist", StringComparison.Ordinal))
        {
            return new QueryFailedException($"{message} It is not available in the local engine (DuckDB); if Athena has it, the query would run on AWS.", e);
        }

        return new QueryFailedException(message, e);
    }
}
