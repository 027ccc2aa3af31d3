using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using EcomOps.Core.Aws;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>
/// A loopback stand-in for the Glue job API (StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun) that does the job's work for
/// real: a started run converts with the project's own <see cref="ParquetConverter"/> over the lake bucket on s3rver,
/// with the arguments <c>csv_to_parquet.py</c> takes, appending (<c>--mode append</c>, the default) or replacing the
/// dataset's Parquet (<c>--mode overwrite</c>, the converter's overwrite) and writing the manifest and the quarantine
/// folder as the script does. Every request is checked against glue.service-2.json (<see cref="Violations"/>).
/// </summary>
internal sealed class GlueStandIn : IDisposable
{
    public const string RequestId = "glue-req-0001";

    private readonly AwsLoopback _endpoint;
    private readonly AmazonS3Client _s3;
    private readonly IObjectStore _lake;
    private readonly string _bucket;
    private readonly ConcurrentDictionary<string, FakeRun> _runs = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<(string Operation, JsonElement Body)> _calls = new();
    private TaskCompletionSource _gate = Open();

    public GlueStandIn(S3rverFixture s3rver, string bucket)
    {
        _bucket = bucket;
        _s3 = s3rver.CreateClient();
        _lake = new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true }, _s3);
        _endpoint = new AwsLoopback(Answer);
    }

    public string Url => _endpoint.Url;

    /// <summary>An error to answer instead, given the operation and how many calls of it came before; null to answer normally.</summary>
    public Func<string, int, LoopbackAnswer?>? Refuse { get; set; }

    /// <summary>When true, append runs find no new CSV files, as the script does when every file is behind the job bookmark: they succeed and write nothing. Overwrite runs read every file whatever the bookmark.</summary>
    public bool NothingNew { get; set; }

    /// <summary>What in the requests received AWS would have refused against the model (or, in the stand-in's answers, what the model does not allow).</summary>
    public IReadOnlyList<string> Violations => [.. _violations];

    /// <summary>The requests received, by operation, in order.</summary>
    public IReadOnlyList<(string Operation, JsonElement Body)> Calls => [.. _calls];

    /// <summary>The ids of the runs started, in order.</summary>
    public IReadOnlyList<string> Started => [.. _runs.Values.OrderBy(r => r.Number).Select(r => r.Id)];

    public string? StateOf(string runId) => _runs.TryGetValue(runId, out var run) ? run.State : null;

    /// <summary>True when a run has started and waits for <see cref="Release"/> before converting.</summary>
    public bool IsHolding(string runId) => _runs.TryGetValue(runId, out var run) && run.Waiting;

    /// <summary>Runs started from now on wait before converting, until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>Completes when the run has ended (at most 30 s, so a stuck run fails the test rather than hanging it).</summary>
    public Task WaitEndedAsync(string runId) => _runs[runId].Ended.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        Release();
        foreach (var run in _runs.Values)
        {
            run.Stop.Cancel();
        }

        Task.WaitAll([.. _runs.Values.Select(r => r.Ended.Task)], TimeSpan.FromSeconds(10));
        _endpoint.Dispose();
        _s3.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>The Glue operations this stand-in answers; <see cref="AwsStandIns"/> sends the others on one Glue endpoint to the catalog's stand-in.</summary>
    public static IReadOnlySet<string> JobOperations { get; } = new HashSet<string>(StringComparer.Ordinal) { "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun" };

    /// <summary>Answers one Glue request, as this stand-in's own endpoint does.</summary>
    internal LoopbackAnswer Answer(ReceivedRequest request, int number)
    {
        var target = request.Header("X-Amz-Target") ?? "";
        var operation = target.StartsWith("AWSGlue.", StringComparison.Ordinal) ? target["AWSGlue.".Length..] : target;
        var model = AwsModel.For(AwsService.Glue);
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(request.Body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            _violations.Enqueue($"{operation}: body is not JSON: {e.Message}");
            return LoopbackAnswer.Error(400, "SerializationException", "not JSON", RequestId);
        }

        if (!model.HasOperation(operation))
        {
            _violations.Enqueue($"{target}: no such Glue operation");
            return LoopbackAnswer.Error(400, "UnknownOperationException", operation, RequestId);
        }

        foreach (var problem in model.Validate(body, model.InputShape(operation)))
        {
            _violations.Enqueue($"{operation}: {problem}");
        }

        var before = _calls.Count(c => c.Operation == operation);
        _calls.Enqueue((operation, body));
        if (Refuse?.Invoke(operation, before) is { } refusal)
        {
            return refusal;
        }

        var answer = operation switch
        {
            "StartJobRun" => Start(body),
            "GetJobRun" => Get(body),
            "GetJobRuns" => GetRuns(body),
            "BatchStopJobRun" => Stop(body),
            _ => LoopbackAnswer.Error(400, "InvalidInputException", $"The stand-in does not answer {operation}", RequestId),
        };

        // The stand-in's own answers are held to the model too, so the engine is not tested against a Glue that cannot be.
        if (answer.Status == 200)
        {
            using var sent = JsonDocument.Parse(answer.Body);
            foreach (var problem in model.Validate(sent.RootElement, model.OutputShape(operation)))
            {
                _violations.Enqueue($"{operation} answer: {problem}");
            }
        }

        return answer;
    }

    private LoopbackAnswer Start(JsonElement body)
    {
        var arguments = body.TryGetProperty("Arguments", out var given)
            ? given.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
            : [];
        var run = new FakeRun($"jr_{Guid.NewGuid():N}{Guid.NewGuid():N}", _runs.Count, body.GetProperty("JobName").GetString()!, arguments, DateTimeOffset.UtcNow);
        _runs[run.Id] = run;
        var gate = _gate;
        _ = Task.Run(() => ExecuteAsync(run, gate.Task));
        return LoopbackAnswer.Json(new JsonObject { ["JobRunId"] = run.Id }.ToJsonString(), RequestId);
    }

    private LoopbackAnswer Get(JsonElement body)
    {
        var id = body.GetProperty("RunId").GetString()!;
        if (!_runs.TryGetValue(id, out var run))
        {
            return LoopbackAnswer.Error(400, "EntityNotFoundException", $"Job run {id} not found", RequestId);
        }

        return LoopbackAnswer.Json(new JsonObject { ["JobRun"] = RunJson(run) }.ToJsonString(), RequestId);
    }

    // Newest first, as Glue lists a job's runs.
    private LoopbackAnswer GetRuns(JsonElement body)
    {
        var max = body.TryGetProperty("MaxResults", out var m) ? m.GetInt32() : 100;
        var runs = _runs.Values.OrderByDescending(r => r.Number).Take(max).Select(r => (JsonNode)RunJson(r));
        return LoopbackAnswer.Json(new JsonObject { ["JobRuns"] = new JsonArray([.. runs]) }.ToJsonString(), RequestId);
    }

    private static JsonObject RunJson(FakeRun run)
    {
        var ended = run.CompletedOn ?? DateTimeOffset.UtcNow;
        var answer = new JsonObject
        {
            ["Id"] = run.Id,
            ["Attempt"] = 0,
            ["JobName"] = run.JobName,
            ["StartedOn"] = run.StartedOn.ToUnixTimeMilliseconds() / 1000d,
            ["LastModifiedOn"] = ended.ToUnixTimeMilliseconds() / 1000d,
            ["JobRunState"] = run.State,
            ["Arguments"] = new JsonObject(run.Arguments.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
            ["ExecutionTime"] = (int)(ended - run.StartedOn).TotalSeconds,
            ["MaxCapacity"] = 2.0,
            ["LogGroupName"] = "/aws-glue/jobs",
            ["GlueVersion"] = "5.0",
        };
        if (run.CompletedOn is { } completed)
        {
            answer["CompletedOn"] = completed.ToUnixTimeMilliseconds() / 1000d;
        }

        if (run.ErrorMessage is { } error)
        {
            answer["ErrorMessage"] = error;
        }

        return answer;
    }

    private LoopbackAnswer Stop(JsonElement body)
    {
        var accepted = new JsonArray();
        var errors = new JsonArray();
        var jobName = body.GetProperty("JobName").GetString();
        foreach (var id in body.GetProperty("JobRunIds").EnumerateArray().Select(e => e.GetString()!))
        {
            if (_runs.TryGetValue(id, out var run) && run.TryStop())
            {
                accepted.Add(new JsonObject { ["JobName"] = jobName, ["JobRunId"] = id });
            }
            else
            {
                errors.Add(new JsonObject
                {
                    ["JobName"] = jobName,
                    ["JobRunId"] = id,
                    ["ErrorDetail"] = new JsonObject { ["ErrorCode"] = "InvalidInputException", ["ErrorMessage"] = "Job Run cannot be stopped in its current state." },
                });
            }
        }

        return LoopbackAnswer.Json(new JsonObject { ["SuccessfulSubmissions"] = accepted, ["Errors"] = errors }.ToJsonString(), RequestId);
    }

    // What csv_to_parquet.py does, by the local converter: append or overwrite with what raw/<dataset>/ holds, manifest and _SUCCESS
    // (the converter's commit), bad rows to quarantine/<dataset>/<script run id>/, failing past --max_errors.
    private async Task ExecuteAsync(FakeRun run, Task gate)
    {
        try
        {
            run.Waiting = true;
            await gate.WaitAsync(run.Stop.Token);
            run.Waiting = false;
            var request = RequestOf(run.Arguments);
            var dataset = request.Dataset.Name;
            if (NothingNew && request.Mode == ConversionMode.Append)
            {
                run.Finish("SUCCEEDED", null);
                return;
            }

            try
            {
                await new ParquetConverter().ConvertAsync(request, _lake, null, run.Stop.Token);
                await MoveQuarantineAsync(dataset, request.RunId);
                run.Finish("SUCCEEDED", null);
            }
            catch (ConversionFailedException e)
            {
                await MoveQuarantineAsync(dataset, request.RunId);
                run.Finish("FAILED", $"ValueError: {e.Message}");
            }
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            run.Finish("STOPPED", null);
        }
        catch (Exception e)
        {
            run.Finish("FAILED", $"{e.GetType().Name}: {e.Message}");
        }
    }

    private ConversionRequest RequestOf(IReadOnlyDictionary<string, string> arguments)
    {
        string Argument(string name) => arguments.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"GlueArgumentError: the following arguments are required: {name}");

        var problems = new List<string>();
        foreach (var (name, folder) in new[] { ("--source_prefix", "raw/"), ("--target_prefix", "parquet/"), ("--bad_records_path", "quarantine/") })
        {
            if (Argument(name) != $"s3://{_bucket}/{folder}")
            {
                problems.Add($"{name} '{Argument(name)}' is not s3://{_bucket}/{folder}, where the stand-in's lake is");
            }
        }

        var dataset = DatasetRegistry.All.FirstOrDefault(d => d.Name == Argument("--dataset"));
        var partitioning = Argument("--partitioning") switch { "none" => (Partitioning?)Partitioning.None, "month" => Partitioning.Month, _ => null };
        var compression = Enum.TryParse<ParquetCompression>(Argument("--compression"), ignoreCase: true, out var codec) && Argument("--compression") == codec.ToString().ToLowerInvariant() ? codec : (ParquetCompression?)null;
        var maxErrors = arguments.TryGetValue("--max_errors", out var text) ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : 1000;
        var mode = arguments.GetValueOrDefault("--mode", "append") switch { "append" => (ConversionMode?)ConversionMode.Append, "overwrite" => ConversionMode.Overwrite, _ => null };
        if (dataset is null || partitioning is null || compression is null)
        {
            problems.Add($"--dataset {Argument("--dataset")}, --partitioning {Argument("--partitioning")}, --compression {Argument("--compression")}");
        }

        if (mode is null)
        {
            problems.Add($"--mode '{arguments["--mode"]}' is not append or overwrite");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Cannot convert: " + string.Join("; ", problems) + ". Nothing was converted.");
        }

        // As the script: the run id EcomOps passes, else a new one.
        var runId = arguments.TryGetValue("--run_id", out var given) ? Guid.Parse(given) : Guid.NewGuid();
        return new ConversionRequest(dataset!, runId, compression!.Value, partitioning!.Value, mode!.Value, maxErrors);
    }

    private async Task MoveQuarantineAsync(string dataset, Guid scriptRunId)
    {
        var key = ConversionRun.QuarantineKeyOf(dataset, scriptRunId);
        if (await _lake.HeadAsync(key) is null)
        {
            return;
        }

        // Spark writes a folder of part files where the local converter writes one file.
        await _lake.CopyAsync(key, $"quarantine/{dataset}/{scriptRunId:D}/part-00000-{scriptRunId:D}-c000.csv");
        await _lake.DeleteAsync(key);
    }

    private sealed class FakeRun(string id, int number, string jobName, IReadOnlyDictionary<string, string> arguments, DateTimeOffset startedOn)
    {
        private readonly Lock _gate = new();

        public string Id => id;

        public int Number => number;

        public string JobName => jobName;

        public IReadOnlyDictionary<string, string> Arguments => arguments;

        public DateTimeOffset StartedOn => startedOn;

        public CancellationTokenSource Stop { get; } = new();

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private volatile bool _waiting;

        public bool Waiting
        {
            get => _waiting;
            set => _waiting = value;
        }

        public string State { get; private set; } = "RUNNING";

        public string? ErrorMessage { get; private set; }

        public DateTimeOffset? CompletedOn { get; private set; }

        public bool TryStop()
        {
            lock (_gate)
            {
                if (State != "RUNNING")
                {
                    return false;
                }

                State = "STOPPING";
            }

            Stop.Cancel();
            return true;
        }

        public void Finish(string state, string? error)
        {
            lock (_gate)
            {
                State = state;
                ErrorMessage = error;
                CompletedOn = DateTimeOffset.UtcNow;
            }

            Ended.TrySetResult();
        }
    }
}
