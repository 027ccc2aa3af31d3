using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Warehouse;

// COPY into the local warehouse: one DuckDB transaction per load, rolled back unless every row that is not rejected went in.
internal sealed partial class LocalWarehouse
{
    private const int MaxRawLength = 1024;
    private const int ProgressEveryRows = 65_536;

    public async Task<LoadOutcome> CopyAsync(CopyStatement copy, LoadRunContext run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(run);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _activeLoads);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_initialized)
            {
                await InitOnAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            var plan = await PlanAsync(connection, copy, run.ReplaceRows, cancellationToken).ConfigureAwait(false);
            return await LoadAsync(connection, copy, plan, run, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _activeLoads);
            _writer.Release();
        }
    }

    private sealed record LoadPlan(string Schema, string Table, IReadOnlyList<WarehouseColumn> TableColumns, int[] FieldOfColumn, IReadOnlyList<WarehouseColumn> Loaded, IReadOnlyList<ObjectInfo> Files, List<string> Warnings)
    {
        public string FullName => $"{Schema}.{Table}";
    }

    // Everything that can be known before reading a row: refused here, nothing is recorded or loaded.
    private async Task<LoadPlan> PlanAsync(DuckDBConnection connection, CopyStatement copy, bool replaceRows, CancellationToken cancellationToken)
    {
        var schema = copy.Target.Schema ?? DefaultSchema;
        var table = copy.Target.Name;
        if (!UserTables(connection).Contains((schema, table)))
        {
            var known = string.Join(", ", UserTables(connection).Select(t => $"{t.Schema}.{t.Name}"));
            throw new LoadRefusedException($"The warehouse has no table {schema}.{table} (it has: {(known.Length == 0 ? "none" : known)}). Run ecomops warehouse init, or create the table first.");
        }

        var columns = Columns(connection, schema, table);
        var loaded = new List<WarehouseColumn>();
        foreach (var name in copy.Columns)
        {
            var column = columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new LoadRefusedException($"Column '{name}' of the column list is not in {schema}.{table} (its columns: {string.Join(", ", columns.Select(c => c.Name))}).");
            loaded.Add(column);
        }

        if (loaded.Count == 0)
        {
            loaded.AddRange(columns);
        }

        var fieldOf = columns.Select(c => loaded.FindIndex(l => l.Name == c.Name)).ToArray();
        foreach (var missing in columns.Where((c, i) => fieldOf[i] < 0 && c.NotNull))
        {
            throw new LoadRefusedException($"Column {missing.Name} of {schema}.{table} is NOT NULL and not in the column list; add it to the list.");
        }

        if (copy.Options.Format != CopyFormat.Parquet && copy.Options.Compression is CopyCompression.Bzip2 or CopyCompression.Zstd)
        {
            throw new LoadRefusedException($"{copy.Options.Compression.ToString().ToUpperInvariant()} files cannot be read by the local warehouse; load them uncompressed or GZIP-compressed (Redshift reads all three).");
        }

        var files = await SourceFilesAsync(copy.Source, cancellationToken).ConfigureAwait(false);
        var warnings = copy.Warnings.Select(w => w.ToString()).ToList();
        // Replacing the rows loads the files once whatever was loaded before: no duplicates to warn of.
        var again = replaceRows ? [] : AlreadyLoaded(connection, $"{schema}.{table}", files);
        if (again.Count > 0)
        {
            var list = string.Join(", ", again.Take(5)) + (again.Count > 5 ? $" and {again.Count - 5} more" : "");
            if (options.Value.RefuseDuplicateLoads)
            {
                throw new LoadRefusedException($"{again.Count} of these files were loaded into {schema}.{table} before, unchanged: {list}. EcomOps:Warehouse:RefuseDuplicateLoads is on; turn it off to load them again.");
            }

            warnings.Add($"{again.Count} of these files were loaded into {schema}.{table} before, unchanged: {list}. Their rows are in the table twice now.");
        }

        return new LoadPlan(schema, table, columns, fieldOf, loaded, files, warnings);
    }

    private async Task<LoadOutcome> LoadAsync(DuckDBConnection connection, CopyStatement copy, LoadPlan plan, LoadRunContext run, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        var queryId = Convert.ToInt64(Scalar(connection, "SELECT nextval('main.ecomops_query_id')"), CultureInfo.InvariantCulture);
        var tableId = Convert.ToInt32(Scalar(connection, $"SELECT table_id FROM main.ecomops_tables WHERE schema_name = {Literal(plan.Schema)} AND table_name = {Literal(plan.Table)}") ?? 0, CultureInfo.InvariantCulture);
        var format = copy.Options.Format == CopyFormat.Parquet ? "parquet" : copy.Options.Format == CopyFormat.Csv ? "csv" : "text";
        var sourceBytes = plan.Files.Sum(f => f.Size);
        var history = new HistoryRow(queryId, plan.FullName, started, SecretRedactor.Redact(copy.Source.Uri), format, plan.Files.Count, sourceBytes, run.CopyJobId);

        // The running line is committed first, so ops staff see the load while it runs.
        InsertHistory(connection, history with { Status = LoadStatus.Running });
        logger.LogInformation("Load {QueryId}: COPY {Table} from {Source} ({Files} files, {Bytes} bytes, {Format})", queryId, plan.FullName, history.Source, plan.Files.Count, sourceBytes, format);

        var tally = new LoadTally(plan.Files.Count, sourceBytes, run.Progress);
        string status;
        string? message = null;
        string? rowByRow = null;
        var finished = false;
        BeginLoad(connection, plan, run.ReplaceRows && !copy.Options.NoLoad);
        try
        {
            if (copy.Options.Format == CopyFormat.Parquet)
            {
                LoadParquet(connection, plan, tally, cancellationToken);
            }
            else
            {
                var path = options.Value.FastCsv
                    ? await TryLoadCsvFastAsync(connection, copy.Options, plan, tally, cancellationToken).ConfigureAwait(false)
                    : new CsvPath(false, "EcomOps:Warehouse:FastCsv is off");
                if (!path.Fast)
                {
                    rowByRow = path.Reason;
                    // Nothing of the attempt stays: the files are read again, row by row, in a new transaction.
                    logger.LogInformation("Load {QueryId}: reading row by row ({Reason})", queryId, path.Reason);
                    TryRollback(connection);
                    BeginLoad(connection, plan, run.ReplaceRows && !copy.Options.NoLoad);
                    tally = new LoadTally(plan.Files.Count, sourceBytes, run.Progress);
                    await LoadDelimitedAsync(connection, copy.Options, plan, tally, cancellationToken).ConfigureAwait(false);
                }
            }

            if (tally.Errors.Count > copy.Options.MaxError)
            {
                status = LoadStatus.Aborted;
                message = string.Create(CultureInfo.InvariantCulture,
                    $"Load into table '{plan.Table}' failed: {tally.Errors.Count} rows were rejected, more than MAXERROR {copy.Options.MaxError}. Nothing was loaded; check stl_load_errors (query {queryId}).");
                Execute(connection, "ROLLBACK");
            }
            else if (copy.Options.NoLoad)
            {
                status = LoadStatus.Completed;
                message = string.Create(CultureInfo.InvariantCulture,
                    $"NOLOAD: {tally.Rows:N0} rows would load and {tally.Errors.Count:N0} would be rejected (MAXERROR {copy.Options.MaxError}); nothing was loaded.");
                Execute(connection, "ROLLBACK");
            }
            else
            {
                RecordLoadedFiles(connection, queryId, plan, started);
                status = LoadStatus.Completed;

                // The history line commits with the rows: killed between two commits, the rows would be in under a line that
                // the next open marks aborted.
                Finish(connection, history, tally, status, stopwatch.Elapsed, copy.Options.NoLoad, queryId, tableId, started, ownTransaction: false);
                Execute(connection, "COMMIT");
                finished = true;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DuckDBException or IOException or InvalidDataException)
        {
            TryRollback(connection);
            var cancelled = e is OperationCanceledException;
            status = cancelled ? LoadStatus.Aborted : LoadStatus.Failed;
            // DuckDB's and the reader's errors quote what they read: masked before they reach the run, the tables and the log.
            var reason = SecretRedactor.Redact(e.Message.Split('\n')[0]);
            message = cancelled ? "Cancelled; nothing was loaded." : $"Load into table '{plan.Table}' failed: {reason} Nothing was loaded.";
            if (!cancelled && tally.Errors.Count == 0)
            {
                tally.Errors.Add(new RejectedRow(tally.CurrentFile is { } key ? $"s3://{root.Value.LakeBucket}/{key}" : history.Source, 0, "", "", "", "", "", new LoadFieldError(copy.Options.Format == CopyFormat.Parquet ? 15001 : 8001, Shorten(reason, 100))));
            }

            Finish(connection, history, tally, status, stopwatch.Elapsed, copy.Options.NoLoad, queryId, tableId, started);
            if (cancelled)
            {
                throw;
            }

            logger.LogWarning(SecretRedactor.ForLog(e), "Load {QueryId} into {Table} failed", queryId, plan.FullName);
            return Outcome(queryId, status, plan, tally, stopwatch.Elapsed, copy.Options.NoLoad, message) with { RowByRowReason = rowByRow };
        }

        if (!finished)
        {
            Finish(connection, history, tally, status, stopwatch.Elapsed, copy.Options.NoLoad, queryId, tableId, started);
        }

        logger.LogInformation("Load {QueryId} {Status}: {Rows} rows, {Errors} rejected, in {Duration}", queryId, status, tally.Rows, tally.Errors.Count, stopwatch.Elapsed);
        return Outcome(queryId, status, plan, tally, stopwatch.Elapsed, copy.Options.NoLoad, message) with { RowByRowReason = rowByRow };
    }

    private static LoadOutcome Outcome(long queryId, string status, LoadPlan plan, LoadTally tally, TimeSpan duration, bool noLoad, string? message) =>
        new(queryId, status, plan.FullName, status == LoadStatus.Completed && !noLoad ? tally.Rows : 0, status == LoadStatus.Completed && !noLoad ? tally.Bytes : 0,
            plan.Files.Count, tally.Errors.Count, duration, noLoad, plan.Warnings, message);

    // Redshift maps a Parquet file's columns to the table's by position; a mismatch or a value that does not fit fails the COPY.
    private void LoadParquet(DuckDBConnection connection, LoadPlan plan, LoadTally tally, CancellationToken cancellationToken)
    {
        var target = $"{Identifier(plan.Schema)}.{Identifier(plan.Table)} ({string.Join(", ", plan.Loaded.Select(c => Identifier(c.Name)))})";
        foreach (var file in plan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tally.StartFile(file);
            var localPath = Path.Combine(root.Value.LakeFullPath, file.Key.Replace('/', Path.DirectorySeparatorChar));
            var path = Literal(localPath);
            var uri = $"s3://{root.Value.LakeBucket}/{file.Key}";
            IReadOnlyList<string> columns = [];
            try
            {
                columns = ParquetColumns(connection, path);
                if (columns.Count != plan.Loaded.Count)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{uri} has {columns.Count} columns and the COPY loads {plan.Loaded.Count} ({string.Join(", ", plan.Loaded.Select(c => c.Name))}); Parquet columns are matched by position."));
                }

                using var command = connection.CreateCommand();
                command.CommandText = $"INSERT INTO {target} SELECT * FROM read_parquet({path}, hive_partitioning = false)";
                using var registration = cancellationToken.Register(command.Cancel);
                var rows = command.ExecuteNonQuery();
                tally.AddRows(rows);
                tally.AddBytes(file.Size);
                tally.EndFile(rows, rows);
                tally.Report();
            }
            catch (DuckDBException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidDataException(ParquetFailure(e, localPath, uri, columns, plan), e);
            }
        }
    }

    private static List<string> ParquetColumns(DuckDBConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({path}, hive_partitioning = false))";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    // DuckDB names a file by its local path and a column by its name in the file only: the message names the file by its
    // lake URI and, for a value that does not fit, the table column it goes to, since the mapping is by position.
    private static string ParquetFailure(DuckDBException e, string localPath, string uri, IReadOnlyList<string> columns, LoadPlan plan)
    {
        var reason = e.Message.Split('\n')[0].Replace(localPath, uri, StringComparison.Ordinal).TrimEnd('.', ' ');
        const string SourceColumn = "source column ";
        var at = reason.LastIndexOf(SourceColumn, StringComparison.Ordinal);
        var position = at < 0 ? -1 : columns.ToList().IndexOf(reason[(at + SourceColumn.Length)..].Trim());
        return position >= 0 && position < plan.Loaded.Count
            ? string.Create(CultureInfo.InvariantCulture,
                $"{uri} column {position + 1} ({columns[position]}) cannot load into {plan.Table}.{plan.Loaded[position].Name}: {reason}. Parquet columns are matched by position.")
            : $"{uri} is not a Parquet file this COPY can read: {reason}.";
    }

    // The load's transaction; a replacing load deletes the old rows in it, so they come back if it does not commit.
    private static void BeginLoad(DuckDBConnection connection, LoadPlan plan, bool replaceRows)
    {
        Execute(connection, "BEGIN TRANSACTION");
        if (replaceRows)
        {
            Execute(connection, $"DELETE FROM {Identifier(plan.Schema)}.{Identifier(plan.Table)}");
        }
    }

    private static void TryRollback(DuckDBConnection connection)
    {
        try
        {
            Execute(connection, "ROLLBACK");
        }
        catch (DuckDBException)
        {
            // No transaction was open any more: DuckDB already rolled a failed one back.
        }
    }

    private static void RecordLoadedFiles(DuckDBConnection connection, long queryId, LoadPlan plan, DateTime at)
    {
        using var appender = connection.CreateAppender("main", "ecomops_loaded_files");
        foreach (var file in plan.Files)
        {
            appender.CreateRow().AppendValue(queryId).AppendValue(plan.FullName).AppendValue(file.Key).AppendValue(file.ETag).AppendValue(at).EndRow();
        }
    }

    // The load's history line, its rejected rows and its files: in the load's own transaction when it commits rows, else in
    // one of their own after the load's was rolled back.
    private void Finish(DuckDBConnection connection, HistoryRow history, LoadTally tally, string status, TimeSpan duration, bool noLoad, long queryId, int tableId, DateTime started, bool ownTransaction = true)
    {
        var session = Environment.ProcessId;
        if (ownTransaction)
        {
            Execute(connection, "BEGIN TRANSACTION");
        }

        using (var errors = connection.CreateAppender("main", "stl_load_errors"))
        {
            foreach (var e in tally.Errors)
            {
                errors.CreateRow().AppendValue(WarehouseSystemTables.UserId).AppendValue(0).AppendValue(tableId).AppendValue(started).AppendValue(session).AppendValue((int)queryId)
                    .AppendValue(e.File).AppendValue(e.Line).AppendValue(e.Column).AppendValue(e.Type).AppendValue(e.Length).AppendValue(0)
                    .AppendValue(e.RawLine).AppendValue(e.RawValue).AppendValue(e.Error.Code).AppendValue(Shorten(e.Error.Reason, 100)).AppendValue(0).AppendValue(0L).EndRow();
            }
        }

        using (var detail = connection.CreateAppender("main", "sys_load_error_detail"))
        {
            foreach (var e in tally.Errors)
            {
                detail.CreateRow().AppendValue(WarehouseSystemTables.UserId).AppendValue(queryId).AppendValue(queryId).AppendValue(session).AppendValue(WarehouseSystemTables.DatabaseName)
                    .AppendValue(tableId).AppendValue(started).AppendValue(e.File).AppendValue(e.Line).AppendValue(e.Column).AppendValue(e.Type).AppendValue(e.Length).AppendValue(0)
                    .AppendValue(e.Error.Code).AppendValue(Shorten(e.Error.Reason, 512)).EndRow();
            }
        }

        using (var commits = connection.CreateAppender("main", "stl_load_commits"))
        {
            foreach (var file in tally.Files)
            {
                commits.CreateRow().AppendValue(WarehouseSystemTables.UserId).AppendValue((int)queryId).AppendValue(0).AppendValue(file.Uri).AppendValue(file.Uri)
                    .AppendValue(0).AppendValue((int)Math.Min(int.MaxValue, file.Lines)).AppendValue((int)Math.Min(int.MaxValue, file.Errors)).AppendValue(DateTime.UtcNow)
                    .AppendValue(status == LoadStatus.Completed && !noLoad ? 1 : 0).EndRow();
            }
        }

        var loaded = status == LoadStatus.Completed && !noLoad;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                UPDATE main.sys_load_history SET status = $status, end_time = $end, duration = $duration, loaded_rows = $rows, loaded_bytes = $bytes,
                    file_count_scanned = $files, file_bytes_scanned = $scanned, error_count = $errors
                WHERE query_id = $id
                """;
            command.Parameters.Add(new DuckDBParameter("status", status));
            command.Parameters.Add(new DuckDBParameter("end", DateTime.UtcNow));
            command.Parameters.Add(new DuckDBParameter("duration", (long)duration.TotalMicroseconds));
            command.Parameters.Add(new DuckDBParameter("rows", loaded ? tally.Rows : 0L));
            command.Parameters.Add(new DuckDBParameter("bytes", loaded ? tally.Bytes : 0L));
            command.Parameters.Add(new DuckDBParameter("files", tally.Files.Count));
            command.Parameters.Add(new DuckDBParameter("scanned", tally.Bytes));
            command.Parameters.Add(new DuckDBParameter("errors", (long)tally.Errors.Count));
            command.Parameters.Add(new DuckDBParameter("id", queryId));
            command.ExecuteNonQuery();
        }

        if (ownTransaction)
        {
            Execute(connection, "COMMIT");
        }

        _ = history;
    }

    private static void InsertHistory(DuckDBConnection connection, HistoryRow row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO main.sys_load_history VALUES ($user, $id, $id, $session, $db, $status, $table, $start, NULL, 0, $source, $format, 0, 0, $files, $bytes, 0, 0, 0, $job)
            """;
        command.Parameters.Add(new DuckDBParameter("user", WarehouseSystemTables.UserId));
        command.Parameters.Add(new DuckDBParameter("id", row.QueryId));
        command.Parameters.Add(new DuckDBParameter("session", Environment.ProcessId));
        command.Parameters.Add(new DuckDBParameter("db", WarehouseSystemTables.DatabaseName));
        command.Parameters.Add(new DuckDBParameter("status", row.Status));
        command.Parameters.Add(new DuckDBParameter("table", row.Table));
        command.Parameters.Add(new DuckDBParameter("start", row.Started));
        command.Parameters.Add(new DuckDBParameter("source", row.Source));
        command.Parameters.Add(new DuckDBParameter("format", row.Format));
        command.Parameters.Add(new DuckDBParameter("files", row.Files));
        command.Parameters.Add(new DuckDBParameter("bytes", row.Bytes));
        command.Parameters.Add(new DuckDBParameter("job", (object?)row.CopyJobId ?? DBNull.Value));
        command.ExecuteNonQuery();
    }

    private static string Shorten(string value, int max) => value.Length <= max ? value : value[..max];

    private sealed record HistoryRow(long QueryId, string Table, DateTime Started, string Source, string Format, int Files, long Bytes, long? CopyJobId)
    {
        public string Status { get; init; } = LoadStatus.Running;
    }

}
