using System.Diagnostics;
using EcomOps.Core.Jobs;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Xunit.Abstractions;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// <c>ecomops warehouse copy</c> SIGKILLed at seeded random moments: after each kill and a restart the table holds
/// its rows before the load or all of the load's, never part; the killed load is aborted in
/// <c>sys_load_history</c> and its run Interrupted; a new COPY loads everything.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashLoadTests(ITestOutputHelper output) : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const long FirstBatch = 1_000;

    // Sized so that a load works for a couple of seconds here.
    private const int BigRows = 600_000;

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Lake(params string[] parts) => _root.Lake(parts);

    private static string Copy(string folder) => $"COPY transactions_data FROM 's3://ecomops-lake/raw/{folder}/' {Role} CSV IGNOREHEADER 1 TIMEFORMAT 'auto'";

    [Fact]
    public Task Load_KilledAtRandomMoments_LeavesTheOldRowsOrTheWholeLoad_AbortsTheLoad_AndARerunLoads() => KillAsync(CrashHarness.CiKills);

    [HeavyFact]
    [Trait("Category", "Heavy")]
    public Task Load_KilledAtRandomMoments_LeavesTheOldRowsOrTheWholeLoad_AbortsTheLoad_AndARerunLoads_ManyTimes() => KillAsync(CrashHarness.HeavyKills);

    private async Task KillAsync(int kills)
    {
        var harness = new CrashHarness(output, "load", kills);
        CrashChecks.WriteTransactions(Lake("raw", "first", "transactions.csv"), 1, (int)FirstBatch);
        CrashChecks.WriteTransactions(Lake("raw", "big", "transactions.csv"), 1_000_000, BigRows);
        var first = await CliBinary.RunAsync(["--data-root", DataRoot, "warehouse", "copy", "--sql", Copy("first")]);
        Assert.True(first.Code == 0, first.Stderr);

        var start = CrashCli.On(DataRoot, "warehouse", "copy", "--sql", Copy("big"));
        var running = CrashCli.StepRunning(LoadJobHandler.LoadStep);
        var timing = await CrashHarness.TimeAsync(start, running);
        Assert.True(timing.ExitCode == 0, timing.Stderr);
        harness.Log($"a whole load: Running after {timing.ToRunning.TotalMilliseconds:0} ms, working {timing.Working.TotalMilliseconds:0} ms");
        var expected = FirstBatch + BigRows;
        Assert.Equal(expected, await RowsAfterRestartAsync());

        var completed = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < harness.Kills; i++)
        {
            var kill = await harness.KillAsync(start, running, timing);

            // The restart: a new process through Core's services opens the warehouse, which settles the dead load.
            var rows = await RowsAfterRestartAsync();
            Assert.True(rows == expected || rows == expected + BigRows, $"{kill}: the table has {rows} rows; before the load it had {expected}, the whole load adds {BigRows}");
            if (rows != expected)
            {
                expected = rows;
                completed++;
            }

            var loads = await LoadsAsync();
            Assert.DoesNotContain(loads, l => l.Status == LoadStatus.Running);
            Assert.Equal(expected, loads.Where(l => l.Status == LoadStatus.Completed).Sum(l => l.LoadedRows));
            Assert.All(loads.Where(l => l.Status == LoadStatus.Aborted), l => Assert.Equal(0, l.LoadedRows));
        }

        harness.Log($"{harness.Kills} kills in {clock.Elapsed.TotalSeconds:0.0} s: {harness.Summary()}; {completed} loads committed just before their kill");

        var rerun = await CliBinary.RunAsync(["--data-root", DataRoot, "warehouse", "copy", "--sql", Copy("big")]);
        Assert.True(rerun.Code == 0, rerun.Stderr);
        Assert.Equal(expected + BigRows, await RowsAfterRestartAsync());
        CrashChecks.AllSettled(DataRoot, JobKinds.Load, harness.Reports, $"seed {harness.Seed}");
        var aborted = (await LoadsAsync()).Count(l => l.Status == LoadStatus.Aborted);

        // A run seen loading had its load line written first: killed, it is aborted, unless it had committed.
        Assert.True(aborted + completed >= harness.Reports.Count(r => r.Phase == KillPhase.Running),
            $"{aborted} loads aborted and {completed} completed for {harness.Summary()}");
    }

    private async Task<long> RowsAfterRestartAsync()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
        var result = await host.Get<IWarehouse>().QueryAsync("SELECT count(*) FROM transactions_data");
        return Convert.ToInt64(result.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
        return await host.Get<IWarehouse>().LoadsAsync(new LoadFilter());
    }
}
