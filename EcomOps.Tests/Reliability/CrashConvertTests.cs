using System.Diagnostics;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Xunit.Abstractions;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// <c>ecomops convert</c> SIGKILLed at seeded random moments of its run, again and again on one data root: after
/// each kill a reader of the Parquet folder sees the previous complete output or the new complete one, never
/// part of one; after a restart no run is left Running, the killed ones are Interrupted, and a new run converts
/// everything. Kills: <see cref="CrashHarness.CiKills"/> in CI, <see cref="CrashHarness.HeavyKills"/> in the heavy variant.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashConvertTests(ITestOutputHelper output) : IDisposable
{
    private const int OldRows = 1_000;

    // Sized so that a conversion works for a few seconds here, long enough for kills to land mid-write.
    private const int NewRows = 700_000;

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Lake(params string[] parts) => _root.Lake(parts);

    [Fact]
    public Task Convert_KilledAtRandomMoments_NeverLeavesPartialParquet_RunsEndInterrupted_AndARerunSucceeds() => KillAsync(CrashHarness.CiKills);

    [HeavyFact]
    [Trait("Category", "Heavy")]
    public Task Convert_KilledAtRandomMoments_NeverLeavesPartialParquet_RunsEndInterrupted_AndARerunSucceeds_ManyTimes() => KillAsync(CrashHarness.HeavyKills);

    private async Task KillAsync(int kills)
    {
        var harness = new CrashHarness(output, "convert", kills);
        var csv = Lake("raw", "transactions_data", "transactions.csv");
        var folder = Lake("parquet", "transactions_data");
        CrashChecks.WriteTransactions(csv, 1, OldRows);
        var first = await CliBinary.RunAsync(["--data-root", DataRoot, "convert", "--dataset", "transactions_data"]);
        Assert.True(first.Code == 0, first.Stderr);
        Assert.Equal(OldRows, CrashChecks.VisibleRows(folder, "the first conversion"));

        CrashChecks.WriteTransactions(csv, 1, NewRows);
        var start = CrashCli.On(DataRoot, "convert", "--dataset", "transactions_data", "--partition-by", "month");
        var running = CrashCli.StepRunning("transactions_data");

        // A whole run, timed here, sets the range the kills are spread over; its output is the "new" data set.
        var timing = await CrashHarness.TimeAsync(start, running);
        Assert.True(timing.ExitCode == 0, timing.Stderr);
        harness.Log($"a whole run: Running after {timing.ToRunning.TotalMilliseconds:0} ms, working {timing.Working.TotalMilliseconds:0} ms");
        Assert.Equal(NewRows, CrashChecks.VisibleRows(folder, "the timed run"));

        // Back to the old output, so each kill can show old or new.
        CrashChecks.WriteTransactions(csv, 1, OldRows);
        Assert.Equal(0, (await CliBinary.RunAsync(["--data-root", DataRoot, "convert", "--dataset", "transactions_data"])).Code);
        CrashChecks.WriteTransactions(csv, 1, NewRows);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < harness.Kills; i++)
        {
            var kill = await harness.KillAsync(start, running, timing);
            var rows = CrashChecks.VisibleRows(folder, kill.ToString());
            Assert.True(rows is OldRows or NewRows, $"{kill}: a reader sees {rows} rows, neither the old {OldRows} nor the new {NewRows}");
        }

        harness.Log($"{harness.Kills} kills in {clock.Elapsed.TotalSeconds:0.0} s: {harness.Summary()}");

        // The restart (a new process whose runner settles the dead runs) and the re-run, in one.
        var rerun = await CliBinary.RunAsync(["--data-root", DataRoot, "convert", "--dataset", "transactions_data", "--partition-by", "month"]);
        Assert.True(rerun.Code == 0, rerun.Stderr);
        Assert.Contains($"transactions_data\tSucceeded\t{NewRows} rows read\t{NewRows} written\t0 rejected", rerun.Stdout);
        Assert.Equal(NewRows, CrashChecks.VisibleRows(folder, "the re-run"));
        CrashChecks.AllSettled(DataRoot, JobKinds.Convert, harness.Reports, $"seed {harness.Seed}");
        Assert.Empty(CrashChecks.StagingLeftovers(DataRoot));
    }
}
