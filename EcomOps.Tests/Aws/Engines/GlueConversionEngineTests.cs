using System.Text.Json;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>What only the Glue engine does: its requests, the run's Glue details, stop on cancel, re-attach after a restart, AWS errors.</summary>
[Collection(S3rverCollection.Name)]
public sealed class GlueConversionEngineTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private string _bucket = default!;
    private GlueStandIn _glue = default!;
    private CoreHost? _host;

    private CoreHost Host => _host ??= GlueCoreHost.Create(s3rver, _bucket, _glue, _root.Path);

    public async Task InitializeAsync()
    {
        _bucket = await s3rver.CreateBucketAsync();
        _glue = new GlueStandIn(s3rver, _bucket);
    }

    public Task DisposeAsync()
    {
        _glue.Release();
        _host?.Dispose();
        _glue.Dispose();
        SqliteConnection.ClearAllPools();
        _root.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Convert_StartsTheJobWithTheScriptsArguments_RecordsItsRunId_AndEveryRequestConformsToTheGlueModel()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 40);

        var run = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Compression: ParquetCompression.Gzip, MaxErrors: 7, Mode: ConversionMode.Append));

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Empty(_glue.Violations);
        var start = Assert.Single(_glue.Calls, c => c.Operation == "StartJobRun").Body;
        Assert.Equal(GlueCoreHost.JobName, start.GetProperty("JobName").GetString());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["--source_prefix"] = $"s3://{_bucket}/raw/",
                ["--target_prefix"] = $"s3://{_bucket}/parquet/",
                ["--dataset"] = "customer_data",
                ["--partitioning"] = "none",
                ["--compression"] = "gzip",
                ["--bad_records_path"] = $"s3://{_bucket}/quarantine/",
                ["--max_errors"] = "7",
                ["--mode"] = "append",
                ["--run_id"] = run.Id.ToString("D"),
            },
            start.GetProperty("Arguments").Deserialize<Dictionary<string, string>>());
        // The script keeps EcomOps' run id as the manifest's, so the run that wrote the Parquet is found from it.
        Assert.Contains(run.Outputs, o => o.Location.StartsWith("parquet/customer_data/part-", StringComparison.Ordinal));
        var manifest = await ConversionManifest.ReadAsync(Host.Get<EcomOps.Core.Storage.IObjectStore>(), "customer_data");
        Assert.Equal(run.Id, manifest!.RunId);
        var glueRunId = Assert.Single(_glue.Started);
        Assert.Equal(glueRunId, run.ExternalId);
        Assert.All(_glue.Calls.Where(c => c.Operation == "GetJobRun"), c => Assert.Equal(glueRunId, c.Body.GetProperty("RunId").GetString()));

        var results = run.Results!.ToDictionary(r => r.Name, r => r.Value);
        Assert.Equal(glueRunId, results["Glue run"]);
        Assert.Equal("SUCCEEDED", results["Glue state"]);
        Assert.Equal(
            $"https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws-glue$252Fjobs$252Foutput/log-events/{glueRunId}",
            results["logs"]);
        Assert.Contains("$252Faws-glue$252Fjobs$252Ferror", results["error logs"]);
        Assert.Equal($"https://eu-west-1.console.aws.amazon.com/gluestudio/home?region=eu-west-1#/job/{GlueCoreHost.JobName}/run/{glueRunId}", results["Glue console"]);
        Assert.True(results.ContainsKey("DPU-seconds"));
        Assert.Equal(40, run.Counts.RowsWritten);
    }

    [Fact]
    public async Task Cancel_StopsTheGlueRun_AndWaitsForItToReportStopped()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 40);
        _glue.Hold();
        var started = Host.Get<IConversionService>().StartConversion(new ConversionOptions(), ["customer_data"]).Single();
        var runner = Host.Get<IJobRunner>();
        await Eventually.UntilAsync(async () => (await runner.GetAsync(started.Id))!.ExternalId is { } id && _glue.IsHolding(id));

        await runner.CancelAsync(started.Id);
        var run = await runner.WaitAsync(started.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Cancelled, run.Status);
        var glueRunId = Assert.Single(_glue.Started);
        var stop = Assert.Single(_glue.Calls, c => c.Operation == "BatchStopJobRun").Body;
        Assert.Equal([glueRunId], stop.GetProperty("JobRunIds").Deserialize<string[]>()!);
        Assert.Equal("STOPPED", _glue.StateOf(glueRunId));
        Assert.Contains(run.Results!, r => r is { Name: "Glue state", Value: "STOPPED" });
        Assert.Empty(_glue.Violations);
    }

    [Fact]
    public async Task Cancel_ThatComesTooLateToStopTheGlueRun_EndsSucceeded_WithItsOutput_SayingSo()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 30);
        _glue.Hold();
        var started = Host.Get<IConversionService>().StartConversion(new ConversionOptions(), ["customer_data"]).Single();
        var runner = Host.Get<IJobRunner>();
        await Eventually.UntilAsync(async () => (await runner.GetAsync(started.Id))!.ExternalId is { } id && _glue.IsHolding(id));
        var glueRunId = _glue.Started.Single();
        _glue.Refuse = (operation, _) =>
        {
            if (operation != "BatchStopJobRun")
            {
                return null;
            }

            // The run gets past the point where it can be stopped as the stop arrives.
            _glue.Release();
            return LoopbackAnswer.Json($$$"""{"SuccessfulSubmissions":[],"Errors":[{"JobName":"{{{GlueCoreHost.JobName}}}","JobRunId":"{{{glueRunId}}}","ErrorDetail":{"ErrorCode":"InvalidInputException","ErrorMessage":"Job Run cannot be stopped in its current state."}}]}""");
        };

        await runner.CancelAsync(started.Id);
        var run = await runner.WaitAsync(started.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal(30, run.Counts.RowsWritten);
        Assert.Contains(run.Results!, r => r.Name == "note" && r.Value.Contains("InvalidInputException", StringComparison.Ordinal));
        Assert.Contains(run.Results!, r => r.Name == "note" && r.Value.Contains("before the stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shutdown_LeavesTheGlueRunRunning_AndTheNextStartFollowsItToSucceeded()
    {
        Guid id;
        string glueRunId;
        using (var first = GlueCoreHost.Create(s3rver, _bucket, _glue, _root.Path))
        {
            await UploadAsync(first, DatasetRegistry.Customers, 60);
            _glue.Hold();
            id = first.Get<IConversionService>().StartConversion(new ConversionOptions(), ["customer_data"]).Single().Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.ExternalId is { } runId && _glue.IsHolding(runId));
            glueRunId = _glue.Started.Single();
        }

        // EcomOps is down: Glue was not asked to stop, and finishes the run meanwhile.
        Assert.DoesNotContain(_glue.Calls, c => c.Operation == "BatchStopJobRun");
        Assert.Equal("RUNNING", _glue.StateOf(glueRunId));
        _glue.Release();
        await _glue.WaitEndedAsync(glueRunId);

        var run = await Host.Get<IJobRunner>().WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(run.Status == JobStatus.Succeeded, $"{run.Status}: {run.Error}");
        Assert.Equal(glueRunId, run.ExternalId);
        Assert.Equal(60, run.Counts.RowsWritten);
        Assert.Contains(run.Outputs, o => o.Location.StartsWith("parquet/customer_data/part-", StringComparison.Ordinal) && o.Rows == 60);
        Assert.Single(_glue.Started);
    }

    [Fact]
    public async Task AccessDenied_OnStart_FailsTheRun_WithTheCodeAndRequestId()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);
        _glue.Refuse = (operation, _) => operation == "StartJobRun"
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/dash/me is not authorized to perform: glue:StartJobRun", "req-denied-42")
            : null;

        var run = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions());

        Assert.Equal(JobStatus.Failed, run.Status);
        Assert.Contains("AccessDeniedException", run.Error);
        Assert.Contains("req-denied-42", run.Error);
        Assert.Contains($"glue:StartJobRun, glue:GetJobRun and glue:BatchStopJobRun on job '{GlueCoreHost.JobName}'", run.Error);
        Assert.Null(run.ExternalId);
        Assert.Empty(_glue.Started);
    }

    [Fact]
    public async Task ConcurrentRunsExceeded_OnStart_IsRetried_SayingSoInTheRun()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);
        _glue.Refuse = (operation, before) => operation == "StartJobRun" && before == 0
            ? LoopbackAnswer.Error(400, "ConcurrentRunsExceededException", "Concurrent runs exceeded for ecomops-csv-to-parquet-test", "req-busy-1")
            : null;

        var run = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions());

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal(2, _glue.Calls.Count(c => c.Operation == "StartJobRun"));
        Assert.Contains(run.Results!, r => r.Name == "note" && r.Value.Contains("ConcurrentRunsExceededException", StringComparison.Ordinal) && r.Value.Contains("attempt 1 of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GlueRunFailed_FailsTheRun_WithGluesMessage_TheRunId_AndWhereTheLogsAre()
    {
        await UploadTextAsync(Host, DatasetRegistry.Customers, "CustomerID,Name,Email,Country,SignupDate\n1,A,a@example.com,NO,2024-01-01\nx,B,b@example.com,NO,2024-01-02\n");

        var run = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(MaxErrors: 0));

        Assert.Equal(JobStatus.Failed, run.Status);
        var glueRunId = Assert.Single(_glue.Started);
        Assert.Contains("ended FAILED: ValueError: ", run.Error);
        Assert.Contains(glueRunId, run.Error);
        Assert.Contains("/aws-glue/jobs/error", run.Error);
        Assert.Contains("until a refresh succeeds", run.Error);
        Assert.Contains(run.Results!, r => r.Name == "Glue error" && r.Value.StartsWith("ValueError: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARowGroupSize_TheScriptCannotHonour_IsRefusedBeforeGlueStarts_NamingTheOptionAndWhatToUseInstead()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);

        var rowGroups = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(RowGroupRows: 5_000));

        Assert.Equal(JobStatus.Failed, rowGroups.Status);
        Assert.Contains("Row group rows 5,000", rowGroups.Error);
        Assert.Contains("default 131,072", rowGroups.Error);
        Assert.Empty(_glue.Started);
    }

    [Fact]
    public async Task Overwrite_StartsAFullRefresh_WithTheBookmarkDisabledForThatRun_AndAppendLeavesTheJobsBookmarkOn()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 25);

        var overwrite = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Overwrite));
        var refreshed = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Overwrite));
        var append = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Append));

        Assert.Equal([JobStatus.Succeeded, JobStatus.Succeeded, JobStatus.Succeeded], [overwrite.Status, refreshed.Status, append.Status]);
        Assert.Empty(_glue.Violations);
        var arguments = _glue.Calls.Where(c => c.Operation == "StartJobRun")
            .Select(c => c.Body.GetProperty("Arguments").Deserialize<Dictionary<string, string>>()!).ToList();
        Assert.Equal(3, arguments.Count);
        var common = new Dictionary<string, string>
        {
            ["--source_prefix"] = $"s3://{_bucket}/raw/",
            ["--target_prefix"] = $"s3://{_bucket}/parquet/",
            ["--dataset"] = "customer_data",
            ["--partitioning"] = "none",
            ["--compression"] = "snappy",
            ["--bad_records_path"] = $"s3://{_bucket}/quarantine/",
            ["--max_errors"] = "1000",
        };
        Assert.Equal(new Dictionary<string, string>(common) { ["--mode"] = "overwrite", ["--job-bookmark-option"] = "job-bookmark-disable", ["--run_id"] = overwrite.Id.ToString("D") }, arguments[0]);
        Assert.Equal(new Dictionary<string, string>(common) { ["--mode"] = "overwrite", ["--job-bookmark-option"] = "job-bookmark-disable", ["--run_id"] = refreshed.Id.ToString("D") }, arguments[1]);
        Assert.Equal(new Dictionary<string, string>(common) { ["--mode"] = "append", ["--run_id"] = append.Id.ToString("D") }, arguments[2]);

        // The second refresh replaced the first rather than adding to it; the run says what kind of run it was.
        Assert.Equal((25, 25), (overwrite.Counts.RowsWritten, refreshed.Counts.RowsWritten));
        Assert.Contains(refreshed.Results!, r => r.Name == "mode" && r.Value.StartsWith("overwrite: a full refresh", StringComparison.Ordinal) && r.Value.Contains("job bookmark disabled", StringComparison.Ordinal));
        Assert.Contains(append.Results!, r => r.Name == "mode" && r.Value.StartsWith("append: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppendAfterAFullRefresh_SaysThatFilesTheRefreshHeldMayBeConvertedAgain_AndAnAppendAfterAnAppendDoesNot()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);
        await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Overwrite));

        var afterRefresh = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Append));
        var afterAppend = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Append));

        Assert.Equal(JobStatus.Succeeded, afterRefresh.Status);
        Assert.Contains(afterRefresh.Results!, r => r.Name == "note" && r.Value.Contains("was a full refresh", StringComparison.Ordinal) && r.Value.Contains("Convert with mode overwrite", StringComparison.Ordinal));
        Assert.Equal(JobStatus.Succeeded, afterAppend.Status);
        Assert.DoesNotContain(afterAppend.Results!, r => r.Name == "note" && r.Value.Contains("full refresh", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryArgumentTheEngineGivesTheScript_IsOneTheScriptReads()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 5);
        await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Overwrite));
        await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Append));
        var script = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "etl", "glue", GlueJobScript.FileName));

        var names = _glue.Calls.Where(c => c.Operation == "StartJobRun")
            .SelectMany(c => c.Body.GetProperty("Arguments").EnumerateObject().Select(p => p.Name))
            .Distinct().ToList();

        // Glue's own special parameter is read by Glue, not by the script.
        Assert.Contains("--job-bookmark-option", names);
        Assert.All(names.Where(n => n != "--job-bookmark-option"), n => Assert.Contains($"\"{n[2..]}\"", script, StringComparison.Ordinal));
        Assert.Contains("MODES = (\"append\", \"overwrite\")", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunThatFindsNoNewFiles_Succeeds_WithoutClaimingTheEarlierRunsOutput()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);
        var first = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions());
        _glue.NothingNew = true;

        var again = await ConvertAsync(Host, DatasetRegistry.Customers, new ConversionOptions(Mode: ConversionMode.Append));

        Assert.Equal((JobStatus.Succeeded, 10), (first.Status, first.Counts.RowsWritten));
        Assert.Equal(JobStatus.Succeeded, again.Status);
        Assert.Empty(again.Outputs);
        Assert.Equal(0, again.Counts.RowsWritten);
        Assert.Contains(again.Results!, r => r.Name == "note" && r.Value.Contains("job bookmark", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoDatasets_QueueOnTheGlueEngine_OneGlueRunAtATime()
    {
        await UploadAsync(Host, DatasetRegistry.Customers, 10);
        await UploadAsync(Host, DatasetRegistry.Products, 10);
        _glue.Hold();

        var runs = Host.Get<IConversionService>().StartConversion(new ConversionOptions(), ["customer_data", "catalog_data"]);
        var runner = Host.Get<IJobRunner>();
        await Eventually.UntilAsync(async () => (await runner.GetAsync(runs[0].Id))!.ExternalId is { } id && _glue.IsHolding(id));

        Assert.Equal(JobStatus.Queued, (await runner.GetAsync(runs[1].Id))!.Status);
        Assert.Single(_glue.Started);
        _glue.Release();
        Assert.All(await Task.WhenAll(runs.Select(r => runner.WaitAsync(r.Id).WaitAsync(TimeSpan.FromSeconds(60)))), r => Assert.Equal(JobStatus.Succeeded, r.Status));
        Assert.Equal(2, _glue.Started.Count);
    }

    private static async Task<JobRun> ConvertAsync(CoreHost host, DatasetSchema dataset, ConversionOptions options)
    {
        var started = host.Get<IConversionService>().StartConversion(options, [dataset.Name]).Single();
        return await host.Get<IJobRunner>().WaitAsync(started.Id).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static Task UploadAsync(CoreHost host, DatasetSchema dataset, int rows)
    {
        var generator = new Core.Generation.RowGenerator(new Core.Generation.GenerationOptions(Customers: rows, Products: rows, Transactions: rows, Seed: 3));
        return WriteAsync(host.Get<IObjectStore>(), dataset.RawKey, stream => Core.Generation.GeneratedCsv.WriteAsync(generator, dataset, rows, stream));
    }

    private static Task UploadTextAsync(CoreHost host, DatasetSchema dataset, string csv) =>
        WriteAsync(host.Get<IObjectStore>(), dataset.RawKey, stream => stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(csv)).AsTask());

    private static async Task WriteAsync(IObjectStore lake, string key, Func<Stream, Task> write)
    {
        await using var target = await lake.OpenWriteAsync(key);
        await write(target.Stream);
        await target.CommitAsync();
    }
}
