using System.Diagnostics;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// The dashboard process itself SIGKILLed while a run it started is converting: a saved pipeline whose schedule was
/// missed fires at the dashboard's start-up (a run started in the dashboard, with no browser), the dashboard is
/// killed at a seeded moment of the conversion and started again. The restarted dashboard shows the pipeline run
/// and its conversion Interrupted (the job runner settles them at start-up), a reader of the Parquet sees the old
/// or the new output whole, its start-up recovery removes the staging, and a run it starts then converts
/// everything. Kills: 2 in CI (each costs a dashboard start), <see cref="CrashHarness.HeavyKills"/> in the heavy variant.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashDashboardTests(ITestOutputHelper output) : IDisposable
{
    private const int OldRows = 1_000;
    private const int NewRows = 700_000;

    private static readonly Dictionary<string, string> NoSampleData = new() { ["EcomOps:SeedSampleData"] = "false" };

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Folder => Path.Combine(DataRoot, "lake", "ecomops-lake", "parquet", "transactions_data");

    [Fact]
    public Task Dashboard_KilledWhileItsScheduledRunConverts_ShowsItInterruptedAfterRestart_NeverPartialParquet_AndRunsAgain() => KillAsync(2);

    [HeavyFact]
    [Trait("Category", "Heavy")]
    public Task Dashboard_KilledWhileItsScheduledRunConverts_ShowsItInterruptedAfterRestart_NeverPartialParquet_AndRunsAgain_ManyTimes() => KillAsync(CrashHarness.HeavyKills);

    private async Task KillAsync(int kills)
    {
        var harness = new CrashHarness(output, "dashboard", kills);
        var csv = Path.Combine(DataRoot, "lake", "ecomops-lake", "raw", "transactions_data", "transactions.csv");
        CrashChecks.WriteTransactions(csv, 1, OldRows);
        Assert.Equal(0, (await CliBinary.RunAsync(["--data-root", DataRoot, "convert", "--dataset", "transactions_data"])).Code);
        CrashChecks.WriteTransactions(csv, 1, NewRows);
        // About how long a conversion of NewRows works here (CrashConvertTests measures it each time): kills spread over it.
        var timing = TimeSpan.FromMilliseconds(2500);
        using (var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot }))
        {
            // Once a year: it fires only because it was missed while the dashboard was down.
            await host.Get<IPipelineService>().CreatePipelineAsync(new SavedPipelineRequest(
                "nightly convert",
                new PipelineOptions(Steps: [PipelineStep.Convert], Datasets: ["transactions_data"], Conversion: new ConversionOptions(Partitioning: Partitioning.Month)),
                Cron: "0 0 1 1 *"));
        }

        var seen = new HashSet<Guid>(CrashChecks.Runs(DataRoot, JobKinds.Convert).Select(r => r.Id));
        (Guid Id, KillPhase Phase)? killed = null;
        for (var i = 0; i <= kills; i++)
        {
            MakeScheduleDue();
            await using var dashboard = await DashboardProcess.StartAsync(DataRoot, NoSampleData);
            var clock = Stopwatch.StartNew();

            // The restart: the run the previous kill cut short is settled as the dashboard starts.
            if (killed is { } previous)
            {
                var settled = await UntilAsync(() => StatusOf(previous.Id) is "Interrupted" or "Succeeded" ? StatusOf(previous.Id) : null, "the restarted dashboard settles the killed run", dashboard);
                Assert.True(previous.Phase != KillPhase.Running || settled == "Interrupted", $"killed while running, run {previous.Id} is {settled} after the restart");
            }

            var run = await UntilAsync(
                () => CrashChecks.Runs(DataRoot, JobKinds.Convert).LastOrDefault(r => !seen.Contains(r.Id) && r.Status is not "Queued") is { Id: var id } && id != Guid.Empty ? id : (Guid?)null,
                "the scheduled run converts", dashboard);
            seen.Add(run);
            if (i == kills)
            {
                var done = await UntilAsync(() => StatusOf(run) is "Running" or "Queued" ? null : StatusOf(run), "the run after the kills ends", dashboard, TimeSpan.FromSeconds(120));
                Assert.True(done == "Succeeded", $"the run after the kills ended {done}\n{dashboard.Output}");
                break;
            }

            var fraction = harness.NextFraction();
            var started = clock.Elapsed;
            await Task.Delay(timing * fraction);
            var phase = StatusOf(run) == "Running" ? KillPhase.Running : KillPhase.AfterExit;
            dashboard.Kill();
            var kill = harness.Record(started + (timing * fraction), phase, fraction, $"convert run {run} was {phase}");
            killed = (run, phase);
            var rows = CrashChecks.VisibleRows(Folder, kill.ToString());
            Assert.True(rows is OldRows or NewRows, $"{kill}: a reader sees {rows} rows, neither the old {OldRows} nor the new {NewRows}");
        }

        harness.Log($"{kills} dashboard kills: {harness.Summary()}");
        Assert.Equal(NewRows, CrashChecks.VisibleRows(Folder, "the run after the kills"));
        CrashChecks.AllSettled(DataRoot, JobKinds.Convert, harness.Reports, $"seed {harness.Seed}");
        CrashChecks.AllSettled(DataRoot, JobKinds.Pipeline, harness.Reports, $"seed {harness.Seed}");
        Assert.Empty(CrashChecks.StagingLeftovers(DataRoot));
    }

    // The schedule's last firing is put back in the past, as if the dashboard had been down at its time.
    private void MakeScheduleDue()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataRoot, "ops.db"), Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE pipelines SET updated_at = '2020-01-02T00:00:00.0000000Z', last_fired_at = NULL, last_run_id = NULL";
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private string? StatusOf(Guid id) => CrashChecks.Runs(DataRoot, JobKinds.Convert).Where(r => r.Id == id).Select(r => r.Status).FirstOrDefault();

    private static async Task<T> UntilAsync<T>(Func<T?> probe, string what, DashboardProcess dashboard, TimeSpan? timeout = null)
        where T : struct
    {
        T? found = null;
        await WaitAsync(() => (found = probe()) is not null, what, dashboard, timeout);
        return found!.Value;
    }

    private static async Task<string> UntilAsync(Func<string?> probe, string what, DashboardProcess dashboard, TimeSpan? timeout = null)
    {
        string? found = null;
        await WaitAsync(() => (found = probe()) is not null, what, dashboard, timeout);
        return found!;
    }

    // Longer than Support/Eventually's 10 s: a dashboard's start-up and a conversion's end both come before the probe holds.
    private static async Task WaitAsync(Func<bool> done, string what, DashboardProcess dashboard, TimeSpan? timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(60)))
        {
            if (done())
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"{what}: not within {clock.Elapsed.TotalSeconds:0} s\n{dashboard.Output}");
    }
}
