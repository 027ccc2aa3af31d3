using System.Globalization;
using System.Text.RegularExpressions;
using EcomOps.Core.Jobs;
using EcomOps.Core.Ops;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Tests.Jobs;

/// <summary>The run history in the ops database, across restarts and processes.</summary>
public sealed class JobHistoryTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    private CoreHost Host(Dictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?> { ["EcomOps:DataRoot"] = _root.Path };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        return new CoreHost(configuration: configuration);
    }

    [Fact]
    public async Task FinishedRuns_AreStillListedAfterARestart_WithCountsAndError()
    {
        Guid ok, failed;
        using (var first = Host())
        {
            var runner = first.Get<IJobRunner>();
            ok = runner.Start(TestScripts.Job((c, _, _) =>
            {
                c.SetCounts(x => x with { RowsRead = 10, RowsRejected = 2 });
                c.AddOutput(new JobOutput("s", "parquet/x/part-0.parquet", 1234, 8, true));
                return Task.CompletedTask;
            }, dataset: "customer_data", argument: "overwrite")).Id;
            failed = runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("no input in raw/customer_data/"))).Id;
            await runner.WaitAsync(ok);
            await runner.WaitAsync(failed);
        }

        using var second = Host();
        var runs = await second.Get<IJobRunner>().ListAsync(JobRunFilter.All);

        var done = runs.Single(r => r.Id == ok);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(new JobCounts(10, 8, 2, 0, 1234), done.Counts);
        Assert.Equal("overwrite", done.Parameters["argument"]);
        Assert.Equal(("customer_data", TestCallers.ProcessUser), (done.Dataset, done.StartedBy));
        Assert.Equal("parquet/x/part-0.parquet", Assert.Single(done.Outputs).Location);
        Assert.NotNull(done.Duration(DateTimeOffset.UtcNow));
        Assert.Equal("no input in raw/customer_data/", runs.Single(r => r.Id == failed).Error);
        Assert.Equal(2, (await second.Get<IJobRunner>().ListAsync(new JobRunFilter(Kind: "test"))).Count);
        Assert.Single(await second.Get<IJobRunner>().ListAsync(new JobRunFilter(FailedOnly: true)));
    }

    [Fact]
    public async Task RunsOfADeadProcess_BecomeInterrupted_AtStart()
    {
        using (var first = Host())
        {
            var run = first.Get<IJobRunner>().Start(TestScripts.Job((_, _, _) => Task.CompletedTask));
            await first.Get<IJobRunner>().WaitAsync(run.Id);

            // As if a process that no longer exists had left it Running.
            await ExecuteAsync(first, $"UPDATE job_runs SET status = 'Running', ended_at = NULL, owner_pid = 999999 WHERE id = '{run.Id}'");
        }

        using var second = Host();
        var interrupted = Assert.Single(await second.Get<IJobRunner>().ListAsync(JobRunFilter.All));

        Assert.Equal(JobStatus.Interrupted, interrupted.Status);
        Assert.Contains("EcomOps stopped while this run was in progress", interrupted.Error);
        Assert.NotNull(interrupted.EndedAt);
    }

    [Fact]
    public async Task StoppingTheApp_EndsItsLocalRunsInterrupted_AndTheyCanBeRunAgain()
    {
        Guid id;
        var attempts = 0;
        var job = TestScripts.Job(async (_, _, token) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                await Task.Delay(Timeout.Infinite, token);
            }
        });
        using (var first = Host())
        {
            id = first.Get<IJobRunner>().Start(job).Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.Status == JobStatus.Running);
        }

        using var second = Host();
        var stopped = (await second.Get<IJobRunner>().GetAsync(id))!;
        Assert.Equal(JobStatus.Interrupted, stopped.Status);
        Assert.Contains("EcomOps was stopped while this run was in progress", stopped.Error);

        var again = await second.Get<IJobRunner>().RetryAsync(id);
        Assert.Equal(JobStatus.Succeeded, (await second.Get<IJobRunner>().WaitAsync(again.Id)).Status);
    }

    [Fact]
    public async Task ARemoteRunThatFinishedWhileTheAppWasDown_IsReattachedAfterTheRestart_AndSucceeds()
    {
        var remote = new FakeRemoteEngine(_root.Path);
        var job = RemoteJob(remote);
        Guid id;
        using (var first = Host())
        {
            id = first.Get<IJobRunner>().Start(job).Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.ExternalId is not null);
        }

        // The app is down; the remote engine finishes the work meanwhile.
        var externalId = remote.Started.Single();
        remote.Finish(externalId, rows: 42);

        using var second = Host();
        var runner = second.Get<IJobRunner>();
        var done = await runner.WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(externalId, done.ExternalId);
        Assert.Equal(42, done.RowsWritten);
        Assert.Null(done.Error);
        Assert.Single(remote.Started);
    }

    [Fact]
    public async Task ARemoteRunStillRunningAfterARestart_IsFollowedUntilItEnds()
    {
        var remote = new FakeRemoteEngine(_root.Path);
        Guid id;
        using (var first = Host())
        {
            id = first.Get<IJobRunner>().Start(RemoteJob(remote)).Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.ExternalId is not null);
        }

        using var second = Host();
        var runner = second.Get<IJobRunner>();
        await Eventually.UntilAsync(async () => (await runner.GetAsync(id))!.Status == JobStatus.Running && ((JobRunner)runner).LiveRunCount == 1);
        remote.Fail(remote.Started.Single(), "Glue: out of DPUs");

        var done = await runner.WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((JobStatus.Failed, "Glue: out of DPUs"), (done.Status, done.Error));
    }

    [Fact]
    public async Task ARemoteRunWhoseClientBreaksAsEcomOpsStops_IsLeftRunning_NotFailed_AndFollowedAfterTheRestart()
    {
        var job = TestScripts.Job(
            async (context, _, token) =>
            {
                await context.SetExternalIdAsync("remote-7", token);
                // What a poll sees when the container disposes its HTTP client before the runner: not a cancellation.
                await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => throw new ObjectDisposedException("System.Net.Http.HttpClient"), TaskScheduler.Default);
            },
            resume: (context, _, externalId, _) =>
            {
                context.SetResults([new JobResult("followed", externalId)]);
                return Task.CompletedTask;
            });
        Guid id;
        using (var first = Host())
        {
            id = first.Get<IJobRunner>().Start(job).Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.ExternalId is not null);
        }

        using var second = Host();
        var done = await second.Get<IJobRunner>().WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal([new JobResult("followed", "remote-7")], done.Results);
    }

    [Fact]
    public async Task WithReattachingOff_ARemoteRunIsLeftForTheDashboard()
    {
        var remote = new FakeRemoteEngine(_root.Path);
        Guid id;
        using (var first = Host())
        {
            id = first.Get<IJobRunner>().Start(RemoteJob(remote)).Id;
            await Eventually.UntilAsync(async () => (await first.Get<IJobRunner>().GetAsync(id))!.ExternalId is not null);
        }

        using (var cli = Host(new() { ["EcomOps:Jobs:ReattachRemoteRuns"] = "false" }))
        {
            var left = (await cli.Get<IJobRunner>().GetAsync(id))!;
            Assert.Equal(JobStatus.Running, left.Status);
            Assert.Equal(0, ((JobRunner)cli.Get<IJobRunner>()).LiveRunCount);
        }

        remote.Finish(remote.Started.Single(), rows: 1);
        using var dashboard = Host();
        Assert.Equal(JobStatus.Succeeded, (await dashboard.Get<IJobRunner>().WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(20))).Status);
    }

    [Fact]
    public async Task ARunOfThisProcess_IsNotInterrupted_ByAnotherRunnerStarting()
    {
        using var first = Host();
        var release = new TaskCompletionSource();
        var run = first.Get<IJobRunner>().Start(TestScripts.Job((_, _, token) => release.Task.WaitAsync(token)));
        await Eventually.UntilAsync(async () => (await first.Get<IJobHistory>().GetAsync(run.Id))?.Status == JobStatus.Running);

        using var second = Host();
        await ((JobRunner)second.Get<IJobRunner>()).InitializeAsync();

        Assert.Equal(JobStatus.Running, (await second.Get<IJobHistory>().GetAsync(run.Id))!.Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await first.Get<IJobRunner>().WaitAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_FromAnotherRunner_ReachesTheRunThroughTheDatabase()
    {
        using var owner = Host();
        var run = owner.Get<IJobRunner>().Start(TestScripts.Job((_, _, token) => Task.Delay(Timeout.Infinite, token)));
        await Eventually.UntilAsync(async () => (await owner.Get<IJobHistory>().GetAsync(run.Id))?.Status == JobStatus.Running);

        using var other = Host();
        Assert.True(await other.Get<IJobRunner>().CancelAsync(run.Id));

        var done = await owner.Get<IJobRunner>().WaitAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JobStatus.Cancelled, done.Status);
    }

    [Fact]
    public async Task Watch_FromAnotherRunner_FollowsTheRunThroughTheDatabase_ToItsEnd()
    {
        using var owner = Host();
        var release = new TaskCompletionSource();
        var run = owner.Get<IJobRunner>().Start(TestScripts.Job((_, _, token) => release.Task.WaitAsync(token)));
        await Eventually.UntilAsync(async () => (await owner.Get<IJobHistory>().GetAsync(run.Id))?.Status == JobStatus.Running);

        using var other = Host();
        var watched = new List<JobStatus>();
        var watching = Task.Run(async () =>
        {
            await foreach (var snapshot in other.Get<IJobRunner>().WatchAsync(run.Id))
            {
                watched.Add(snapshot.Status);
            }
        });
        await Eventually.UntilAsync(() => Task.FromResult(watched.Count > 0));
        release.SetResult();
        await watching.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(JobStatus.Running, watched[0]);
        Assert.Equal(JobStatus.Succeeded, watched[^1]);
    }

    [Fact]
    public async Task OneRunPerDatasetAtATime_OthersWaitQueued()
    {
        using var host = Host();
        var runner = host.Get<IJobRunner>();
        var release = new TaskCompletionSource();
        TestJob Job(string dataset) => TestScripts.Job((_, _, token) => release.Task.WaitAsync(token), dataset: dataset);

        var a1 = runner.Start(Job("customer_data"));
        var a2 = runner.Start(Job("customer_data"));
        var b1 = runner.Start(Job("catalog_data"));
        await Eventually.UntilAsync(async () => (await runner.GetAsync(b1.Id))!.Status == JobStatus.Running && (await runner.GetAsync(a1.Id))!.Status == JobStatus.Running);

        Assert.Equal(JobStatus.Queued, (await runner.GetAsync(a2.Id))!.Status);
        Assert.True(await runner.CancelAsync(a2.Id));
        var cancelled = await runner.WaitAsync(a2.Id);
        Assert.Equal((JobStatus.Cancelled, "Cancelled by the user before it started."), (cancelled.Status, cancelled.Error));
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(a1.Id)).Status);
    }

    [Fact]
    public async Task ADatabaseOfTheFirstSchema_WithRuns_IsUpgraded_AndItsRunsAreFound()
    {
        // ops-jobs-v1.db was written by the EcomOps before per-capability versions: generate, convert (one
        // failed with rejected rows) through the CLI.
        File.Copy(Path.Combine(RepoPaths.Root, "EcomOps.Tests", "Ops", "Fixtures", "ops-jobs-v1.db"), Path.Combine(_root.Path, "ops.db"));

        using var host = Host();
        var runner = host.Get<IJobRunner>();
        var runs = await runner.ListAsync(JobRunFilter.All);

        Assert.Equal(6, runs.Count);
        Assert.Single(runs, r => r.Kind == JobKinds.Generate && r.Status == JobStatus.Succeeded && r.Title == "Generate 50 / 10 / 300 rows (seed 7)");
        var failed = Assert.Single(runs, r => r.Status == JobStatus.Failed);
        Assert.Equal(("customer_data", 1L), (failed.Dataset, failed.Counts.RowsRejected));
        Assert.StartsWith("quarantine/customer_data/", Assert.Single(failed.Outputs).Location);
        Assert.Equal(host.Get<OpsDatabase>().SchemaVersions, await host.Get<OpsDatabase>().StoredVersionsAsync());

        // Its runs did not keep their parameters: running one again says so instead of guessing.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RetryAsync(failed.Id));
        Assert.Contains("earlier EcomOps", error.Message);

        // And new runs go in beside them.
        var fresh = await runner.WaitAsync(runner.Start(TestScripts.Job((_, _, _) => Task.CompletedTask)).Id);
        Assert.Equal(7, (await runner.ListAsync(JobRunFilter.All)).Count);
        Assert.NotNull((await host.Get<IJobHistory>().GetAsync(fresh.Id))!.ParametersJson);
    }

    [Fact]
    public async Task ANewDatabase_RecordsTheVersionOfEachCapability_AndRefusesANewerOne()
    {
        using (var host = Host())
        {
            var versions = await host.Get<OpsDatabase>().StoredVersionsAsync();
            Assert.Equal(host.Get<OpsDatabase>().SchemaVersions, versions);
            Assert.Equal(Path.Combine(_root.Path, "ops.db"), host.Get<OpsDatabase>().Path);

            // What the file itself says, read without OpsDatabase: the layout mark, and a version per capability.
            await using var raw = new SqliteConnection($"Data Source={Path.Combine(_root.Path, "ops.db")};Pooling=False");
            await raw.OpenAsync();
            await using var read = raw.CreateCommand();
            read.CommandText = "PRAGMA user_version";
            Assert.Equal(2L, await read.ExecuteScalarAsync());
            read.CommandText = "SELECT count(*) FROM ops_schema WHERE (capability = 'jobs' AND version >= 3) OR (capability = 'catalog' AND version >= 1)";
            Assert.Equal(2L, await read.ExecuteScalarAsync());
            await ExecuteAsync(host, "UPDATE ops_schema SET version = 99 WHERE capability = 'jobs'");
        }

        SqliteConnection.ClearAllPools();
        using var newer = Host();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.Get<OpsDatabase>().StoredVersionsAsync());
        Assert.Contains("jobs tables at version 99, newer than this EcomOps", error.Message);
    }

    private static TestJob RemoteJob(FakeRemoteEngine remote) => TestScripts.Job(
        async (context, _, token) =>
        {
            var id = remote.Start();
            await context.SetExternalIdAsync(id, token);
            await remote.FollowAsync(context, id, token);
        },
        (context, _, externalId, token) => remote.FollowAsync(context, externalId, token));

    private static async Task ExecuteAsync(CoreHost host, string sql)
    {
        await using var connection = await host.Get<OpsDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Stands in for Glue or Athena: work it was given goes on outside EcomOps, its state kept in files, so it
    /// can finish while no EcomOps runs.
    /// </summary>
    private sealed class FakeRemoteEngine(string root)
    {
        private readonly string _folder = Directory.CreateDirectory(Path.Combine(root, "fake-remote")).FullName;

        public IReadOnlyList<string> Started => Directory.GetFiles(_folder).Select(Path.GetFileName).ToList()!;

        public string Start()
        {
            var id = "jr_" + Guid.NewGuid().ToString("N")[..12];
            File.WriteAllText(Path.Combine(_folder, id), "RUNNING");
            return id;
        }

        public void Finish(string id, long rows) => File.WriteAllText(Path.Combine(_folder, id), $"SUCCEEDED {rows}");

        public void Fail(string id, string error) => File.WriteAllText(Path.Combine(_folder, id), $"FAILED {error}");

        public async Task FollowAsync(JobContext context, string id, CancellationToken cancellationToken)
        {
            while (true)
            {
                var state = await File.ReadAllTextAsync(Path.Combine(_folder, id), cancellationToken);
                if (state.StartsWith("SUCCEEDED ", StringComparison.Ordinal))
                {
                    context.AddOutput(new JobOutput("s", "parquet/remote/", 0, long.Parse(state[10..], System.Globalization.CultureInfo.InvariantCulture), true));
                    return;
                }

                if (state.StartsWith("FAILED ", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(state[7..]);
                }

                await Task.Delay(20, cancellationToken);
            }
        }
    }
}
