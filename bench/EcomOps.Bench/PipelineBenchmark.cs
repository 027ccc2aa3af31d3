using System.Diagnostics;
using System.Globalization;
using EcomOps.Core;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

/// <summary>
/// <c>pipeline</c>: the whole local pipeline (generate, convert, crawl, load) as one pipeline run in this process, as the
/// dashboard runs it, for large data: wall time and throughput per step, and the process's peak memory (VmHWM) over the
/// whole run, sampled per step. Target (issue 11): peak memory under 1 GB whatever the data size; each step's own
/// throughput target is measured against its anchor by its own benchmark (generate, convert, crawl, warehouse).
/// </summary>
internal static class PipelineBenchmark
{
    public const string Command = "pipeline";

    public const string Usage = """
          pipeline [--transactions N] [--customers N] [--products N] [--load parquet|csv] [--keep DIR]
            The whole local pipeline as one run in this process (the dashboard's case): generate, convert (transactions
            by month), crawl, load into the warehouse. Reports each step's wall time and rows/s and the process's peak
            memory (whole run and per step). Defaults: 10,000,000 transactions, 1,000,000 customers, 10,000 products, in
            a temporary data root deleted afterwards (about 2 GB of disk at the defaults); --keep DIR keeps it there.
        """;

    private const long MemoryTargetBytes = 1_000_000_000;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var generation = new GenerationOptions(
            args.Long("--customers", 1_000_000, 1, 100_000_000),
            args.Long("--products", 10_000, 1, 10_000_000),
            args.Long("--transactions", 10_000_000, 1, 1_000_000_000));
        var load = args.String("--load") switch
        {
            null or "parquet" => PipelineLoadFormat.Parquet,
            "csv" => PipelineLoadFormat.Csv,
            var other => throw new BenchArgumentException($"--load takes parquet or csv; got '{other}'."),
        };
        var keep = args.String("--keep");
        var root = keep ?? Path.Combine(Path.GetTempPath(), $"ecomops-bench-pipeline-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var loadAtStart = MachineInfo.LoadAverage();
        try
        {
            report.Heading("Pipeline: the whole local chain as one run");
            foreach (var (name, value) in MachineInfo.Describe(typeof(IPipelineService).Assembly, loadAtStart))
            {
                report.Line($"{name}: {value}");
            }

            await using var services = new ServiceCollection()
                .AddLogging()
                .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["EcomOps:DataRoot"] = root,
                    ["EcomOps:SeedSampleData"] = "false",
                    ["EcomOps:Warehouse:DdlPath"] = Path.Combine(ConversionBenchmark.RepositoryRoot(), "sql", "redshift_ddl.sql"),
                }).AddEnvironmentVariables().Build())
                .BuildServiceProvider();
            var pipelines = services.GetRequiredService<IPipelineService>();
            var runner = services.GetRequiredService<IJobRunner>();

            // Peak memory per step: the sampler notes the highest VmRSS while each step runs, the kernel's VmHWM the whole run's.
            var stepPeaks = new Dictionary<PipelineStep, long>();
            var current = (PipelineStep?)null;
            using var sampling = new CancellationTokenSource();
            var idle = PeakMemory.CurrentWorkingSet();
            using var memory = PeakMemory.Start();
            var clock = Stopwatch.StartNew();
            var run = await pipelines.StartAsync(new PipelineOptions(Generation: generation, Load: new PipelineLoadOptions(load)), cancellationToken).ConfigureAwait(false);
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (await pipelines.GetAsync(run.Id, CancellationToken.None).ConfigureAwait(false) is { } now
                        && now.Steps.FirstOrDefault(s => s.Status == PipelineStepStatus.Running) is { } running)
                    {
                        current = running.Step;
                    }

                    if (current is { } step)
                    {
                        stepPeaks[step] = Math.Max(stepPeaks.GetValueOrDefault(step), PeakMemory.CurrentWorkingSet());
                    }

                    try
                    {
                        await Task.Delay(50, sampling.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }, CancellationToken.None);
            await runner.WaitAsync(run.Id, cancellationToken).ConfigureAwait(false);
            var wall = clock.Elapsed;
            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
            var peak = memory.Stop();
            var finished = await pipelines.GetAsync(run.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Pipeline run {run.Id} vanished.");

            var rowsOf = new Dictionary<PipelineStep, long>
            {
                [PipelineStep.Generate] = generation.Customers + generation.Products + generation.Transactions,
                [PipelineStep.Convert] = generation.Customers + generation.Products + generation.Transactions,
                [PipelineStep.Load] = generation.Customers + generation.Products + generation.Transactions,
            };
            var rows = new List<IReadOnlyList<string>>();
            foreach (var step in finished.Steps)
            {
                var seconds = step.Duration(DateTimeOffset.UtcNow)?.TotalSeconds ?? 0;
                rows.Add(
                [
                    step.Name,
                    step.Status.ToString().ToLowerInvariant(),
                    BenchReport.Fixed(seconds, 2),
                    rowsOf.TryGetValue(step.Step, out var n) && seconds > 0 ? BenchReport.Count(n / seconds) : "",
                    stepPeaks.TryGetValue(step.Step, out var p) ? BenchReport.Megabytes(p) : "",
                ]);
            }

            report.Line();
            report.Line($"{BenchReport.Count(generation.Transactions)} transactions, {BenchReport.Count(generation.Customers)} customers, {BenchReport.Count(generation.Products)} products; load from {load}; run {finished.Status} in {BenchReport.Seconds(wall)} s.");
            report.Table(
                [new("Step", false), new("Status", false), new("Seconds", true), new("Rows/s (all three datasets)", true), new("Peak RSS MB (sampled)", true)],
                rows);
            report.Line($"Process peak RSS over the run (VmHWM): {BenchReport.Megabytes(peak.WorkingSetBytes)} MB; idle before it: {BenchReport.Megabytes(idle)} MB; managed heap peak: {BenchReport.Megabytes(peak.ManagedHeapBytes)} MB.");
            report.Check("every step succeeded", finished.Status == JobStatus.Succeeded, finished.Error ?? string.Join(", ", finished.Steps.Select(s => $"{s.Name} {s.Status}")));
            report.Line();
            report.Table(
                [new("Target", false), new("Goal", false), new("Measured", false), new("Result", false)],
                [["peak memory of the app, whole run", "< 1 GB", $"{BenchReport.Megabytes(peak.WorkingSetBytes)} MB", peak.WorkingSetBytes < MemoryTargetBytes ? "met" : "**not met**"]]);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
