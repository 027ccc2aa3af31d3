using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EcomOps.Core.Aws;
using EcomOps.Core.Query;

namespace EcomOps.Tests.Aws;

/// <summary>
/// Amazon Athena on 127.0.0.1, doing the work for real: StartQueryExecution runs the query in the background on the
/// project's local engine (DuckDB over a lake and catalog holding the same data), GetQueryExecution answers QUEUED, then
/// RUNNING, then SUCCEEDED or FAILED (DuckDB's error in Athena's words), GetQueryResults pages the rows in Athena's shape
/// (the header row first, every value as Athena's text), StopQueryExecution stops the local run. Every request is checked
/// against athena.service-2.json; <see cref="Problems"/> lists what the model would reject.
/// </summary>
internal sealed partial class AthenaStandIn : IDisposable
{
    public const string Workgroup = "ecomops";

    private static readonly AwsModel Model = AwsModel.For(AwsService.Athena);

    private readonly IQueryEngine _local;
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentQueue<(string Id, string State)> _answeredStates = new();
    private readonly ConcurrentQueue<string> _stopped = new();

    public AthenaStandIn(IQueryEngine local)
    {
        _local = local;
        Endpoint = new AwsLoopback((request, number) => Answer(request, number));
    }

    public AwsLoopback Endpoint { get; }

    public string Url => Endpoint.Url;

    /// <summary>Answers a request instead of the stand-in when it returns one (an error a test injects); null lets the stand-in answer.</summary>
    public Func<ReceivedRequest, int, LoopbackAnswer?>? Before { get; set; }

    /// <summary>What athena.service-2.json would reject in the requests received so far.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>The X-Amz-Target operations received, in order.</summary>
    public IReadOnlyList<string> Operations => [.. Endpoint.Requests.Select(r => OperationOf(r))];

    /// <summary>The bodies of the requests of one operation, in order.</summary>
    public IReadOnlyList<JsonElement> Bodies(string operation) =>
        [.. Endpoint.Requests.Where(r => OperationOf(r) == operation).Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];

    /// <summary>The states GetQueryExecution answered for a query, in order.</summary>
    public IReadOnlyList<string> StatesAnswered(string id) => [.. _answeredStates.Where(s => s.Id == id).Select(s => s.State)];

    /// <summary>The queries StopQueryExecution was asked to stop.</summary>
    public IReadOnlyList<string> Stopped => [.. _stopped];

    /// <summary>The queries started, by id.</summary>
    public IReadOnlyCollection<string> Started => [.. _executions.Keys];

    /// <summary>Whether the local run of a query has ended (finished, failed or been stopped).</summary>
    public bool HasEnded(string id) => _executions.TryGetValue(id, out var execution) && execution.Work.IsCompleted;

    /// <summary>What the local engine reported as read for a query, which the stand-in answers as DataScannedInBytes.</summary>
    public long? BytesScanned(string id) => _executions[id].Bytes;

    /// <summary>The TotalExecutionTimeInMillis the stand-in answers for a finished query.</summary>
    public long TotalMillis(string id) => _executions[id].EngineMillis + 7;

    public void Dispose()
    {
        foreach (var execution in _executions.Values)
        {
            execution.Cancel.Cancel();
        }

        Task.WaitAll([.. _executions.Values.Select(e => e.Work)], TimeSpan.FromSeconds(10));
        Endpoint.Dispose();
        foreach (var execution in _executions.Values)
        {
            execution.Cancel.Dispose();
        }
    }

    private static string OperationOf(ReceivedRequest request) =>
        request.Header("X-Amz-Target") is { } target && target.StartsWith("AmazonAthena.", StringComparison.Ordinal) ? target["AmazonAthena.".Length..] : request.Header("X-Amz-Target") ?? "";

    private LoopbackAnswer Answer(ReceivedRequest request, int number)
    {
        var operation = OperationOf(request);
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(request.Body).RootElement.Clone();
        }
        catch (JsonException)
        {
            _problems.Enqueue($"{operation}: the body is not JSON");
            return LoopbackAnswer.Error(400, "SerializationException", "not JSON", "req-bad-json");
        }

        if (!Model.HasOperation(operation))
        {
            _problems.Enqueue($"{operation}: not an Athena operation");
            return LoopbackAnswer.Error(400, "UnknownOperationException", operation, "req-unknown");
        }

        foreach (var problem in Model.Validate(body, Model.InputShape(operation)))
        {
            _problems.Enqueue($"{operation}: {problem}");
        }

        if (Before?.Invoke(request, number) is { } injected)
        {
            return injected;
        }

        return operation switch
        {
            "StartQueryExecution" => Start(body),
            "GetQueryExecution" => WithExecution(body, GetExecution),
            "GetQueryResults" => WithExecution(body, execution => Results(execution, body)),
            "StopQueryExecution" => WithExecution(body, Stop),
            "GetWorkGroup" => GetWorkGroup(body),
            _ => LoopbackAnswer.Error(400, "InvalidRequestException", $"{operation} is not served by this stand-in", "req-unserved"),
        };
    }

    private LoopbackAnswer Start(JsonElement body)
    {
        var token = body.TryGetProperty("ClientRequestToken", out var t) ? t.GetString() : null;
        if (token is null || token.Length < 32)
        {
            // The model's IdempotencyToken is 32 to 128 characters, and Athena needs one from clients without an SDK.
            _problems.Enqueue("StartQueryExecution: ClientRequestToken missing or shorter than 32 characters");
        }

        if (body.TryGetProperty("WorkGroup", out var workgroup) && workgroup.GetString() != Workgroup)
        {
            return LoopbackAnswer.Error(400, "InvalidRequestException", $"WorkGroup {workgroup.GetString()} is not found.", "req-no-workgroup");
        }

        var sql = body.GetProperty("QueryString").GetString()!;
        // The same token is the same query, as on Athena: a retried request starts nothing new.
        var id = _byToken.GetOrAdd(token ?? Guid.NewGuid().ToString("N"), _ => Guid.NewGuid().ToString());
        lock (_executions)
        {
            if (!_executions.ContainsKey(id))
            {
                _executions[id] = new Execution(id, sql, this);
            }
        }

        return LoopbackAnswer.Json(new JsonObject { ["QueryExecutionId"] = id }.ToJsonString(), "req-start");
    }

    private LoopbackAnswer WithExecution(JsonElement body, Func<Execution, LoopbackAnswer> answer)
    {
        var id = body.GetProperty("QueryExecutionId").GetString()!;
        return _executions.TryGetValue(id, out var execution)
            ? answer(execution)
            : LoopbackAnswer.Error(400, "InvalidRequestException", $"QueryExecution {id} was not found", "req-no-query");
    }

    // QUEUED at the first poll and RUNNING at the second whatever the local run did meanwhile, so a client's handling of
    // both is always exercised; then RUNNING while the local run goes on, and its outcome.
    private LoopbackAnswer GetExecution(Execution execution)
    {
        var poll = Interlocked.Increment(ref execution.Polls);
        var state = poll == 1 ? "QUEUED" : poll == 2 || !execution.Work.IsCompleted ? "RUNNING" : execution.State;
        _answeredStates.Enqueue((execution.Id, state));
        var status = new JsonObject { ["State"] = state, ["SubmissionDateTime"] = 1_764_590_000.125m };
        if (state is "FAILED" or "CANCELLED" && execution.Reason is { } reason)
        {
            status["StateChangeReason"] = reason;
        }

        if (state == "FAILED")
        {
            status["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1000, ["Retryable"] = false, ["ErrorMessage"] = execution.Reason };
        }

        var statistics = new JsonObject();
        if (state is "SUCCEEDED" or "FAILED" or "CANCELLED")
        {
            status["CompletionDateTime"] = 1_764_590_001.5m;
            statistics["EngineExecutionTimeInMillis"] = execution.EngineMillis;
            statistics["TotalExecutionTimeInMillis"] = TotalMillis(execution.Id);
            statistics["DataScannedInBytes"] = execution.Bytes ?? 0;
        }

        var answer = new JsonObject
        {
            ["QueryExecution"] = new JsonObject
            {
                ["QueryExecutionId"] = execution.Id,
                ["Query"] = execution.Sql,
                ["StatementType"] = "DML",
                ["WorkGroup"] = Workgroup,
                ["Status"] = status,
                ["Statistics"] = statistics,
            },
        };
        return LoopbackAnswer.Json(answer.ToJsonString(), "req-get");
    }

    private static LoopbackAnswer Results(Execution execution, JsonElement body)
    {
        if (execution.State != "SUCCEEDED" || !execution.Work.IsCompleted)
        {
            return LoopbackAnswer.Error(400, "InvalidRequestException", $"Query has not yet finished. Current state: {(execution.Work.IsCompleted ? execution.State : "RUNNING")}", "req-not-done");
        }

        var max = body.TryGetProperty("MaxResults", out var m) ? m.GetInt32() : 1000;
        if (max is < 1 or > 1000)
        {
            return LoopbackAnswer.Error(400, "InvalidRequestException", "MaxResults must be between 1 and 1000", "req-max");
        }

        // Athena's tokens are opaque; this one is the offset into the header row and the rows.
        var offset = body.TryGetProperty("NextToken", out var token) ? int.Parse(token.GetString()!["page-".Length..], CultureInfo.InvariantCulture) : 0;
        var columns = execution.Columns;
        var all = execution.Rows.Prepend([.. columns.Select(c => (string?)c.Name)]).ToList();
        var rows = new JsonArray([.. all.Skip(offset).Take(max).Select(row => (JsonNode)new JsonObject
        {
            ["Data"] = new JsonArray([.. row.Select(v => (JsonNode)(v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = v }))]),
        })]);
        var answer = new JsonObject
        {
            ["UpdateCount"] = 0,
            ["ResultSet"] = new JsonObject
            {
                ["Rows"] = rows,
                ["ResultSetMetadata"] = new JsonObject { ["ColumnInfo"] = new JsonArray([.. columns.Select(ColumnInfo)]) },
            },
        };
        if (offset + max < all.Count)
        {
            answer["NextToken"] = string.Create(CultureInfo.InvariantCulture, $"page-{offset + max}");
        }

        return LoopbackAnswer.Json(answer.ToJsonString(), "req-results");
    }

    private LoopbackAnswer Stop(Execution execution)
    {
        _stopped.Enqueue(execution.Id);
        execution.Stopped = true;
        execution.Cancel.Cancel();
        return LoopbackAnswer.Json("{}", "req-stop");
    }

    private static LoopbackAnswer GetWorkGroup(JsonElement body)
    {
        var name = body.GetProperty("WorkGroup").GetString();
        if (name != Workgroup)
        {
            return LoopbackAnswer.Error(400, "InvalidRequestException", $"WorkGroup {name} is not found.", "req-no-workgroup");
        }

        var answer = new JsonObject
        {
            ["WorkGroup"] = new JsonObject
            {
                ["Name"] = Workgroup,
                ["State"] = "ENABLED",
                ["Configuration"] = new JsonObject
                {
                    ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = "s3://ecomops-lake/athena-results/" },
                    ["EnforceWorkGroupConfiguration"] = true,
                    ["BytesScannedCutoffPerQuery"] = 10_737_418_240L,
                    ["EngineVersion"] = new JsonObject { ["SelectedEngineVersion"] = "AUTO", ["EffectiveEngineVersion"] = "Athena engine version 3" },
                },
                ["CreationTime"] = 1_764_590_000m,
            },
        };
        return LoopbackAnswer.Json(answer.ToJsonString(), "req-workgroup");
    }

    // Athena names a column's type without its parameters and gives a decimal's precision and scale beside it.
    private static JsonNode ColumnInfo(QueryColumn column)
    {
        var open = column.Type.IndexOf('(', StringComparison.Ordinal);
        var type = open < 0 ? column.Type : column.Type[..open];
        var info = new JsonObject
        {
            ["CatalogName"] = "hive",
            ["SchemaName"] = "",
            ["TableName"] = "",
            ["Name"] = column.Name,
            ["Label"] = column.Name,
            ["Type"] = type,
            ["Precision"] = 0,
            ["Scale"] = 0,
            ["Nullable"] = "UNKNOWN",
            ["CaseSensitive"] = type == "varchar",
        };
        if (type == "decimal" && AthenaTypes.DecimalScale(column.Type) is { } scale)
        {
            info["Precision"] = int.Parse(column.Type[(open + 1)..column.Type.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            info["Scale"] = scale;
        }

        return info;
    }

    // DuckDB's words for a failure, in Athena's: its error name, and the line:col of what it names.
    private static string AthenaReason(string sql, string message)
    {
        var table = TableNotFound().Match(message);
        if (table.Success)
        {
            // DuckDB names it "ecom.orders", or orders when unqualified.
            var name = table.Groups["name"].Value.Trim('"').Split('.')[^1];
            var reference = Regex.Match(sql, $@"(\b\w+\.)?\b{Regex.Escape(name)}\b", RegexOptions.IgnoreCase);
            var schema = reference.Groups[1].Success ? reference.Groups[1].Value.TrimEnd('.').ToLowerInvariant() : "ecom";
            return $"TABLE_NOT_FOUND: {Position(sql, reference.Success ? reference.Index : 0)}: Table 'awsdatacatalog.{schema}.{name.ToLowerInvariant()}' does not exist";
        }

        if (message.Contains("Division by zero", StringComparison.Ordinal))
        {
            return "DIVISION_BY_ZERO: Division by zero";
        }

        return $"GENERIC_USER_ERROR: {message}";
    }

    private static string Position(string sql, int index)
    {
        var line = 1 + sql[..index].Count(c => c == '\n');
        var column = index - (sql.LastIndexOf('\n', Math.Max(0, index - 1)) + 1) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"line {line}:{column}");
    }

    [GeneratedRegex(@"Table with name (?<name>[^\s!]+) does not exist")]
    private static partial Regex TableNotFound();

    private sealed class Execution
    {
        public int Polls;

        public Execution(string id, string sql, AthenaStandIn owner)
        {
            Id = id;
            Sql = sql;
            Work = Task.Run(() => RunAsync(owner._local));
        }

        public string Id { get; }

        public string Sql { get; }

        public Task Work { get; }

        public CancellationTokenSource Cancel { get; } = new();

        public volatile bool Stopped;

        public string State { get; private set; } = "RUNNING";

        public string? Reason { get; private set; }

        public IReadOnlyList<QueryColumn> Columns { get; private set; } = [];

        public List<string?[]> Rows { get; } = [];

        public long? Bytes { get; private set; }

        public long EngineMillis { get; private set; }

        private async Task RunAsync(IQueryEngine local)
        {
            var stopwatch = Stopwatch.StartNew();
            try
            {
                var writer = new TextRows(this);
                var summary = await local.StreamAsync(Sql, writer, Cancel.Token);
                Columns = summary.Columns;
                Bytes = summary.BytesScanned;
                State = "SUCCEEDED";
            }
            catch (OperationCanceledException)
            {
                // Stopped by StopQueryExecution, or by the stand-in's end.
                (State, Reason) = ("CANCELLED", Stopped ? "Query was cancelled by user" : "The service stopped");
            }
            catch (Exception e) when (e is QueryFailedException or QueryRefusedException)
            {
                (State, Reason) = ("FAILED", AthenaReason(Sql, e.Message));
            }
            finally
            {
                EngineMillis = (long)stopwatch.Elapsed.TotalMilliseconds;
            }
        }

        // Rows as Athena's result text: QueryValueText writes values as Athena does.
        private sealed class TextRows(Execution execution) : IQueryRowWriter
        {
            private IReadOnlyList<QueryColumn> _columns = [];

            public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken)
            {
                _columns = columns;
                return ValueTask.CompletedTask;
            }

            public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
            {
                execution.Rows.Add([.. row.Select((v, i) => QueryValueText.Format(v, _columns[i].Type))]);
                return ValueTask.FromResult(true);
            }
        }
    }
}
