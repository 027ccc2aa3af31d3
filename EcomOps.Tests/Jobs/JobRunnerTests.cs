using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Jobs;

/// <summary>The job runner in one process, over a real ops database.</summary>
public sealed class JobRunnerTests : IDisposable
{
    private readonly CoreHost _host;
    private readonly IJobRunner _runner;

    public JobRunnerTests()
    {
        _host = new CoreHost();
        _runner = _host.Get<IJobRunner>();
    }

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Run_ReportsStepsOutputsAndSucceeds()
    {
        var run = _runner.Start(TestScripts.Job((context, _, _) =>
        {
            context.BeginStep("a", 10);
            context.Report("a", 5, 50);
            context.CompleteStep("a", 10, 100);
            context.BeginStep("b", 1);
            context.CompleteStep("b", 1, 1);
            context.AddOutput(new JobOutput("a", "raw/a.csv", 100, 10, true));
            return Task.CompletedTask;
        }, title: "Two steps", steps: ["a", "b"]));

        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.All(done.Steps, s => Assert.Equal(JobStatus.Succeeded, s.Status));
        Assert.Equal(100, done.Steps[0].Progress.Percent);
        Assert.Equal(10, done.RowsWritten);
        Assert.NotNull(done.EndedAt);
        var listed = (await _runner.ListAsync(JobRunFilter.All))[0];
        Assert.Equal((done.Id, JobStatus.Succeeded, 10L, TestCallers.ProcessUser), (listed.Id, listed.Status, listed.RowsWritten, listed.StartedBy));
    }

    [Fact]
    public async Task Cancel_StopsTheWork_AndTheRunEndsCancelled()
    {
        var started = new TaskCompletionSource();
        var run = _runner.Start(TestScripts.Job(async (context, _, token) =>
        {
            context.BeginStep("s", null);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        }));
        await started.Task;

        Assert.True(await _runner.CancelAsync(run.Id));
        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Equal("Cancelled by the user.", done.Error);
        Assert.Equal(JobStatus.Cancelled, done.Steps[0].Status);
        Assert.False(await _runner.CancelAsync(run.Id));
    }

    [Fact]
    public async Task Failure_KeepsTheErrorMessage()
    {
        var run = _runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("disk full at raw/x.csv")));

        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal("disk full at raw/x.csv", done.Error);
    }

    [Fact]
    public async Task Watch_OfARunThatEndsRightAway_EndsWithItsFinalSnapshot_ForEveryOneOfManyRuns()
    {
        // A page that reads a run and then starts to watch it must see it end, however close the two are.
        var job = TestScripts.Job((_, _, _) => Task.CompletedTask);
        var runs = Enumerable.Range(0, 50).Select(_ => _runner.Start(job)).ToList();

        foreach (var run in runs)
        {
            var seen = new List<JobRun>();
            await foreach (var snapshot in _runner.WatchAsync(run.Id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
            {
                seen.Add(snapshot);
            }

            Assert.Equal(JobStatus.Succeeded, seen[^1].Status);
            Assert.All(seen.SkipLast(1), s => Assert.False(s.IsFinished));
        }
    }

    [Fact]
    public async Task Watch_GivesTheCurrentSnapshotFirst_ThenChanges_EndingWithTheFinalOne()
    {
        var go = new TaskCompletionSource();
        var run = _runner.Start(TestScripts.Job(async (context, _, token) =>
        {
            await go.Task.WaitAsync(token);
            context.BeginStep("s", 2);
            context.CompleteStep("s", 2);
        }));
        await Eventually.UntilAsync(async () => (await _runner.GetAsync(run.Id))!.Status == JobStatus.Running);

        var statuses = new List<(JobStatus Run, JobStatus Step)>();
        await foreach (var snapshot in _runner.WatchAsync(run.Id))
        {
            statuses.Add((snapshot.Status, snapshot.Steps[0].Status));
            go.TrySetResult();
        }

        Assert.Equal((JobStatus.Running, JobStatus.Queued), statuses[0]);
        Assert.Equal((JobStatus.Succeeded, JobStatus.Succeeded), statuses[^1]);
    }

    [Fact]
    public async Task Watch_OfAnUnknownRun_EndsAtOnce()
    {
        await foreach (var _ in _runner.WatchAsync(Guid.NewGuid()))
        {
            Assert.Fail("An unknown run has no snapshots.");
        }
    }

    [Fact]
    public async Task AtMostTwoRunsExecuteAtOnce_TheThirdWaitsQueued()
    {
        var release = new TaskCompletionSource();
        var job = TestScripts.Job((_, _, token) => release.Task.WaitAsync(token));
        var runs = Enumerable.Range(0, 3).Select(_ => _runner.Start(job)).ToList();

        await Eventually.UntilAsync(async () => (await StatusesAsync(runs)).Count(s => s == JobStatus.Running) == 2);
        Assert.Equal(1, (await StatusesAsync(runs)).Count(s => s == JobStatus.Queued));

        release.SetResult();
        foreach (var run in runs)
        {
            Assert.Equal(JobStatus.Succeeded, (await _runner.WaitAsync(run.Id)).Status);
        }
    }

    [Fact]
    public async Task ConcurrencyLimit_ComesFromSettings()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:Jobs:MaxConcurrentRuns"] = "1" });
        var runner = host.Get<IJobRunner>();
        var release = new TaskCompletionSource();
        var job = TestScripts.Job((_, _, token) => release.Task.WaitAsync(token));
        var first = runner.Start(job);
        var second = runner.Start(job);

        await Eventually.UntilAsync(async () => (await runner.GetAsync(first.Id))!.Status == JobStatus.Running);
        Assert.Equal(JobStatus.Queued, (await runner.GetAsync(second.Id))!.Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(second.Id)).Status);
    }

    [Fact]
    public async Task ResourceLimits_ApplyToEngines_AndRemoteWorkDoesNotTakeALocalSlot()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:Jobs:EngineLimits:glue"] = "1" });
        var runner = host.Get<IJobRunner>();
        var release = new TaskCompletionSource();
        var glue = TestScripts.Job((_, _, token) => release.Task.WaitAsync(token), resources: [JobResources.Engine("glue")]);
        var local = TestScripts.Job((_, _, token) => release.Task.WaitAsync(token));
        var glue1 = runner.Start(glue);
        var glue2 = runner.Start(glue);
        var local1 = runner.Start(local);
        var local2 = runner.Start(local);

        await Eventually.UntilAsync(async () => (await StatusesAsync([glue1, local1, local2], runner)).All(s => s == JobStatus.Running));
        Assert.Equal(JobStatus.Queued, (await runner.GetAsync(glue2.Id))!.Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(glue2.Id)).Status);
    }

    [Fact]
    public async Task TwoParents_EachWaitingOnTwoChildren_WithALimitOfTwo_AllFinish()
    {
        var executing = 0;
        var most = 0;
        var child = TestScripts.Job(async (_, _, token) =>
        {
            var now = Interlocked.Increment(ref executing);
            InterlockedMax(ref most, now);
            await Task.Delay(50, token);
            Interlocked.Decrement(ref executing);
        }, title: "child");
        var parentStarted = new CountdownEvent(2);
        var parent = TestScripts.Job(async (context, _, token) =>
        {
            var now = Interlocked.Increment(ref executing);
            InterlockedMax(ref most, now);
            parentStarted.Signal();

            // Both parents hold both slots before any child exists: the case that deadlocks a naive queue.
            await Task.Run(() => parentStarted.Wait(token), token);
            var children = new[] { context.StartChild(child), context.StartChild(child) };
            Interlocked.Decrement(ref executing);
            var finished = await context.WaitForChildrenAsync(children.Select(c => c.Id).ToList(), token);
            Interlocked.Increment(ref executing);
            Assert.All(finished, f => Assert.Equal(JobStatus.Succeeded, f.Status));
            Interlocked.Decrement(ref executing);
        }, title: "parent");

        var parents = new[] { _runner.Start(parent), _runner.Start(parent) };
        var done = await Task.WhenAll(parents.Select(p => _runner.WaitAsync(p.Id))).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.All(done, d => Assert.Equal(JobStatus.Succeeded, d.Status));
        Assert.True(most <= 2, $"{most} runs worked at once with a limit of 2");
        foreach (var p in parents)
        {
            var children = await _runner.ListAsync(new JobRunFilter(ParentId: p.Id));
            Assert.Equal(2, children.Count);
            Assert.All(children, c => Assert.Equal((JobStatus.Succeeded, TestCallers.ProcessUser), (c.Status, c.StartedBy)));
        }
    }

    [Fact]
    public async Task CancellingAParent_CancelsItsChildren()
    {
        var childRunning = new TaskCompletionSource<Guid>();
        var child = TestScripts.Job(async (context, _, token) =>
        {
            childRunning.TrySetResult(context.RunId);
            await Task.Delay(Timeout.Infinite, token);
        });
        var parent = _runner.Start(TestScripts.Job(async (context, _, token) =>
        {
            var started = context.StartChild(child);
            await context.WaitForChildrenAsync([started.Id], token);
        }));
        var childId = await childRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(await _runner.CancelAsync(parent.Id));

        Assert.Equal(JobStatus.Cancelled, (await _runner.WaitAsync(childId)).Status);
        Assert.Equal(JobStatus.Cancelled, (await _runner.WaitAsync(parent.Id)).Status);
    }

    [Fact]
    public async Task Retry_StartsANewRunWithTheSameParameters_AndSaysWhichRunItRetries()
    {
        var attempts = new List<string?>();
        var job = TestScripts.Job((_, j, _) =>
        {
            lock (attempts)
            {
                attempts.Add(j.Argument);
            }

            return attempts.Count == 1 ? throw new IOException("the network went away") : Task.CompletedTask;
        }, argument: "raw/customer_data/");
        var first = await _runner.WaitAsync(_runner.Start(job).Id);
        Assert.Equal(JobStatus.Failed, first.Status);
        Assert.True(first.CanRetry);

        var again = await _runner.RetryAsync(first.Id);
        var done = await _runner.WaitAsync(again.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(first.Id, done.RetryOf);
        Assert.Equal(TestCallers.ProcessUser, done.StartedBy);
        Assert.Equal(first.ParametersJson, done.ParametersJson);
        Assert.Equal("raw/customer_data/", done.Parameters["argument"]);
        Assert.Equal(["raw/customer_data/", "raw/customer_data/"], attempts);
    }

    [Fact]
    public async Task Retry_OfARunStillRunning_IsRefusedWithAMessage()
    {
        var release = new TaskCompletionSource();
        var run = _runner.Start(TestScripts.Job((_, _, token) => release.Task.WaitAsync(token)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RetryAsync(run.Id));

        Assert.Contains("is still", error.Message);
        release.SetResult();
        await _runner.WaitAsync(run.Id);
    }

    [Fact]
    public async Task EveryRunEndsInTheHistoryAsItEnded_SavesAreAppliedInOrder()
    {
        // Many runs each save Queued, Running and Succeeded within milliseconds; a save landing out of order
        // would leave one of them Running in the history after it ended.
        var job = TestScripts.Job((context, _, _) =>
        {
            context.BeginStep("s", 3);
            context.Report("s", 1);
            context.Report("s", 2);
            context.CompleteStep("s", 3);
            return Task.CompletedTask;
        });
        var runs = new List<JobRun>();
        for (var batch = 0; batch < 6; batch++)
        {
            var started = Enumerable.Range(0, 50).Select(_ => _runner.Start(job)).ToList();
            await Task.WhenAll(started.Select(r => _runner.WaitAsync(r.Id)));
            runs.AddRange(started);
        }

        using var reader = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = _host.DataRoot });
        var history = reader.Get<IJobHistory>();
        foreach (var run in runs)
        {
            var stored = await history.GetAsync(run.Id);
            Assert.Equal((JobStatus.Succeeded, JobStatus.Succeeded, 3L), (stored!.Status, stored.Steps[0].Status, stored.Steps[0].Progress.Done));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private async Task<List<JobStatus>> StatusesAsync(IEnumerable<JobRun> runs, IJobRunner? runner = null)
    {
        var statuses = new List<JobStatus>();
        foreach (var run in runs)
        {
            statuses.Add((await (runner ?? _runner).GetAsync(run.Id))!.Status);
        }

        return statuses;
    }
}

/// <summary>Memory is measured for the whole process, so this runs alone, after the tests that run in parallel.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(nameof(RunsAlone))]
public sealed class JobRunnerMemoryTests : IDisposable
{
    private readonly CoreHost _host = new();

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task TenThousandShortRuns_LeaveNothingInMemory()
    {
        var runner = (JobRunner)_host.Get<IJobRunner>();
        var job = TestScripts.Job((context, _, _) =>
        {
            context.BeginStep("s", 1);
            context.CompleteStep("s", 1);
            return Task.CompletedTask;
        });

        async Task RunBatchAsync(int count)
        {
            for (var done = 0; done < count; done += 50)
            {
                var batch = Enumerable.Range(0, 50).Select(_ => runner.Start(job)).ToList();
                await Task.WhenAll(batch.Select(r => runner.WaitAsync(r.Id)));
            }
        }

        await RunBatchAsync(1_000);
        var before = Managed();
        await RunBatchAsync(9_000);
        var after = Managed();

        Assert.Equal(0, runner.LiveRunCount);
        Assert.True(after - before < 4_000_000, $"managed memory grew by {after - before:N0} bytes over 9,000 more runs");
        Assert.Equal(100, (await runner.ListAsync(new JobRunFilter(Status: JobStatus.Succeeded, Limit: 100))).Count);
    }

    private static long Managed()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
