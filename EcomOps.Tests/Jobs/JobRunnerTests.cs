using EcomOps.Core.Jobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcomOps.Tests.Jobs;

public sealed class JobRunnerTests : IDisposable
{
    private readonly JobRunner _runner = new(TimeProvider.System, NullLogger<JobRunner>.Instance);

    public void Dispose() => _runner.Dispose();

    [Fact]
    public async Task Run_ReportsStepsOutputsAndSucceeds()
    {
        var run = _runner.Start(new JobDefinition("test", "Two steps", ["a", "b"], (context, _) =>
        {
            context.BeginStep("a", 10);
            context.Report("a", 5, 50);
            context.CompleteStep("a", 10, 100);
            context.BeginStep("b", 1);
            context.CompleteStep("b", 1, 1);
            context.AddOutput(new JobOutput("a", "raw/a.csv", 100, 10, true));
            return Task.CompletedTask;
        }));

        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.All(done.Steps, s => Assert.Equal(JobStatus.Succeeded, s.Status));
        Assert.Equal(100, done.Steps[0].Progress.Percent);
        Assert.Equal(10, done.RowsWritten);
        Assert.NotNull(done.EndedAt);
        Assert.Same(done, _runner.List()[0]);
    }

    [Fact]
    public async Task Cancel_StopsTheWork_AndTheRunEndsCancelled()
    {
        var started = new TaskCompletionSource();
        var run = _runner.Start(new JobDefinition("test", "Waits", ["wait"], async (context, token) =>
        {
            context.BeginStep("wait", null);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        }));
        await started.Task;

        Assert.True(_runner.Cancel(run.Id));
        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Equal(JobStatus.Cancelled, done.Steps[0].Status);
        Assert.False(_runner.Cancel(run.Id));
    }

    [Fact]
    public async Task Failure_KeepsTheErrorMessage()
    {
        var run = _runner.Start(new JobDefinition("test", "Fails", ["s"], (_, _) => throw new InvalidOperationException("disk full at raw/x.csv")));

        var done = await _runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal("disk full at raw/x.csv", done.Error);
    }

    [Fact]
    public async Task Subscribers_SeeEveryStatusChange()
    {
        var statuses = new List<JobStatus>();
        using var subscription = _runner.Subscribe(r =>
        {
            lock (statuses)
            {
                statuses.Add(r.Status);
            }
        });

        var run = _runner.Start(new JobDefinition("test", "Quick", ["s"], (_, _) => Task.CompletedTask));
        await _runner.WaitAsync(run.Id);

        lock (statuses)
        {
            Assert.Equal([JobStatus.Queued, JobStatus.Running, JobStatus.Succeeded], statuses.Distinct());
        }
    }

    [Fact]
    public async Task AtMostTwoRunsExecuteAtOnce_TheThirdWaitsQueued()
    {
        var release = new TaskCompletionSource();
        var running = 0;
        var maxRunning = 0;
        async Task Work(JobContext context, CancellationToken token)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await release.Task.WaitAsync(token);
            Interlocked.Decrement(ref running);
        }

        var runs = Enumerable.Range(0, 3).Select(i => _runner.Start(new JobDefinition("test", $"r{i}", ["s"], Work))).ToList();
        await WaitUntil(() => _runner.List().Count(r => r.Status == JobStatus.Running) == 2);
        Assert.Equal(1, _runner.List().Count(r => r.Status == JobStatus.Queued));

        release.SetResult();
        foreach (var run in runs)
        {
            Assert.Equal(JobStatus.Succeeded, (await _runner.WaitAsync(run.Id)).Status);
        }

        Assert.Equal(2, maxRunning);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 5 s");
    }
}
