using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DuckDB.NET.Data;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Storage;

namespace EcomOps.Bench;

/// <summary>
/// <c>convert</c>: the EcomOps converter against DuckDB's own CSV -> Parquet <c>COPY</c> on the same generated
/// transactions file, in two modes. <b>Warm</b>: each engine runs in a child process of its own (this executable
/// again, with the hidden <c>--engine</c> option) that repeats the conversion, as the dashboard's long-lived process
/// does; the child measures every repeat with <see cref="PeakMemory"/>. <b>Whole process</b>: every repeat is a new
/// process, start-up, JIT and exit included, as a user runs <c>ecomops convert</c>: the real CLI (published in
/// Release) against DuckDB's COPY in a new process of its own, both measured from the outside by
/// <see cref="WholeProcess"/>. The parent then reads the outputs with DuckDB and checks they hold the same rows.
/// </summary>
internal static class ConversionBenchmark
{
    public const string Command = "convert";

    public const string Usage = """
          convert [--rows N[,N...]] [--repeat K] [--row-group-rows N] [--process warm|whole|both] [--cli PATH]
            Converts generated transactions_data CSVs (ecomops generate, in a temporary data root) to Parquet with the
            EcomOps converter and with DuckDB's COPY (SELECT * FROM read_csv(..., columns = {explicit types})) TO ...
            (FORMAT PARQUET), K times each, the engines taking turns. warm: each engine repeats in one child process
            of its own (the dashboard's case). whole: each repeat is a new process, start-up included: the ecomops CLI
            ('ecomops convert --dataset transactions_data') against DuckDB's COPY in a new process (this executable's
            hidden --engine duckdb --once). Reports wall time, rows/s, MB/s and peak memory side by side with the
            ratios, checks both outputs hold the same rows and Amount total, and marks the targets met or not met.
            Defaults: 1_000_000,10_000_000 rows (group digits with _ in a list), 3 repeats, the converter's default
            row group size, both modes, the CLI published in Release from this repository into the temporary
            folder (--cli: an ecomops executable to use instead); files deleted afterwards.
        """;

    private const string EngineOption = "--engine";
    private const string OnceOption = "--once";
    private const string Ours = "ecomops";
    private const string DuckDb = "duckdb";
    private const string Warm = "warm";
    private const string Whole = "whole";
    private const string LakeBucket = "ecomops-lake";
    private const int DefaultRepeat = 3;
    private const double WarmThroughputTarget = 1.2;
    private const double MemoryTarget = 0.5;
    private const double FlatMemoryTolerance = 1.25;

    // Issue 7: the whole-process CLI must at least keep up with DuckDB's whole-process COPY at 1,000,000 rows
    // (start-up weighs most there) and beat it by 1.2x from 10,000,000.
    private const long LargeRows = 10_000_000;
    private const double WholeThroughputTargetSmall = 1.0;
    private const double WholeThroughputTargetLarge = 1.2;

    private static readonly long[] DefaultRows = [1_000_000, 10_000_000];
    private static readonly DatasetSchema Dataset = DatasetRegistry.Transactions;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var engine = args.String(EngineOption);
        return engine is null
            ? await CompareAsync(args, report, cancellationToken).ConfigureAwait(false)
            : await RunEngineAsync(engine, args, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CompareAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken)
    {
        var rowCounts = ParseRows(args.String("--rows"));
        var repeat = (int)args.Long("--repeat", DefaultRepeat, 1, 100);
        var givenRowGroupRows = args.String("--row-group-rows") is null
            ? (int?)null
            : (int)args.Long("--row-group-rows", ConversionRequest.DefaultRowGroupRows, ConversionRequest.MinRowGroupRows, ConversionRequest.MaxRowGroupRows);
        var rowGroupRows = givenRowGroupRows ?? ConversionRequest.DefaultRowGroupRows;
        var modes = args.String("--process") switch
        {
            null or "both" => (string[])[Warm, Whole],
            Warm => [Warm],
            Whole => [Whole],
            var other => throw new BenchArgumentException($"--process takes warm, whole or both; got '{other}'."),
        };
        var givenCli = args.String("--cli");
        args.EnsureAllUsed();
        if (modes.Contains(Whole) && !WholeProcess.IsSupported)
        {
            throw new BenchArgumentException("--process whole needs Linux (posix_spawn and wait4 measure each process); use --process warm here.");
        }

        var loadAtStart = MachineInfo.LoadAverage();
        var work = Directory.CreateTempSubdirectory("ecomops-bench-convert-");
        try
        {
            var cli = givenCli ?? await PublishCliAsync(Path.Combine(work.FullName, "cli"), report, cancellationToken).ConfigureAwait(false);
            var runs = new List<EngineRuns>();
            foreach (var rows in rowCounts)
            {
                var folder = Path.Combine(work.FullName, rows.ToString(CultureInfo.InvariantCulture));
                var csv = await GenerateAsync(cli, folder, rows, cancellationToken).ConfigureAwait(false);
                var csvBytes = new FileInfo(csv).Length;
                if (modes.Contains(Warm))
                {
                    report.Heading(BenchReport.Text($"Warm process: {rows:N0} transactions ({csvBytes / 1e6:N1} MB CSV), {repeat} repeats per engine in one process each"));
                    runs.AddRange(await MeasureWarmAsync(folder, csv, rows, csvBytes, repeat, rowGroupRows, report, cancellationToken).ConfigureAwait(false));
                    CheckOutputs(folder, csv, rows, Warm, report);
                }

                if (modes.Contains(Whole))
                {
                    report.Heading(BenchReport.Text($"Whole process: {rows:N0} transactions ({csvBytes / 1e6:N1} MB CSV), {repeat} new processes per engine"));
                    runs.AddRange(MeasureWholeProcesses(cli, folder, csv, rows, csvBytes, repeat, givenRowGroupRows, report, cancellationToken));
                    CheckOutputs(folder, csv, rows, Whole, report);
                }
            }

            PrintSummary(runs, repeat, rowGroupRows, givenCli ?? "published here (dotnet publish -c Release)", loadAtStart, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<List<EngineRuns>> MeasureWarmAsync(
        string folder, string csv, long rows, long csvBytes, int repeat, int rowGroupRows, BenchReport report, CancellationToken cancellationToken)
    {
        // Both engines' processes stay up and take turns, one repeat each, so a burst of load on a shared
        // machine hits both alike instead of one engine's whole series.
        await using var ours = EngineProcess.Start(Ours, folder, csv, repeat, rowGroupRows);
        await using var theirs = EngineProcess.Start(DuckDb, folder, csv, repeat, rowGroupRows);
        var measured = new Dictionary<string, List<EngineRun>> { [Ours] = [], [DuckDb] = [] };
        for (var r = 1; r <= repeat; r++)
        {
            foreach (var engine in new[] { ours, theirs })
            {
                var run = await engine.RunOnceAsync(cancellationToken).ConfigureAwait(false);
                measured[engine.Engine].Add(run);
                report.Line($"{engine.Engine,-8} repeat {run.Repeat}/{repeat}: {run.Seconds:N2} s = {rows / run.Seconds:N0} rows/s, {csvBytes / 1e6 / run.Seconds:N1} MB/s; peak RSS {run.PeakWorkingSetBytes / 1e6:N1} MB, managed heap peak {run.ManagedHeapBytes / 1e6:N1} MB; output {run.OutputBytes / 1e6:N1} MB");
            }
        }

        await ours.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await theirs.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return [new EngineRuns(Warm, Ours, rows, csvBytes, measured[Ours]), new EngineRuns(Warm, DuckDb, rows, csvBytes, measured[DuckDb])];
    }

    // Each repeat starts both engines anew, taking turns, and times them from spawn to exit.
    private static List<EngineRuns> MeasureWholeProcesses(
        string cli, string folder, string csv, long rows, long csvBytes, int repeat, int? rowGroupRows, BenchReport report, CancellationToken cancellationToken)
    {
        // The CLI as a user types it; --row-group-rows only when the benchmark was given it, so the default is the CLI's own.
        List<string> ourArguments = ["convert", "--dataset", Dataset.Name, "--data-root", DataRootOf(folder)];
        if (rowGroupRows is { } groupRows)
        {
            ourArguments.AddRange(["--row-group-rows", groupRows.ToString(CultureInfo.InvariantCulture)]);
        }

        var (benchProgram, benchPrefix) = ThisExecutable();
        List<string> duckArguments = [.. benchPrefix, Command, EngineOption, DuckDb, OnceOption, "--folder", folder, "--input", csv];
        if (!BuildCheck.IsOptimized(typeof(ConversionBenchmark).Assembly))
        {
            duckArguments.Add("--allow-debug");
        }

        var logs = Path.Combine(folder, "logs");
        Directory.CreateDirectory(logs);
        var measured = new Dictionary<string, List<EngineRun>> { [Ours] = [], [DuckDb] = [] };
        for (var r = 1; r <= repeat; r++)
        {
            foreach (var (engine, program, arguments) in new[] { (Ours, cli, ourArguments), (DuckDb, benchProgram, duckArguments) })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var process = WholeProcess.Run(program, arguments, Path.Combine(logs, $"{engine}-{r}"));
                var output = engine == Ours ? OurOutputBytes(folder) : new FileInfo(DuckDbOutput(folder)).Length;
                var run = new EngineRun(r, process.Seconds, process.PeakRssBytes, 0, output, process.UserSeconds + process.SystemSeconds);
                measured[engine].Add(run);
                report.Line($"{engine,-8} process {r}/{repeat}: {run.Seconds:N2} s = {rows / run.Seconds:N0} rows/s, {csvBytes / 1e6 / run.Seconds:N1} MB/s; peak RSS {run.PeakWorkingSetBytes / 1e6:N1} MB; CPU {process.UserSeconds:N2} s user + {process.SystemSeconds:N2} s system; output {run.OutputBytes / 1e6:N1} MB");
            }
        }

        return [new EngineRuns(Whole, Ours, rows, csvBytes, measured[Ours]), new EngineRuns(Whole, DuckDb, rows, csvBytes, measured[DuckDb])];
    }

    // The CLI as it ships: 'dotnet publish' in Release (its project turns on ReadyToRun there), not the
    // benchmark's own build.
    internal static async Task<string> PublishCliAsync(string output, BenchReport report, CancellationToken cancellationToken)
    {
        var project = Path.Combine(RepositoryRoot(), "EcomOps.Cli", "EcomOps.Cli.csproj");
        report.Line($"Publishing {project} (Release) to {output} ...");
        var publish = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "quiet"])
        {
            publish.ArgumentList.Add(arg);
        }

        using var process = Process.Start(publish) ?? throw new InvalidOperationException("Could not start 'dotnet publish'.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet publish {project}' failed (exit code {process.ExitCode}): {await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }

        var cli = Path.Combine(output, OperatingSystem.IsWindows() ? "ecomops.exe" : "ecomops");
        return File.Exists(cli) ? cli : throw new InvalidOperationException($"'dotnet publish' succeeded but {cli} is not there.");
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "EcomOps.sln")))
            {
                return folder.FullName;
            }
        }

        throw new BenchArgumentException($"Cannot find EcomOps.sln above {AppContext.BaseDirectory} to publish the CLI; give --cli PATH to an ecomops executable.");
    }

    // Started as 'dotnet EcomOps.Bench.dll' (dotnet run), a child needs the assembly as its first argument.
    internal static (string Program, string[] Prefix) ThisExecutable()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown; cannot start the engine's child process.");
        return Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? (processPath, [Assembly.GetEntryAssembly()!.Location])
            : (processPath, []);
    }

    private static string DataRootOf(string folder) => Path.Combine(folder, "root");

    private static string LakeOf(string folder) => Path.Combine(DataRootOf(folder), "lake", LakeBucket);

    private static long OurOutputBytes(string folder) =>
        Directory.EnumerateFiles(Path.Combine(LakeOf(folder), "parquet", Dataset.Name), "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    internal static IReadOnlyList<long> ParseRows(string? text)
    {
        if (text is null)
        {
            return DefaultRows;
        }

        var rows = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var digits = part.Replace("_", "", StringComparison.Ordinal);
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1_000 || value > GenerationLimits.MaxTransactions)
            {
                throw new BenchArgumentException(BenchReport.Text(
                    $"--rows takes row counts between 1_000 and {GenerationLimits.MaxTransactions:N0} separated by commas, with _ to group digits (1_000_000,10_000_000); got '{text}'."));
            }

            rows.Add(value);
        }

        return rows;
    }

    // With the CLI, as a user would: the CSV lands where 'ecomops convert' looks for it, the lake's
    // raw/transactions_data/. The customer and product counts give ids as wide as a real shop's.
    private static async Task<string> GenerateAsync(string cli, string folder, long rows, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var generate = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["generate", "--transactions", rows.ToString(CultureInfo.InvariantCulture), "--customers", "100000", "--products", "20000", "--seed", GenerationLimits.DefaultSeed.ToString(CultureInfo.InvariantCulture), "--data-root", DataRootOf(folder)])
        {
            generate.ArgumentList.Add(arg);
        }

        using var process = Process.Start(generate) ?? throw new InvalidOperationException($"Could not start {cli}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{cli} generate' failed (exit code {process.ExitCode}): {await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }

        var path = Path.Combine(LakeOf(folder), "raw", Dataset.Name, Dataset.Name + ".csv");
        return File.Exists(path) ? path : throw new InvalidOperationException($"'{cli} generate' did not write {path}.");
    }

    // The child: runs one engine 'repeat' times in this process and prints one JSON line per repeat.
    private static async Task<int> RunEngineAsync(string engine, BenchArguments args, CancellationToken cancellationToken)
    {
        var folder = args.String("--folder") ?? throw new BenchArgumentException("--folder is required with --engine.");
        var input = args.String("--input") ?? throw new BenchArgumentException("--input is required with --engine.");
        var repeat = (int)args.Long("--repeat", 1, 1, 100);
        var rowGroupRows = (int)args.Long("--row-group-rows", ConversionRequest.DefaultRowGroupRows, 1, int.MaxValue);
        var once = args.Flag(OnceOption);
        args.EnsureAllUsed();

        Func<CancellationToken, Task<long>> convert = engine switch
        {
            Ours => OursAsync(folder, rowGroupRows),
            DuckDb => DuckDbAsync(folder, input),
            _ => throw new BenchArgumentException($"Unknown engine '{engine}'; use {Ours} or {DuckDb}."),
        };

        if (once)
        {
            // A whole process measured from outside: one conversion, nothing else.
            await convert(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        for (var r = 1; r <= repeat; r++)
        {
            // The parent says when: it alternates the engines' repeats.
            if (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return 0;
            }

            // A full collection first, so one repeat's garbage does not count in the next one's peak.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long outputBytes;
            TimeSpan elapsed;
            MemoryPeak peak;
            using (var memory = PeakMemory.Start())
            {
                var stopwatch = Stopwatch.StartNew();
                outputBytes = await convert(cancellationToken).ConfigureAwait(false);
                elapsed = stopwatch.Elapsed;
                peak = memory.Stop();
            }

            Console.Out.WriteLine(JsonSerializer.Serialize(new EngineRun(r, elapsed.TotalSeconds, peak.WorkingSetBytes, peak.ManagedHeapBytes, outputBytes)));
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    private static Func<CancellationToken, Task<long>> OursAsync(string folder, int rowGroupRows)
    {
        var lake = new LocalObjectStore(LakeOf(folder));

        // Committed with the folder swap, as the Local backend registers the converter.
        var converter = new ParquetConverter(prefixSwap: lake);
        return async cancellationToken =>
        {
            var request = new ConversionRequest(Dataset, Guid.NewGuid(), RowGroupRows: rowGroupRows);
            var result = await converter.ConvertAsync(request, lake, null, cancellationToken).ConfigureAwait(false);
            return result.BytesWritten;
        };
    }

    private static Func<CancellationToken, Task<long>> DuckDbAsync(string folder, string input)
    {
        var output = DuckDbOutput(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        return cancellationToken =>
        {
            File.Delete(output);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM {ReadCsv(input)}) TO {Literal(output)} (FORMAT PARQUET)";
            using (cancellationToken.Register(command.Cancel))
            {
                command.ExecuteNonQuery();
            }

            return Task.FromResult(new FileInfo(output).Length);
        };
    }

    private static string DuckDbOutput(string folder) => Path.Combine(folder, "duckdb", Dataset.Name + ".parquet");

    private static string ReadCsv(string path) =>
        $"read_csv({Literal(path)}, header = true, columns = {{{string.Join(", ", Dataset.Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"))}}})";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    // Both outputs must hold what the CSV holds: a fast converter that loses rows or cents would be no use.
    private static void CheckOutputs(string folder, string csv, long rows, string mode, BenchReport report)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var ours = $"read_parquet({Literal(Path.Combine(LakeOf(folder), "parquet", Dataset.Name, "**", "*.parquet"))})";
        var theirs = $"read_parquet({Literal(DuckDbOutput(folder))})";
        var expected = Totals(connection, ReadCsv(csv));
        foreach (var (name, source) in new[] { (Ours, ours), (DuckDb, theirs) })
        {
            var actual = Totals(connection, source);
            report.Check(
                BenchReport.Text($"{name} output ({mode} process), {rows:N0} rows"),
                actual == expected && actual.Rows == rows,
                BenchReport.Text($"{actual.Rows:N0} rows, sum(Amount) {actual.Amount}, Timestamp {actual.Range} (CSV: {expected.Rows:N0}, {expected.Amount}, {expected.Range})"));
        }
    }

    private static (long Rows, string Amount, string Range) Totals(DuckDBConnection connection, string source)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), CAST(sum(Amount) AS VARCHAR), CAST(min(Timestamp) AS VARCHAR) || ' .. ' || CAST(max(Timestamp) AS VARCHAR) FROM {source}";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
    }

    private static void PrintSummary(List<EngineRuns> runs, int repeat, int rowGroupRows, string cli, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Conversion benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(ParquetConverter).Assembly, loadAtStart)
                .Append((Name: "Load average after the run (1/5/15 min)", Value: MachineInfo.LoadAverage() ?? "unknown"))
                .Append((Name: "CLI", Value: cli))
                .Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- convert`: generated transactions_data CSV (`ecomops generate`) to Parquet (snappy), {repeat} repeats per engine, the engines taking turns. EcomOps: row groups of {rowGroupRows:N0} rows, output committed with fsync and a folder swap. DuckDB: `COPY (SELECT * FROM read_csv(..., columns = {{explicit types}})) TO ... (FORMAT PARQUET)`, its defaults (2 threads here). Warm: each engine repeats in one process of its own (`ParquetConverter` through a local lake, as the dashboard runs it); the first repeat includes JIT and cache warm-up ('first s'). Whole process: each repeat is a new process timed from spawn to exit, start-up included: `ecomops convert --dataset transactions_data` against DuckDB's COPY in a new .NET process that loads DuckDB. Times are medians; peak RSS is the highest repeat (whole process: the child's VmHWM, read every 2 ms until it exits). MB = 1,000,000 bytes.");
        report.Line();

        var pairs = runs.GroupBy(r => (r.Mode, r.Rows)).Select(g => (g.Key.Mode, g.Key.Rows, Ours: g.Single(r => r.Engine == Ours), Theirs: g.Single(r => r.Engine == DuckDb))).ToList();
        report.Table(
            [
                new("Process", Numeric: false), new("Rows"), new("CSV MB"), new("EcomOps median s"), new("DuckDB median s"), new("Speed vs DuckDB"),
                new("EcomOps first s"), new("DuckDB first s"), new("EcomOps peak RSS MB"), new("DuckDB peak RSS MB"), new("Memory vs DuckDB"),
                new("EcomOps CPU s"), new("DuckDB CPU s"), new("EcomOps rows/s"), new("EcomOps MB/s"),
            ],
            pairs.Select(p => (IReadOnlyList<string>)
            [
                p.Mode,
                BenchReport.Count(p.Rows),
                BenchReport.Megabytes(p.Ours.CsvBytes),
                BenchReport.Fixed(p.Ours.MedianSeconds, 2),
                BenchReport.Fixed(p.Theirs.MedianSeconds, 2),
                BenchReport.Text($"{p.Theirs.MedianSeconds / p.Ours.MedianSeconds:N2}x"),
                BenchReport.Fixed(p.Ours.Runs[0].Seconds, 2),
                BenchReport.Fixed(p.Theirs.Runs[0].Seconds, 2),
                BenchReport.Megabytes(p.Ours.PeakBytes),
                BenchReport.Megabytes(p.Theirs.PeakBytes),
                BenchReport.Text($"{(double)p.Ours.PeakBytes / p.Theirs.PeakBytes:N2}x"),
                p.Mode == Whole ? BenchReport.Fixed(p.Ours.MedianCpuSeconds, 2) : "-",
                p.Mode == Whole ? BenchReport.Fixed(p.Theirs.MedianCpuSeconds, 2) : "-",
                BenchReport.Count(p.Rows / p.Ours.MedianSeconds),
                BenchReport.Fixed(p.Ours.CsvBytes / 1e6 / p.Ours.MedianSeconds, 1),
            ]));
        report.Line();

        var targets = new List<IReadOnlyList<string>>();
        foreach (var (mode, rows, ours, theirs) in pairs)
        {
            var goal = mode == Warm ? WarmThroughputTarget : rows >= LargeRows ? WholeThroughputTargetLarge : WholeThroughputTargetSmall;
            var speed = theirs.MedianSeconds / ours.MedianSeconds;
            var memory = (double)ours.PeakBytes / theirs.PeakBytes;
            targets.Add([BenchReport.Text($"{mode} process: throughput, {rows:N0} rows"), BenchReport.Text($">= {goal:N1}x DuckDB"), BenchReport.Text($"{speed:N2}x ({ours.MedianSeconds:N2} vs {theirs.MedianSeconds:N2} s)"), Verdict(speed >= goal)]);
            targets.Add([BenchReport.Text($"{mode} process: peak memory, {rows:N0} rows"), BenchReport.Text($"<= {MemoryTarget:N1}x DuckDB"), BenchReport.Text($"{memory:N2}x ({ours.PeakBytes / 1e6:N0} vs {theirs.PeakBytes / 1e6:N0} MB)"), Verdict(memory <= MemoryTarget)]);
        }

        foreach (var mode in pairs.Select(p => p.Mode).Distinct())
        {
            var ourRuns = runs.Where(r => r.Mode == mode && r.Engine == Ours).OrderBy(r => r.Rows).ToList();
            if (ourRuns.Count > 1)
            {
                var growth = (double)ourRuns[^1].PeakBytes / ourRuns[0].PeakBytes;
                targets.Add([
                    BenchReport.Text($"{mode} process: memory flat, {ourRuns[0].Rows:N0} -> {ourRuns[^1].Rows:N0} rows"),
                    BenchReport.Text($"peak grows <= {FlatMemoryTolerance:N2}x"),
                    BenchReport.Text($"{growth:N2}x ({ourRuns[0].PeakBytes / 1e6:N0} -> {ourRuns[^1].PeakBytes / 1e6:N0} MB)"),
                    Verdict(growth <= FlatMemoryTolerance)]);
            }
        }

        report.Table([new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Result", Numeric: false)], targets);
    }

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    /// <summary>An engine's child process: this executable again with the hidden <c>--engine</c> option.</summary>
    private sealed class EngineProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _errors;

        private EngineProcess(string engine, Process process)
        {
            Engine = engine;
            _process = process;
            _errors = process.StandardError.ReadToEndAsync();
        }

        public string Engine { get; }

        public static EngineProcess Start(string engine, string folder, string csv, int repeat, int rowGroupRows)
        {
            var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown; cannot start the engine's child process.");
            var start = new ProcessStartInfo(processPath)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                // Started as 'dotnet EcomOps.Bench.dll' (dotnet run): the child needs the assembly too.
                start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            }

            foreach (var arg in (string[])[Command, EngineOption, engine, "--folder", folder, "--input", csv, "--repeat", repeat.ToString(CultureInfo.InvariantCulture), "--row-group-rows", rowGroupRows.ToString(CultureInfo.InvariantCulture)])
            {
                start.ArgumentList.Add(arg);
            }

            if (!BuildCheck.IsOptimized(typeof(ConversionBenchmark).Assembly))
            {
                start.ArgumentList.Add("--allow-debug");
            }

            return new EngineProcess(engine, Process.Start(start) ?? throw new InvalidOperationException($"Could not start {processPath}."));
        }

        public async Task<EngineRun> RunOnceAsync(CancellationToken cancellationToken)
        {
            await _process.StandardInput.WriteLineAsync("run".AsMemory(), cancellationToken).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            while (await _process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith('{'))
                {
                    return JsonSerializer.Deserialize<EngineRun>(line)!;
                }
            }

            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The {Engine} child process ended without a result (exit code {_process.ExitCode}): {await _errors.ConfigureAwait(false)}");
        }

        public async Task WaitForExitAsync(CancellationToken cancellationToken)
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (_process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The {Engine} child process failed (exit code {_process.ExitCode}): {await _errors.ConfigureAwait(false)}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }

    /// <summary>One repeat: as a warm child prints it, or one whole process (then with its CPU time).</summary>
    private sealed record EngineRun(int Repeat, double Seconds, long PeakWorkingSetBytes, long ManagedHeapBytes, long OutputBytes, double CpuSeconds = 0);

    private sealed record EngineRuns(string Mode, string Engine, long Rows, long CsvBytes, IReadOnlyList<EngineRun> Runs)
    {
        public double MedianSeconds => BenchReport.Median(Runs.Select(r => r.Seconds));

        public double MedianCpuSeconds => BenchReport.Median(Runs.Select(r => r.CpuSeconds));

        public long PeakBytes => Runs.Max(r => r.PeakWorkingSetBytes);
    }
}
