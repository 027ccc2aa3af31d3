using System.Diagnostics;
using System.Security.Cryptography;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

/// <summary>
/// <c>generate</c>: throughput and peak memory of writing each dataset to a CSV file, and whether the
/// output is byte-identical for a seed. Calls the same <see cref="GeneratedCsv.WriteAsync"/> the
/// generation service uses, one dataset at a time, so each gets its own rate and memory peak.
/// </summary>
internal static class GenerationBenchmark
{
    public const string Command = "generate";

    public const string Usage = """
          generate [--transactions N] [--customers N] [--products N] [--seed N] [--repeat K] [--out DIR]
            Writes each dataset to a CSV file K times; reports rows/s, MB/s and peak memory per dataset, and
            checks that output is byte-identical for a seed. Defaults: 10,000,000 transactions, 2,000,000
            customers, 200,000 products, seed 42, 3 repeats, into a temporary folder deleted afterwards.
            With --out the last repeat's files are kept in DIR (files of the same name there are replaced).
        """;

    private const long DefaultTransactions = 10_000_000;
    private const long DefaultCustomers = 2_000_000;
    private const long DefaultProducts = 200_000;
    private const int DefaultRepeat = 3;

    private const double TransactionsRowsPerSecondTarget = 3_000_000;
    private const double CustomersRowsPerSecondTarget = 600_000;
    private const long PeakWorkingSetTargetBytes = 150_000_000;

    // Matches LocalObjectStore.OpenWriteAsync, so the file is written the way the service writes it.
    private const int FileBufferSize = 1 << 16;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var options = new GenerationOptions(
            Customers: args.Long("--customers", DefaultCustomers, max: GenerationLimits.MaxCustomers),
            Products: args.Long("--products", DefaultProducts, max: GenerationLimits.MaxProducts),
            Transactions: args.Long("--transactions", DefaultTransactions, max: GenerationLimits.MaxTransactions),
            Seed: (int)args.Long("--seed", GenerationLimits.DefaultSeed, int.MinValue, int.MaxValue));
        var repeat = (int)args.Long("--repeat", DefaultRepeat, 1, 100);
        var keepFolder = args.String("--out");
        args.EnsureAllUsed();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new BenchArgumentException(string.Join(Environment.NewLine, errors.Select(e => $"--{e.Field.ToLowerInvariant()}: {e.Message}")));
        }

        var loadAtStart = MachineInfo.LoadAverage();

        // Measured before anything is generated, so "above idle" is what generation itself costs.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var idleWorkingSet = PeakMemory.CurrentWorkingSet();

        var work = Directory.CreateTempSubdirectory("ecomops-bench-");
        try
        {
            report.Heading("Determinism at the default sizes (through GenerationService)");
            var smallDeterministic = await CheckDefaultSizesDeterministicAsync(work.FullName, report, cancellationToken).ConfigureAwait(false);

            var folder = keepFolder is null ? Path.Combine(work.FullName, "large") : Path.GetFullPath(keepFolder);
            Directory.CreateDirectory(folder);
            report.Heading(BenchReport.Text($"Throughput: {options.Transactions:N0} transactions, {options.Customers:N0} customers, {options.Products:N0} products, seed {options.Seed}, {repeat} repeats"));
            report.Line($"Files in {folder}");
            var runs = await MeasureAsync(options, repeat, folder, report, cancellationToken).ConfigureAwait(false);

            report.Heading("Determinism across repeats");
            var largeDeterministic = CheckRepeatsIdentical(runs, report);

            // Read after the hashing too: the target is about the whole process, not only the timed sections.
            var processPeak = PeakMemory.ProcessPeakWorkingSet();
            PrintSummary(options, repeat, runs, loadAtStart, idleWorkingSet, processPeak, smallDeterministic && largeDeterministic, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<bool> CheckDefaultSizesDeterministicAsync(string work, BenchReport report, CancellationToken cancellationToken)
    {
        // The service as the CLI and dashboard get it; its output goes to folders, so the lake stays empty.
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EcomOps:DataRoot"] = Path.Combine(work, "data"),
                ["EcomOps:SeedSampleData"] = "false",
            }).Build())
            .BuildServiceProvider();
        var service = services.GetRequiredService<IGenerationService>();

        var defaults = new GenerationOptions();
        var first = await service.GenerateAsync(defaults, Path.Combine(work, "small-a"), null, cancellationToken).ConfigureAwait(false);
        var second = await service.GenerateAsync(defaults, Path.Combine(work, "small-b"), null, cancellationToken).ConfigureAwait(false);

        var passed = true;
        foreach (var dataset in DatasetRegistry.All)
        {
            var a = first.Files.Single(f => f.Dataset == dataset.Name);
            var b = second.Files.Single(f => f.Dataset == dataset.Name);
            var hashA = await Sha256Async(a.Location, cancellationToken).ConfigureAwait(false);
            var hashB = await Sha256Async(b.Location, cancellationToken).ConfigureAwait(false);
            var same = hashA == hashB && a.Rows == defaults.RowsFor(dataset.Name);
            passed &= same;
            report.Check(
                $"{dataset.Name} default sizes, two runs",
                same,
                same
                    ? BenchReport.Text($"{a.Rows:N0} rows, {a.Bytes:N0} bytes, SHA-256 {hashA}")
                    : BenchReport.Text($"{a.Rows:N0} rows, SHA-256 {hashA} vs {hashB}"));
        }

        return passed;
    }

    private static async Task<List<DatasetRun>> MeasureAsync(GenerationOptions options, int repeat, string folder, BenchReport report, CancellationToken cancellationToken)
    {
        var generator = new RowGenerator(options);
        var runs = new List<DatasetRun>();
        for (var r = 1; r <= repeat; r++)
        {
            foreach (var dataset in DatasetRegistry.All)
            {
                var run = await MeasureDatasetAsync(generator, dataset, options.RowsFor(dataset.Name), Path.Combine(folder, dataset.Name + ".csv"), r, cancellationToken)
                    .ConfigureAwait(false);
                runs.Add(run);
                report.Line(
                    $"{run.Dataset,-17} repeat {r}/{repeat}: {run.Rows:N0} rows, {run.Bytes / 1e6:N1} MB in {run.Write.TotalSeconds:N2} s (+{run.Fsync.TotalSeconds:N2} s fsync) = {run.RowsPerSecond:N0} rows/s, {run.MegabytesPerSecond:N1} MB/s; peak RSS {run.Memory.WorkingSetBytes / 1e6:N1} MB, managed heap peak {run.Memory.ManagedHeapBytes / 1e6:N1} MB, {run.AllocatedBytesPerRow:N1} B/row allocated, GCs {run.Collections}");
            }
        }

        return runs;
    }

    private static async Task<DatasetRun> MeasureDatasetAsync(RowGenerator generator, DatasetSchema dataset, long rows, string path, int repeat, CancellationToken cancellationToken)
    {
        // Removed outside the timing: truncating the previous repeat's file would be charged to this one.
        File.Delete(path);

        // A full collection first, so this section's memory peak does not carry the previous one's garbage.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

        long bytes;
        TimeSpan written;
        TimeSpan durable;
        MemoryPeak peak;
        using (var memory = PeakMemory.Start())
        {
            var stopwatch = Stopwatch.StartNew();
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize, FileOptions.Asynchronous))
            {
                bytes = await GeneratedCsv.WriteAsync(generator, dataset, rows, file, null, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                written = stopwatch.Elapsed;

                // The service's commit does this too; timed apart because it measures the disk, not the generator.
                file.Flush(flushToDisk: true);
            }

            durable = stopwatch.Elapsed;
            peak = memory.Stop();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var collections = BenchReport.Text(
            $"{GC.CollectionCount(0) - collectionsBefore[0]}/{GC.CollectionCount(1) - collectionsBefore[1]}/{GC.CollectionCount(2) - collectionsBefore[2]}");
        var sha256 = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
        return new DatasetRun(dataset.Name, repeat, rows, bytes, written, durable - written, peak, allocated, collections, sha256);
    }

    private static bool CheckRepeatsIdentical(List<DatasetRun> runs, BenchReport report)
    {
        var passed = true;
        foreach (var group in runs.GroupBy(r => r.Dataset))
        {
            var hashes = group.Select(r => r.Sha256).Distinct(StringComparer.Ordinal).ToArray();
            var count = group.Count();
            if (count < 2)
            {
                report.Line($"SKIP {group.Key} across repeats: one run only; use --repeat 2 or more to compare.");
                continue;
            }

            var same = hashes.Length == 1;
            passed &= same;
            report.Check(
                BenchReport.Text($"{group.Key} {group.First().Rows:N0} rows, {count} repeats"),
                same,
                same ? $"SHA-256 {hashes[0]}" : BenchReport.Text($"{hashes.Length} different SHA-256: {string.Join(", ", hashes)}"));
        }

        return passed;
    }

    private static void PrintSummary(GenerationOptions options, int repeat, List<DatasetRun> runs, string? loadAtStart, long idleWorkingSet, long processPeak, bool deterministic, BenchReport report)
    {
        var byDataset = runs.GroupBy(r => r.Dataset).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var writingPeak = runs.MaxBy(r => r.Memory.WorkingSetBytes)!.Memory;
        processPeak = Math.Max(processPeak, writingPeak.WorkingSetBytes);
        var medianRate = (DatasetSchema d) => BenchReport.Median(byDataset[d.Name].Select(r => r.RowsPerSecond));
        var atDefaults = options.Transactions == DefaultTransactions && options.Customers == DefaultCustomers && options.Products == DefaultProducts;

        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Generation benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(GenerationOptions).Assembly, loadAtStart).Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- generate`: {options.Transactions:N0} transactions, {options.Customers:N0} customers, {options.Products:N0} products (seed {options.Seed}), each written {repeat} times to a local file. Rates cover generating and writing the file (to the OS cache); fsync is the extra time to get it onto the disk, as the service does on commit. MB = 1,000,000 bytes.");
        report.Line();
        report.Table(
            [
                new("Dataset", Numeric: false), new("Rows"), new("File MB"), new("Best rows/s"), new("Median rows/s"),
                new("Best MB/s"), new("Median MB/s"), new("Median s"), new("Median fsync s"), new("Peak RSS MB"),
                new("Managed heap peak MB"), new("Allocated B/row"),
            ],
            DatasetRegistry.All.Select(d =>
            {
                var group = byDataset[d.Name];
                return (IReadOnlyList<string>)
                [
                    d.Name,
                    BenchReport.Count(group[0].Rows),
                    BenchReport.Megabytes(group[0].Bytes),
                    BenchReport.Count(group.Max(r => r.RowsPerSecond)),
                    BenchReport.Count(BenchReport.Median(group.Select(r => r.RowsPerSecond))),
                    BenchReport.Fixed(group.Max(r => r.MegabytesPerSecond), 1),
                    BenchReport.Fixed(BenchReport.Median(group.Select(r => r.MegabytesPerSecond)), 1),
                    BenchReport.Fixed(BenchReport.Median(group.Select(r => r.Write.TotalSeconds)), 2),
                    BenchReport.Fixed(BenchReport.Median(group.Select(r => r.Fsync.TotalSeconds)), 2),
                    BenchReport.Megabytes(group.Max(r => r.Memory.WorkingSetBytes)),
                    BenchReport.Megabytes(group.Max(r => r.Memory.ManagedHeapBytes)),
                    BenchReport.Fixed(BenchReport.Median(group.Select(r => r.AllocatedBytesPerRow)), 1),
                ];
            }));
        report.Line();
        report.Line($"Memory (working set): {BenchReport.Megabytes(idleWorkingSet)} MB idle (runtime loaded, before generating); process peak {BenchReport.Megabytes(processPeak)} MB over the whole run, {BenchReport.Megabytes(processPeak - idleWorkingSet)} MB above idle; peak while writing a dataset {BenchReport.Megabytes(writingPeak.WorkingSetBytes)} MB ({(writingPeak.SectionOnly ? "Linux VmHWM, reset before each dataset" : "process peak since start: this OS cannot reset it per dataset")}).");
        report.Line();

        var transactionsRate = medianRate(DatasetRegistry.Transactions);
        var customersRate = medianRate(DatasetRegistry.Customers);
        report.Table(
            [new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Result", Numeric: false)],
            [
                ["transactions_data rows/s (median)", ">= " + BenchReport.Count(TransactionsRowsPerSecondTarget), BenchReport.Count(transactionsRate), Verdict(transactionsRate >= TransactionsRowsPerSecondTarget)],
                ["customer_data rows/s (median)", ">= " + BenchReport.Count(CustomersRowsPerSecondTarget), BenchReport.Count(customersRate), Verdict(customersRate >= CustomersRowsPerSecondTarget)],
                ["Peak memory (process working set, whole run)", "<= " + BenchReport.Count(PeakWorkingSetTargetBytes / 1_000_000) + " MB", BenchReport.Megabytes(processPeak) + " MB", Verdict(processPeak <= PeakWorkingSetTargetBytes)],
                ["Same seed, same bytes (SHA-256)", "identical", deterministic ? "identical" : "differs", Verdict(deterministic)],
            ]);
        if (!atDefaults)
        {
            report.Line();
            report.Line($"Note: the targets are set for the default sizes; these sizes differ, so compare with care.");
        }
    }

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    private sealed record DatasetRun(
        string Dataset,
        int Repeat,
        long Rows,
        long Bytes,
        TimeSpan Write,
        TimeSpan Fsync,
        MemoryPeak Memory,
        long AllocatedBytes,
        string Collections,
        string Sha256)
    {
        public double RowsPerSecond => Rows / Write.TotalSeconds;

        public double MegabytesPerSecond => Bytes / 1e6 / Write.TotalSeconds;

        public double AllocatedBytesPerRow => (double)AllocatedBytes / Rows;
    }
}
