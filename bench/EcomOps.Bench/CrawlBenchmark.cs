using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using EcomOps.Core;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

/// <summary>
/// <c>crawl</c>: what a crawl costs, in bytes read and wall time, over two lakes: the three datasets converted
/// with transactions partitioned by month, and 1,000 small Parquet files in 100 partitions written by DuckDB.
/// Measured as users run it: <c>ecomops crawl</c> as a whole new process (start-up and JIT included), and the
/// dashboard's warm process (repeats in this one).
/// </summary>
internal static partial class CrawlBenchmark
{
    public const string Command = "crawl";

    public const string Usage = """
          crawl [--rows N] [--repeat K] [--small-files N]
            Generates the three datasets (N transactions, default 10_000_000; 100,000 customers, 20,000 products),
            converts them to Parquet with transactions partitioned by month, then crawls the lake K times (default 3)
            with 'ecomops crawl' as a new process each time and K times in this process (warm), reporting wall time
            and the bytes read as a share of the data (targets: under 1 s whole process, under 1% of the bytes).
            Then the same over N small Parquet files (default 1,000) in 100 partitions written by DuckDB.
            Builds the CLI in Release first if it is missing. Files in a temporary folder deleted afterwards.
        """;

    private const double BytesTarget = 0.01;
    private static readonly TimeSpan TimeTarget = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var rows = args.Long("--rows", 10_000_000, 1_000, GenerationLimits.MaxTransactions);
        var repeat = (int)args.Long("--repeat", 3, 1, 50);
        var smallFiles = (int)args.Long("--small-files", 1_000, 100, 100_000);
        args.EnsureAllUsed();

        var loadAtStart = MachineInfo.LoadAverage();
        var cli = await CliBinaryAsync(cancellationToken).ConfigureAwait(false);
        var work = Directory.CreateTempSubdirectory("ecomops-bench-crawl-");
        try
        {
            var datasets = Path.Combine(work.FullName, "datasets");
            report.Heading(BenchReport.Text($"Generating and converting {rows:N0} transactions (partitioned by month), 100,000 customers, 20,000 products"));
            await PrepareDatasetsAsync(datasets, rows, 100_000, 20_000, cancellationToken).ConfigureAwait(false);
            var first = await MeasureAsync("datasets", datasets, cli, repeat, report, cancellationToken).ConfigureAwait(false);

            var small = Path.Combine(work.FullName, "small");
            report.Heading(BenchReport.Text($"{smallFiles:N0} small Parquet files in 100 partitions (DuckDB)"));
            WriteSmallFiles(small, smallFiles);
            var second = await MeasureAsync("small files", small, cli, repeat, report, cancellationToken).ConfigureAwait(false);

            report.Heading("Summary");
            report.Table(
                [new("lake", false), new("files", true), new("data", true), new("bytes read", true), new("share", true), new("whole process (median)", true), new("warm (median)", true)],
                new[] { first, second }.Select(m => (IReadOnlyList<string>)
                [
                    m.Name, BenchReport.Count(m.Files), BenchReport.Megabytes(m.DataBytes) + " MB", BenchReport.Count(m.BytesRead),
                    BenchReport.Fixed(100.0 * m.BytesRead / Math.Max(1, m.DataBytes), 3) + " %",
                    BenchReport.Seconds(m.WholeProcess) + " s", BenchReport.Seconds(m.Warm) + " s",
                ]));
            report.Check("bytes read under 1% of the data (datasets)", first.BytesRead < BytesTarget * first.DataBytes, BenchReport.Text($"{100.0 * first.BytesRead / first.DataBytes:0.###}%"));
            report.Check("whole-process crawl under 1 s (datasets)", first.WholeProcess < TimeTarget, BenchReport.Seconds(first.WholeProcess) + " s");
            report.Check("three tables, transactions partitioned", first.Tables == 3, BenchReport.Text($"{first.Tables} tables"));
            report.Check("one table of the small files, 100 partitions", second.Tables == 1, BenchReport.Text($"{second.Tables} tables"));
            foreach (var (name, value) in MachineInfo.Describe(typeof(ParquetConverter).Assembly, loadAtStart))
            {
                report.Line($"{name}: {value}");
            }

            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<Measured> MeasureAsync(string name, string dataRoot, string cli, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var whole = new List<double>();
        long bytesRead = 0, dataBytes = 0;
        int files = 0, tables = 0;
        for (var r = 1; r <= repeat; r++)
        {
            var (elapsed, stdout, stderr) = await RunCliAsync(cli, dataRoot, cancellationToken).ConfigureAwait(false);
            var match = BytesLine().Match(stderr);
            if (!match.Success)
            {
                throw new InvalidOperationException($"ecomops crawl printed no 'bytes read' line:\n{stderr}");
            }

            bytesRead = long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            dataBytes = long.Parse(match.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            files = int.Parse(FilesLine().Match(stderr).Groups[1].Value, CultureInfo.InvariantCulture);
            tables = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            whole.Add(elapsed.TotalSeconds);
            report.Line($"{name}: ecomops crawl, new process, repeat {r}/{repeat}: {elapsed.TotalSeconds:N3} s, {files:N0} files, {bytesRead:N0} of {dataBytes:N0} bytes read");
        }

        // The dashboard's process: services built once, crawls repeated (the first one warms the JIT up).
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = dataRoot }).Build())
            .BuildServiceProvider();
        var catalog = services.GetRequiredService<ICatalogService>();
        var runner = services.GetRequiredService<IJobRunner>();
        var warm = new List<double>();
        for (var r = 0; r <= repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            var run = await runner.WaitAsync(catalog.StartCrawl(new CrawlOptions()).Id, cancellationToken).ConfigureAwait(false);
            clock.Stop();
            if (run.Status != JobStatus.Succeeded)
            {
                throw new InvalidOperationException($"The warm crawl {run.Status}: {run.Error}");
            }

            if (r > 0)
            {
                warm.Add(clock.Elapsed.TotalSeconds);
                report.Line($"{name}: warm crawl in this process, repeat {r}/{repeat}: {clock.Elapsed.TotalSeconds:N3} s");
            }
        }

        return new Measured(name, files, dataBytes, bytesRead, tables, TimeSpan.FromSeconds(BenchReport.Median(whole)), TimeSpan.FromSeconds(BenchReport.Median(warm)));
    }

    private static async Task<(TimeSpan Elapsed, string Stdout, string Stderr)> RunCliAsync(string cli, string dataRoot, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(cli, ["--data-root", dataRoot, "crawl"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {cli}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ecomops crawl exited {process.ExitCode}:\n{await stderr.ConfigureAwait(false)}");
        }

        return (clock.Elapsed, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Generates the three datasets into a new data root, converts them with transactions partitioned by month (the lake the crawl and query benches read).</summary>
    internal static async Task PrepareDatasetsAsync(string dataRoot, long rows, long customers, long products, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = dataRoot }).Build())
            .BuildServiceProvider();
        await services.GetRequiredService<IGenerationService>().GenerateAsync(new GenerationOptions(customers, products, rows), null, null, cancellationToken).ConfigureAwait(false);
        var runner = services.GetRequiredService<IJobRunner>();
        foreach (var run in services.GetRequiredService<IConversionService>().StartConversion(new ConversionOptions(Partitioning: Partitioning.Month), ["customer_data", "catalog_data", "transactions_data"]))
        {
            var done = await runner.WaitAsync(run.Id, cancellationToken).ConfigureAwait(false);
            if (done.Status != JobStatus.Succeeded)
            {
                throw new InvalidOperationException($"Converting {done.Dataset} {done.Status}: {done.Error}");
            }
        }
    }

    // Ten rounds of DuckDB's partitioned COPY, each writing one file into every one of 100 partitions.
    private static void WriteSmallFiles(string dataRoot, int files)
    {
        var folder = Path.Combine(dataRoot, "lake", "ecomops-lake", "parquet", "events");
        Directory.CreateDirectory(folder);
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var rounds = Math.Max(1, files / 100);
        for (var round = 0; round < rounds; round++)
        {
            using var command = duck.CreateCommand();
            command.CommandText = BenchReport.Text($"""
                COPY (SELECT range AS event_id, range % 100 AS bucket, 'view' AS kind, (range * 0.5)::DOUBLE AS score, TIMESTAMP '2024-01-01' + INTERVAL (range) SECOND AS at
                      FROM range({round * 10_000}, {(round + 1) * 10_000}))
                TO '{folder.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT PARQUET, PARTITION_BY (bucket), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{round}-{"{i}"}')
                """);
            command.ExecuteNonQuery();
        }
    }

    // The Release CLI beside this repository's bench, built if it is not there yet.
    private static async Task<string> CliBinaryAsync(CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "EcomOps.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("The bench runs from the EcomOps repository: no EcomOps.sln above " + AppContext.BaseDirectory);
        }

        var project = Path.Combine(root.FullName, "EcomOps.Cli", "EcomOps.Cli.csproj");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start dotnet build.");
        await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var binary = Directory.EnumerateFiles(Path.Combine(root.FullName, "EcomOps.Cli", "bin", "Release"), "ecomops", SearchOption.AllDirectories).FirstOrDefault();
        return build.ExitCode == 0 && binary is not null ? binary : throw new InvalidOperationException("Building the CLI in Release failed; run: dotnet build -c Release EcomOps.Cli");
    }

    [GeneratedRegex(@"bytes read: ([\d,]+) of ([\d,]+)")]
    private static partial Regex BytesLine();

    [GeneratedRegex(@"files scanned: (\d+)")]
    private static partial Regex FilesLine();

    private sealed record Measured(string Name, int Files, long DataBytes, long BytesRead, int Tables, TimeSpan WholeProcess, TimeSpan Warm);
}
