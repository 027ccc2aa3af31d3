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

    private CoreHost Host() => new(configuration: new() { ["EcomOps:DataRoot"] = _root.Path });

    [Fact]
    public async Task FinishedRuns_AreStillListedAfterARestart_WithCountsAndError()
    {
        Guid ok, failed;
        using (var first = Host())
        {
            var runner = first.Get<IJobRunner>();
            ok = runner.Start(new JobDefinition("test", "Counts", ["s"], (c, _) =>
            {
                c.SetCounts(x => x with { RowsRead = 10, RowsRejected = 2 });
                c.AddOutput(new JobOutput("s", "parquet/x/part-0.parquet", 1234, 8, true));
                return Task.CompletedTask;
            }, new Dictionary<string, string> { ["mode"] = "overwrite" }, "customer_data", "cli")).Id;
            failed = runner.Start(new JobDefinition("test", "Fails", ["s"], (_, _) => throw new InvalidOperationException("no input in raw/customer_data/"))).Id;
            await runner.WaitAsync(ok);
            await runner.WaitAsync(failed);
        }

        using var second = Host();
        var runs = second.Get<IJobRunner>().List();

        var done = runs.Single(r => r.Id == ok);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(new JobCounts(10, 8, 2, 0, 1234), done.Counts);
        Assert.Equal("overwrite", done.Parameters["mode"]);
        Assert.Equal(("customer_data", "cli"), (done.Dataset, done.StartedBy));
        Assert.Equal("parquet/x/part-0.parquet", Assert.Single(done.Outputs).Location);
        Assert.NotNull(done.Duration(DateTimeOffset.UtcNow));
        Assert.Equal("no input in raw/customer_data/", runs.Single(r => r.Id == failed).Error);
        Assert.Equal(2, second.Get<IJobRunner>().List(new JobRunFilter(Kind: "test")).Count);
        Assert.Single(second.Get<IJobRunner>().List(new JobRunFilter(FailedOnly: true)));
    }

    [Fact]
    public async Task RunsOfADeadProcess_BecomeInterrupted_AtStart()
    {
        using (var first = Host())
        {
            var run = first.Get<IJobRunner>().Start(new JobDefinition("test", "Left running", ["s"], (_, _) => Task.CompletedTask));
            await first.Get<IJobRunner>().WaitAsync(run.Id);

            // As if a process that no longer exists had left it Running.
            using var connection = first.Get<OpsDatabase>().Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE job_runs SET status = 'Running', ended_at = NULL, owner_pid = 999999 WHERE id = $id";
            command.Parameters.AddWithValue("$id", run.Id.ToString());
            command.ExecuteNonQuery();
        }

        using var second = Host();
        var interrupted = Assert.Single(second.Get<IJobRunner>().List());

        Assert.Equal(JobStatus.Interrupted, interrupted.Status);
        Assert.Contains("EcomOps stopped while this run was in progress", interrupted.Error);
        Assert.NotNull(interrupted.EndedAt);
    }

    [Fact]
    public async Task ARunOfThisProcess_IsNotInterrupted_ByAnotherRunnerStarting()
    {
        using var first = Host();
        var release = new TaskCompletionSource();
        var run = first.Get<IJobRunner>().Start(new JobDefinition("test", "Long", ["s"], async (_, token) => await release.Task.WaitAsync(token)));
        await WaitUntil(() => first.Get<IJobRunner>().Get(run.Id)!.Status == JobStatus.Running);

        using var second = Host();
        _ = second.Get<IJobRunner>();

        Assert.Equal(JobStatus.Running, second.Get<IJobHistory>().Get(run.Id)!.Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await first.Get<IJobRunner>().WaitAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_FromAnotherRunner_ReachesTheRunThroughTheDatabase()
    {
        using var owner = Host();
        var run = owner.Get<IJobRunner>().Start(new JobDefinition("test", "Waits", ["s"], async (_, token) => await Task.Delay(Timeout.Infinite, token)));
        await WaitUntil(() => owner.Get<IJobRunner>().Get(run.Id)!.Status == JobStatus.Running);
        await WaitUntil(() => owner.Get<IJobHistory>().Get(run.Id)?.Status == JobStatus.Running);

        using var other = Host();
        Assert.True(other.Get<IJobRunner>().Cancel(run.Id));

        var done = await owner.Get<IJobRunner>().WaitAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JobStatus.Cancelled, done.Status);
    }

    [Fact]
    public async Task OneRunPerDatasetAtATime_OthersWaitQueued()
    {
        using var host = Host();
        var runner = host.Get<IJobRunner>();
        var release = new TaskCompletionSource();
        Task Work(JobContext _, CancellationToken token) => release.Task.WaitAsync(token);

        var a1 = runner.Start(new JobDefinition("test", "a1", ["s"], Work, Dataset: "customer_data"));
        var a2 = runner.Start(new JobDefinition("test", "a2", ["s"], Work, Dataset: "customer_data"));
        var b1 = runner.Start(new JobDefinition("test", "b1", ["s"], Work, Dataset: "catalog_data"));
        await WaitUntil(() => runner.Get(b1.Id)!.Status == JobStatus.Running && runner.Get(a1.Id)!.Status == JobStatus.Running);

        Assert.Equal(JobStatus.Queued, runner.Get(a2.Id)!.Status);
        Assert.True(runner.Cancel(a2.Id));
        Assert.Equal(JobStatus.Cancelled, (await runner.WaitAsync(a2.Id)).Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(a1.Id)).Status);
    }

    [Fact]
    public void Database_OnAFreshDataRoot_IsMarkedWithTheMigrationsApplied_AndAReopenAppliesNone()
    {
        var log = new LogCollector();
        using (var host = new CoreHost(services => services.AddSingleton<ILoggerProvider>(log), new() { ["EcomOps:DataRoot"] = _root.Path }))
        {
            host.Get<IJobHistory>().List(JobRunFilter.All);
        }

        var applied = Migrated(log);
        Assert.Equal(Enumerable.Range(1, OpsDatabase.SchemaVersion), applied);

        // What the file itself says, read without OpsDatabase.
        var file = Path.Combine(_root.Path, "ops.db");
        Assert.Equal(applied.Count, UserVersion(file));
        Assert.Contains("job_runs", Tables(file));

        var again = new LogCollector();
        using (var host = new CoreHost(services => services.AddSingleton<ILoggerProvider>(again), new() { ["EcomOps:DataRoot"] = _root.Path }))
        {
            host.Get<IJobHistory>().List(JobRunFilter.All);
        }

        Assert.Empty(Migrated(again));
        Assert.Equal(applied.Count, UserVersion(file));
    }

    // The version each "migrated to version N" log line reports, in order.
    private static List<int> Migrated(LogCollector log) =>
        [.. log.Entries.Select(e => Regex.Match(e.Message, @"^Ops database .* migrated to version (\d+)$")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    private static long UserVersion(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> Tables(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 10 s");
    }
}
