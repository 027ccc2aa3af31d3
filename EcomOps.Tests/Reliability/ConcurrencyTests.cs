using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Tests.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// Work started at the same instant: two conversions of one dataset (through the service, and from two CLI
/// processes) never interleave; twenty lake queries in parallel each get their own right answer; the ops database
/// keeps every row written by several processes at once.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ConcurrencyTests : IDisposable
{
    // These tests are about many writers and readers at once, not the per-user query limit of a minute.
    private const string Unlimited = "100000";

    private const int Rows = 300_000;

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Lake(params string[] parts) => _root.Lake(parts);

    [Fact]
    public async Task TwoConversionsOfOneDataset_StartedTogetherThroughTheService_RunOneAfterTheOther()
    {
        CrashChecks.WriteTransactions(Lake("raw", "transactions_data", "transactions.csv"), 1, Rows);
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot, ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });
        var conversion = host.Get<IConversionService>();
        var runner = host.Get<IJobRunner>();
        using var go = new Barrier(2);
        var started = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            go.SignalAndWait();
            return conversion.StartConversion(new ConversionOptions(Partitioning: Partitioning.Month), ["transactions_data"]).Single();
        })));

        var finished = await Task.WhenAll(started.Select(r => runner.WaitAsync(r.Id)));

        Assert.All(finished, r => Assert.Equal(JobStatus.Succeeded, r.Status));
        AssertOneAfterTheOther(finished[0], finished[1]);
        Assert.Equal(Rows, CrashChecks.VisibleRows(Lake("parquet", "transactions_data"), "after two conversions"));
        var last = finished.MaxBy(r => r.EndedAt)!;
        Assert.All(Directory.EnumerateFiles(Lake("parquet", "transactions_data"), "*.parquet", SearchOption.AllDirectories),
            f => Assert.Contains(last.Id.ToString("D"), Path.GetFileName(f)));
    }

    [Fact]
    public async Task TwoConvertProcesses_StartedTogether_AreSerialisedOrTheSecondIsRefusedWithAMessage_NeverInterleaved()
    {
        CrashChecks.WriteTransactions(Lake("raw", "transactions_data", "transactions.csv"), 1, Rows);
        string[] args = ["--data-root", DataRoot, "convert", "--dataset", "transactions_data", "--partition-by", "month"];

        // Several rounds: the two processes reach the ops database and the lake in a different order each time.
        for (var round = 1; round <= 3; round++)
        {
            var results = await Task.WhenAll(CliBinary.RunAsync(args), CliBinary.RunAsync(args));

            var context = $"round {round}:\n{string.Join("\n---\n", results.Select(r => $"exit {r.Code}\n{r.Stdout}{r.Stderr}"))}";
            var succeeded = results.Count(r => r.Code == 0);
            Assert.True(succeeded >= 1, context);
            foreach (var refused in results.Where(r => r.Code != 0))
            {
                Assert.Contains("Another conversion of transactions_data is running", refused.Stderr);
            }

            var runs = await RunsAsync(JobKinds.Convert);
            var latest = runs.Take(2).ToList();
            if (succeeded == 2)
            {
                AssertOneAfterTheOther(latest[0], latest[1]);
            }

            Assert.Equal(Rows, CrashChecks.VisibleRows(Lake("parquet", "transactions_data"), context));
            Assert.DoesNotContain(runs, r => r.Status is JobStatus.Running or JobStatus.Queued);
        }
    }

    [Fact]
    public async Task TwentyLakeQueries_InParallel_EachReturnItsOwnRightAnswer_AndAreAllInTheHistory()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot, ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });
        await host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(300, 40, 20_000));
        await host.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await host.Services.CrawlAsync()).Status);

        // Each query asks something different, and its answer is worked out first by DuckDB straight from the files.
        var parquet = DuckDb.Literal(Lake("parquet", "transactions_data") + "/**/*.parquet");
        var queries = Enumerable.Range(0, 20).Select(k => (
            Lake: $"SELECT count(*) AS n, sum(amount) AS total FROM ecom.transactions_data WHERE customerid % 20 = {k}",
            Direct: $"SELECT count(*) AS n, sum(Amount) AS total FROM read_parquet({parquet}, hive_partitioning = true) WHERE CustomerID % 20 = {k}")).ToList();
        List<string> expected;
        using (var duck = new DuckDb())
        {
            expected = queries.Select(q => Answer(duck.Rows(q.Direct)[0])).ToList();
        }

        Assert.Equal(20, expected.Distinct().Count());
        var service = host.Get<IQueryService>();
        using var go = new Barrier(queries.Count);
        var answers = await Task.WhenAll(queries.Select(q => Task.Run(async () =>
        {
            go.SignalAndWait();
            var result = await service.RunAsync(new QueryRunRequest(q.Lake));
            return Answer(result.Rows.Single());
        })));

        Assert.Equal(expected, answers);
        var history = await service.HistoryAsync(50);
        Assert.Equal(20, history.Count(h => h.Status == "Succeeded" && h.Sql.Contains("customerid % 20", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OpsDatabase_WrittenByThreeProcessesAtOnce_LosesNoRow_AndIsNeverLocked()
    {
        const int RunsPerCli = 3;
        const int Queries = 60;
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot, ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });
        var runner = host.Get<IJobRunner>();
        await runner.ListAsync(new JobRunFilter(Limit: 1));

        // Two CLI processes each run pipelines one after the other (runs, steps, pipeline rows, progress snapshots)
        // while this process, as the dashboard would, records query history and runs of its own.
        string[] pipeline = ["--data-root", DataRoot, "pipeline", "run", "--steps", "generate", "--customers", "20", "--products", "5", "--transactions", "50"];
        var clis = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var outputs = new List<(int Code, string Stdout, string Stderr)>();
            for (var i = 0; i < RunsPerCli; i++)
            {
                outputs.Add(await CliBinary.RunAsync(pipeline));
            }

            return outputs;
        })).ToList();
        var queries = host.Get<IQueryService>();
        var own = new List<Guid>();
        using var caller = host.As("dashboard", Role.Operator);
        for (var i = 0; i < Queries; i++)
        {
            await queries.RunAsync(new QueryRunRequest(string.Create(CultureInfo.InvariantCulture, $"SELECT {i} AS n")));
            own.Add(runner.Start(TestScripts.Job((_, _, _) => Task.CompletedTask)).Id);
        }

        var cli = (await Task.WhenAll(clis)).SelectMany(o => o).ToList();
        foreach (var id in own)
        {
            Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(id)).Status);
        }

        Assert.All(cli, o => Assert.True(o.Code == 0, o.Stderr));
        Assert.DoesNotContain(cli, o => o.Stderr.Contains("locked", StringComparison.OrdinalIgnoreCase) || o.Stderr.Contains("busy", StringComparison.OrdinalIgnoreCase));

        // Read back by a reader of its own: every row is there.
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataRoot, "ops.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(
            $"generate Succeeded {2 * RunsPerCli}, pipeline Succeeded {2 * RunsPerCli}, test Succeeded {Queries}",
            Scalar(connection, "SELECT group_concat(line, ', ') FROM (SELECT kind || ' ' || status || ' ' || count(*) AS line FROM job_runs GROUP BY kind, status ORDER BY kind, status)"));
        Assert.Equal(Queries, (await queries.HistoryAsync(500)).Count(h => h.User == "dashboard" && h.Status == "Succeeded"));
    }

    [Fact]
    public async Task ARunWorkingInOneProcess_IsLeftRunning_ByAnotherProcessStartingUpMeanwhile()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot, ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });
        var runner = host.Get<IJobRunner>();
        await runner.ListAsync(new JobRunFilter(Limit: 1));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = runner.Start(TestScripts.Job((_, _, token) => release.Task.WaitAsync(token)));
        await Eventually.UntilAsync(async () => CrashChecks.Runs(DataRoot, "test").Any(r => r.Status == "Running"));

        // Another process starts (its runner settles the runs of processes that are gone) while this one works.
        var ls = await CliBinary.RunAsync(["--data-root", DataRoot, "jobs", "ls"]);
        Assert.True(ls.Code == 0, ls.Stderr);

        Assert.Equal("Running", CrashChecks.Runs(DataRoot, "test").Single().Status);
        release.SetResult();
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(run.Id)).Status);
        Assert.Equal("Succeeded", CrashChecks.Runs(DataRoot, "test").Single().Status);
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private async Task<IReadOnlyList<JobRun>> RunsAsync(string kind)
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot, ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });
        return await host.Get<IJobRunner>().ListAsync(new JobRunFilter(Kind: kind));
    }

    private static string Answer(object?[] row) => string.Create(CultureInfo.InvariantCulture,
        $"{Convert.ToInt64(row[0], CultureInfo.InvariantCulture)}|{Convert.ToDecimal(row[1], CultureInfo.InvariantCulture):0.00}");

    private static void AssertOneAfterTheOther(JobRun a, JobRun b)
    {
        var (first, second) = a.StartedAt <= b.StartedAt ? (a, b) : (b, a);
        Assert.True(second.StartedAt >= first.EndedAt,
            $"the conversions overlapped: {first.Id} ran {first.StartedAt:HH:mm:ss.fff}-{first.EndedAt:HH:mm:ss.fff}, {second.Id} started {second.StartedAt:HH:mm:ss.fff}");
    }
}
