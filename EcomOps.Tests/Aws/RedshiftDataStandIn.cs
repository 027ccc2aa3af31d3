using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Aws;

/// <summary>
/// The Redshift Data API on 127.0.0.1, doing the work for real on the project's DuckDB warehouse: a COPY is parsed by
/// <see cref="CopyParser"/> and run by <see cref="LocalWarehouse.CopyAsync"/> (a DELETE and a COPY in one batch as one
/// replacing load), a query by the local warehouse's own query path (where sys_load_history, stl_load_errors and
/// sys_load_error_detail are, Redshift-shaped), DDL on the warehouse file. Statements run in the background and are
/// followed with DescribeStatement, as on Redshift; results are paged in the Data API's Field unions.
/// </summary>
internal sealed partial class RedshiftDataStandIn : IDisposable
{
    // One statement at a time touches the warehouse file: DuckDB lets one writer have it.
    private readonly SemaphoreSlim _file = new(1, 1);
    private readonly ConcurrentDictionary<string, Statement> _statements = new(StringComparer.Ordinal);
    private readonly LocalWarehouse _local;
    private int _next;

    public RedshiftDataStandIn(LocalWarehouse local, int pageSize = 3)
    {
        _local = local;
        PageSize = pageSize;
        Endpoint = new AwsLoopback(Answer);
    }

    public AwsLoopback Endpoint { get; }

    public int PageSize { get; }

    /// <summary>Answers instead of the stand-in when it returns one (an error to inject), given the operation and the request.</summary>
    public Func<string, ReceivedRequest, LoopbackAnswer?>? Override { get; set; }

    /// <summary>
    /// Added to the RedshiftQueryId a COPY's DescribeStatement answers: a provisioned cluster answers STL's query id,
    /// which need not be the query_id of SYS_LOAD_HISTORY.
    /// </summary>
    public long QueryIdOffset { get; set; }

    /// <summary>Statements whose SQL this matches wait for <see cref="Release"/> (or a CancelStatement) before they run.</summary>
    public Func<string, bool>? Holds { get; set; }

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Runs before each statement, holding the warehouse file: <see cref="AwsStandIns"/> brings the local copy of the S3 lake
    /// up to date there, since DuckDB reads a COPY's Parquet from local files.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeStatement { get; set; }

    /// <summary>Lets the held statements run.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Every statement submitted, in order: its id, SQL texts and parameters.</summary>
    public IReadOnlyList<Statement> Submitted => [.. _statements.Values.OrderBy(s => s.Number)];

    /// <summary>The operations received, in order (the X-Amz-Target's second half).</summary>
    public IReadOnlyList<string> Operations => [.. Endpoint.Requests.Select(Operation)];

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Cancel.Cancel();
        }

        Endpoint.Dispose();
        foreach (var statement in _statements.Values)
        {
            statement.Run?.Wait(TimeSpan.FromSeconds(30));
        }
    }

    public static string Operation(ReceivedRequest request) => (request.Header("X-Amz-Target") ?? "").Split('.').Last();

    private readonly ConcurrentQueue<(string Operation, LoopbackAnswer Answer)> _answers = new();

    /// <summary>What the stand-in answered, per operation, in order.</summary>
    public IReadOnlyList<(string Operation, LoopbackAnswer Answer)> Answers => [.. _answers];

    private LoopbackAnswer Answer(ReceivedRequest request, int number)
    {
        var answer = AnswerOf(request);
        _answers.Enqueue((Operation(request), answer));
        return answer;
    }

    private LoopbackAnswer AnswerOf(ReceivedRequest request)
    {
        var operation = Operation(request);
        if (Override?.Invoke(operation, request) is { } injected)
        {
            return injected;
        }

        var body = JsonNode.Parse(request.Body)!.AsObject();
        return operation switch
        {
            "ExecuteStatement" => Submit(body, [(string)body["Sql"]!]),
            "BatchExecuteStatement" => Submit(body, [.. body["Sqls"]!.AsArray().Select(s => (string)s!)]),
            "DescribeStatement" => Find(body, out var statement) ?? Describe(statement!),
            "GetStatementResult" => Find(body, out var done) ?? Result(done!, (string?)body["NextToken"]),
            "CancelStatement" => Find(body, out var running) ?? Cancel(running!),
            _ => LoopbackAnswer.Error(400, "UnknownOperationException", $"{operation} is not an operation of the Redshift Data API stand-in", "req-unknown"),
        };
    }

    private LoopbackAnswer Submit(JsonObject body, IReadOnlyList<string> sqls)
    {
        var parameters = body["Parameters"]?.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string)p!["value"]!, StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var number = Interlocked.Increment(ref _next);
        var statement = new Statement(Guid.NewGuid().ToString(), number, sqls, parameters, body.DeepClone().AsObject());
        _statements[statement.Id] = statement;
        statement.Run = Task.Run(() => ExecuteAsync(statement));
        var answer = new JsonObject { ["Id"] = statement.Id, ["CreatedAt"] = Epoch(statement.CreatedAt), ["Database"] = (string?)body["Database"] };
        foreach (var member in new[] { "WorkgroupName", "ClusterIdentifier", "DbUser", "SecretArn" })
        {
            if (body[member] is { } value)
            {
                answer[member] = value.DeepClone();
            }
        }

        return Json(answer);
    }

    private LoopbackAnswer? Find(JsonObject body, out Statement? statement)
    {
        var id = (string)body["Id"]!;
        // A batch's statements are asked for as '<id>:<n>'.
        if (_statements.TryGetValue(id.Split(':')[0], out statement))
        {
            return null;
        }

        return LoopbackAnswer.Error(400, "ResourceNotFoundException", $"Query does not exist: {id}", "req-not-found");
    }

    private LoopbackAnswer Describe(Statement statement)
    {
        var answer = new JsonObject
        {
            ["Id"] = statement.Id,
            ["Status"] = statement.Status,
            ["QueryString"] = statement.Sqls.Count == 1 ? statement.Sqls[0] : string.Join("; ", statement.Sqls),
            ["CreatedAt"] = Epoch(statement.CreatedAt),
            ["UpdatedAt"] = Epoch(DateTimeOffset.UtcNow),
            ["HasResultSet"] = statement.Columns is not null,
            ["ResultRows"] = statement.Rows?.Count ?? statement.RowsAffected,
            ["Duration"] = statement.Ended is { } ended ? (long)(ended - statement.CreatedAt).TotalNanoseconds : -1,
            ["RedshiftPid"] = Environment.ProcessId,
        };
        if (statement.Error is { } error)
        {
            answer["Error"] = error;
        }

        if (statement.Sqls.Count > 1)
        {
            answer["SubStatements"] = new JsonArray([.. statement.Sqls.Select((sql, i) => (JsonNode)new JsonObject
            {
                ["Id"] = $"{statement.Id}:{i + 1}",
                ["Status"] = statement.Status == "FINISHED" ? "FINISHED" : statement.Status == "FAILED" ? (i == statement.Sqls.Count - 1 ? "FAILED" : "ABORTED") : statement.Status,
                ["QueryString"] = sql,
                ["RedshiftQueryId"] = i == statement.Sqls.Count - 1 ? ReportedQueryId(statement) : 0,
                ["HasResultSet"] = false,
            })]);
        }
        else
        {
            answer["RedshiftQueryId"] = ReportedQueryId(statement);
        }

        return Json(answer);
    }

    private long ReportedQueryId(Statement statement) => statement.Copies.Count > 0 ? statement.QueryId + QueryIdOffset : statement.QueryId;

    private LoopbackAnswer Result(Statement statement, string? token)
    {
        if (statement.Status != "FINISHED" || statement.Rows is null || statement.Columns is null)
        {
            return LoopbackAnswer.Error(400, "ValidationException", $"Query {statement.Id} has no result set (status {statement.Status})", "req-no-result");
        }

        var start = token is null ? 0 : int.Parse(token, CultureInfo.InvariantCulture);
        var page = statement.Rows.Skip(start).Take(PageSize).ToList();
        var answer = new JsonObject
        {
            ["Records"] = new JsonArray([.. page.Select(row => (JsonNode)new JsonArray([.. row.Select(Field)]))]),
            ["TotalNumRows"] = statement.Rows.Count,
        };
        if (start == 0)
        {
            answer["ColumnMetadata"] = new JsonArray([.. statement.Columns.Select(Column)]);
        }

        if (start + PageSize < statement.Rows.Count)
        {
            answer["NextToken"] = (start + PageSize).ToString(CultureInfo.InvariantCulture);
        }

        return Json(answer);
    }

    private static LoopbackAnswer Cancel(Statement statement)
    {
        if (statement.Status is "FINISHED" or "FAILED" or "ABORTED")
        {
            return LoopbackAnswer.Error(400, "ValidationException", $"Could not cancel a query that is already in {statement.Status} state with ID: {statement.Id}", "req-cancel");
        }

        statement.Cancel.Cancel();
        statement.Status = "ABORTED";
        return Json(new JsonObject { ["Status"] = true });
    }

    private async Task ExecuteAsync(Statement statement)
    {
        try
        {
            statement.Status = "PICKED";
            if (Holds?.Invoke(string.Join("\n", statement.Sqls)) == true)
            {
                statement.Status = "STARTED";
                await _release.Task.WaitAsync(statement.Cancel.Token);
            }

            await _file.WaitAsync(statement.Cancel.Token);
            try
            {
                statement.Status = "STARTED";
                if (BeforeStatement is { } before)
                {
                    await before(statement.Cancel.Token);
                }

                await RunAsync(statement);
                statement.Status = "FINISHED";
            }
            finally
            {
                _file.Release();
            }
        }
        catch (OperationCanceledException) when (statement.Cancel.IsCancellationRequested)
        {
            statement.Status = "ABORTED";
        }
        catch (Exception) when (statement.Cancel.IsCancellationRequested)
        {
            statement.Status = "ABORTED";
        }
        catch (Exception e) when (e is StatementFailed or LoadRefusedException or QueryFailedException or QueryRefusedException or DuckDBException or FormatException)
        {
            statement.Error = "ERROR: " + e.Message.Split('\n')[0];
            statement.Status = "FAILED";
        }

        statement.Ended = DateTimeOffset.UtcNow;
    }

    private async Task RunAsync(Statement statement)
    {
        var sqls = statement.Sqls.Select(s => Bind(s, statement.Parameters)).ToList();
        if (sqls.Count == 2 && DeleteFrom().Match(sqls[0]) is { Success: true } delete && IsCopy(sqls[1]))
        {
            // DELETE and COPY in one transaction: the local warehouse's replacing load is exactly that.
            var copy = CopyParser.Parse(sqls[1]);
            if (!string.Equals(Unquote(delete.Groups["table"].Value), copy.Target.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new StatementFailed("the stand-in runs a DELETE and a COPY together only on the same table");
            }

            await CopyAsync(statement, copy, replace: true);
            return;
        }

        if (sqls.Count == 1 && IsCopy(sqls[0]))
        {
            await CopyAsync(statement, CopyParser.Parse(sqls[0]), replace: false);
            return;
        }

        if (sqls.Count == 1 && FirstWord(sqls[0]) is "SELECT" or "WITH")
        {
            await SelectAsync(statement, sqls[0]);
            return;
        }

        // DDL and DML, on the warehouse file, in one transaction as a batch is on Redshift.
        await using var connection = await OpenFileAsync();
        DuckDbSql.Execute(connection, "BEGIN TRANSACTION");
        try
        {
            foreach (var sql in sqls)
            {
                if (FirstWord(sql) == "CREATE" && !sql.StartsWith("CREATE SCHEMA", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var table in RedshiftDdl.Parse(sql))
                    {
                        var known = Convert.ToInt64(DuckDbSql.Scalar(connection,
                            $"SELECT count(*) FROM duckdb_tables() WHERE schema_name = {DuckDbSql.Literal(table.Schema)} AND table_name = {DuckDbSql.Literal(table.Name)}"), CultureInfo.InvariantCulture);
                        DuckDbSql.Execute(connection, RedshiftDdl.ToDuckDb(table));
                        if (known == 0)
                        {
                            DuckDbSql.Execute(connection, $"INSERT INTO main.ecomops_tables SELECT nextval('main.ecomops_table_id'), {DuckDbSql.Literal(table.Schema)}, {DuckDbSql.Literal(table.Name)}");
                        }
                    }
                }
                else
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    statement.RowsAffected = command.ExecuteNonQuery();
                }
            }

            DuckDbSql.Execute(connection, "COMMIT");
        }
        catch
        {
            DuckDbSql.Execute(connection, "ROLLBACK");
            throw;
        }
    }

    // Redshift's system tables are always there: the stand-in's are made with the file, before any user table is.
    private async Task<DuckDBConnection> OpenFileAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_local.FilePath)!);
        var connection = new DuckDBConnection($"DataSource={_local.FilePath}");
        await connection.OpenAsync();
        DuckDbSql.Execute(connection, "SET TimeZone = 'UTC'");
        DuckDbSql.Execute(connection, "CREATE SCHEMA IF NOT EXISTS public");
        DuckDbSql.Execute(connection, "SET search_path = 'public,main'");
        DuckDbSql.Execute(connection, WarehouseSystemTables.Ddl);
        return connection;
    }

    // A query reads the file as the local warehouse's queries do (attached read-only, with its Redshift macros), but
    // without its initialisation, which would create the DDL's tables before the engine's InitAsync asked for them.
    private async Task SelectAsync(Statement statement, string sql)
    {
        await (await OpenFileAsync()).DisposeAsync();
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        DuckDbSql.Execute(connection, $"ATTACH {DuckDbSql.Literal(_local.FilePath)} AS wh (READ_ONLY)");
        foreach (var macro in LocalWarehouse.RedshiftMacros)
        {
            DuckDbSql.Execute(connection, macro);
        }

        DuckDbSql.Execute(connection, "SET search_path = 'wh.public,wh.main,memory.main'");
        DuckDbSql.Execute(connection, "SET TimeZone = 'UTC'");
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = statement.Cancel.Token.Register(command.Cancel);
        using var reader = command.ExecuteReader();
        var rows = new QueryRowCollector(1_000_000);
        var (columns, _, _) = await DuckDbQueryEngine.ReadRowsAsync(reader, rows, statement.Cancel.Token);
        statement.Columns = columns;
        statement.Rows = rows.Rows;
    }

    private async Task CopyAsync(Statement statement, CopyStatement copy, bool replace)
    {
        statement.Copies.Add(copy);
        var outcome = await _local.CopyAsync(copy, new LoadRunContext("redshift", ReplaceRows: replace), statement.Cancel.Token);
        statement.QueryId = outcome.QueryId;
        statement.RowsAffected = outcome.LoadedRows;
        if (outcome.Status == LoadStatus.Aborted)
        {
            // Redshift's own words when the rejected rows pass MAXERROR.
            throw new StatementFailed($"Load into table '{copy.Target.Name}' failed. Check 'stl_load_errors' system table for details.");
        }

        if (outcome.Status == LoadStatus.Failed)
        {
            throw new StatementFailed(outcome.Message ?? "the COPY failed");
        }
    }

    // Redshift binds :name parameters server-side; the stand-in binds them as literals of the value's text.
    private static string Bind(string sql, IReadOnlyDictionary<string, string> parameters) =>
        ParameterMarker().Replace(sql, m => parameters.TryGetValue(m.Groups["name"].Value, out var value)
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : throw new StatementFailed($"parameter :{m.Groups["name"].Value} has no value (the request's Parameters do not name it)"));

    private static bool IsCopy(string sql) => FirstWord(sql) == "COPY";

    private static string FirstWord(string sql) => new string([.. sql.TrimStart().TakeWhile(char.IsLetter)]).ToUpperInvariant();

    private static string Unquote(string name) => name.Split('.').Last().Trim('"');

    private static JsonNode? Field(object? value) => value switch
    {
        null or DBNull => new JsonObject { ["isNull"] = true },
        bool b => new JsonObject { ["booleanValue"] = b },
        long or int or short or sbyte or byte or ushort or uint => new JsonObject { ["longValue"] = Convert.ToInt64(value, CultureInfo.InvariantCulture) },
        double or float => new JsonObject { ["doubleValue"] = Convert.ToDouble(value, CultureInfo.InvariantCulture) },
        DateTime time => new JsonObject { ["stringValue"] = time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture) },
        DateOnly date => new JsonObject { ["stringValue"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        // Redshift sends numerics (and 128-bit sums) as text.
        decimal or BigInteger or ulong => new JsonObject { ["stringValue"] = Convert.ToString(value, CultureInfo.InvariantCulture) },
        _ => new JsonObject { ["stringValue"] = Convert.ToString(value, CultureInfo.InvariantCulture) },
    };

    private static JsonNode Column(QueryColumn column)
    {
        var type = column.Type.ToLowerInvariant();
        var metadata = new JsonObject { ["name"] = column.Name, ["label"] = column.Name };
        if (type.StartsWith("decimal", StringComparison.Ordinal))
        {
            var args = type[(type.IndexOf('(', StringComparison.Ordinal) + 1)..^1].Split(',');
            metadata["typeName"] = "numeric";
            metadata["precision"] = int.Parse(args[0], CultureInfo.InvariantCulture);
            metadata["scale"] = int.Parse(args[1], CultureInfo.InvariantCulture);
            return metadata;
        }

        metadata["typeName"] = type switch
        {
            "bigint" => "int8",
            "integer" => "int4",
            "smallint" => "int2",
            "double" => "float8",
            "real" => "float4",
            "boolean" => "bool",
            "timestamp with time zone" => "timestamptz",
            _ when type.StartsWith("varchar", StringComparison.Ordinal) => "varchar",
            _ => type,
        };
        return metadata;
    }

    private static double Epoch(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000d;

    private static LoopbackAnswer Json(JsonNode answer) => LoopbackAnswer.Json(answer.ToJsonString(), "req-" + Guid.NewGuid().ToString("N")[..12]);

    [GeneratedRegex(@"(?<![:\w]):(?<name>[A-Za-z_]\w*)")]
    private static partial Regex ParameterMarker();

    [GeneratedRegex(@"^\s*DELETE\s+FROM\s+(?<table>[\w"".]+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DeleteFrom();

    /// <summary>One submitted statement (or batch) and how far it is.</summary>
    internal sealed class Statement(string id, int number, IReadOnlyList<string> sqls, IReadOnlyDictionary<string, string> parameters, JsonObject request)
    {
        public string Id { get; } = id;

        public int Number { get; } = number;

        public IReadOnlyList<string> Sqls { get; } = sqls;

        public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

        /// <summary>The request body as sent.</summary>
        public JsonObject Request { get; } = request;

        public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

        public CancellationTokenSource Cancel { get; } = new();

        public List<CopyStatement> Copies { get; } = [];

        private volatile string _status = "SUBMITTED";

        public string Status
        {
            get => _status;
            set => _status = value;
        }

        public string? Error { get; set; }

        public long QueryId { get; set; }

        public long RowsAffected { get; set; }

        public IReadOnlyList<QueryColumn>? Columns { get; set; }

        public IReadOnlyList<object?[]>? Rows { get; set; }

        public DateTimeOffset? Ended { get; set; }

        public Task? Run { get; set; }
    }

    private sealed class StatementFailed(string message) : Exception(message);
}
