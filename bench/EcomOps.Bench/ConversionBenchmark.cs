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
/// transactions file. Each engine runs in a child process of its own (this executable again, with the hidden
/// <c>--engine</c> option), so neither's memory peak includes the other's, and the child measures every repeat
/// with <see cref="PeakMemory"/>. The parent then reads both outputs with DuckDB and checks they hold the same rows.
/// </summary>
internal static class ConversionBenchmark
{
    public const string Command = "convert";

    public const string Usage = """
          convert [--rows N[,N...]] [--repeat K] [--row-group-rows N]
            Converts generated transactions_data CSVs to Parquet with the EcomOps converter (through a local lake)
            and with DuckDB's COPY (SELECT * FROM read_csv(..., columns = {explicit types})) TO ... (FORMAT PARQUET),
            each engine K times in its own child process (the two take turns). Reports wall time, rows/s, MB/s and peak memory side by
            side, checks both outputs hold the same rows and Amount total, and marks the targets met or not met.
            Defaults: 1_000_000,10_000_000 rows (group digits with _ in a list), 3 repeats, the converter's default
            row group size (1,000,000 rows); files in a temporary folder deleted afterwards.
        """;

    private const string EngineOption = "--engine";
    private const string Ours = "ecomops";
    private const string DuckDb = "duckdb";
    private const int DefaultRepeat = 3;
    private const double ThroughputTarget = 1.2;
    private const double MemoryTarget = 0.5;
    private const double FlatMemoryTolerance = 1.25;

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
        var rowGroupRows = (int)args.Long("--row-group-rows", new ConversionRequest(Dataset, Guid.Empty).RowGroupRows, 1, int.MaxValue);
        args.EnsureAllUsed();

        var loadAtStart = MachineInfo.LoadAverage();
        var work = Directory.CreateTempSubdirectory("ecomops-bench-convert-");
        try
        {
            var runs = new List<EngineRuns>();
            foreach (var rows in rowCounts)
            {
                var folder = Path.Combine(work.FullName, rows.ToString(CultureInfo.InvariantCulture));
                var csv = await GenerateAsync(folder, rows, cancellationToken).ConfigureAwait(false);
                var csvBytes = new FileInfo(csv).Length;
                report.Heading(BenchReport.Text($"{rows:N0} transactions ({csvBytes / 1e6:N1} MB CSV), {repeat} repeats per engine"));

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
                runs.Add(new EngineRuns(Ours, rows, csvBytes, measured[Ours]));
                runs.Add(new EngineRuns(DuckDb, rows, csvBytes, measured[DuckDb]));
                CheckOutputs(folder, csv, rows, report);
            }

            PrintSummary(runs, repeat, rowGroupRows, loadAtStart, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static IReadOnlyList<long> ParseRows(string? text)
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

    // The CSV goes straight where the converter looks for it: the lake's raw/transactions_data/.
    private static async Task<string> GenerateAsync(string folder, long rows, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, "lake", "raw", Dataset.Name, Dataset.Name + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var generator = new RowGenerator(new GenerationOptions(Customers: 100_000, Products: 20_000, Transactions: rows, Seed: GenerationLimits.DefaultSeed));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await GeneratedCsv.WriteAsync(generator, Dataset, rows, file, null, cancellationToken).ConfigureAwait(false);
        return path;
    }

    // The child: runs one engine 'repeat' times in this process and prints one JSON line per repeat.
    private static async Task<int> RunEngineAsync(string engine, BenchArguments args, CancellationToken cancellationToken)
    {
        var folder = args.String("--folder") ?? throw new BenchArgumentException("--folder is required with --engine.");
        var input = args.String("--input") ?? throw new BenchArgumentException("--input is required with --engine.");
        var repeat = (int)args.Long("--repeat", 1, 1, 100);
        var rowGroupRows = (int)args.Long("--row-group-rows", 1_000_000, 1, int.MaxValue);
        args.EnsureAllUsed();

        Func<CancellationToken, Task<long>> convert = engine switch
        {
            Ours => OursAsync(folder, rowGroupRows),
            DuckDb => DuckDbAsync(folder, input),
            _ => throw new BenchArgumentException($"Unknown engine '{engine}'; use {Ours} or {DuckDb}."),
        };

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
        var lake = new LocalObjectStore(Path.Combine(folder, "lake"));

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
    private static void CheckOutputs(string folder, string csv, long rows, BenchReport report)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var ours = $"read_parquet({Literal(Path.Combine(folder, "lake", "parquet", Dataset.Name, "**", "*.parquet"))})";
        var theirs = $"read_parquet({Literal(DuckDbOutput(folder))})";
        var expected = Totals(connection, ReadCsv(csv));
        foreach (var (name, source) in new[] { (Ours, ours), (DuckDb, theirs) })
        {
            var actual = Totals(connection, source);
            report.Check(
                BenchReport.Text($"{name} output, {rows:N0} rows"),
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

    private static void PrintSummary(List<EngineRuns> runs, int repeat, int rowGroupRows, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Conversion benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(ParquetConverter).Assembly, loadAtStart).Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- convert`: generated transactions_data CSV to Parquet (snappy), {repeat} repeats per engine, each engine in its own process, the two taking turns repeat by repeat. EcomOps: `ParquetConverter` through a local lake (row groups of {rowGroupRows:N0} rows, output committed with fsync and a folder swap). DuckDB: `COPY (SELECT * FROM read_csv(..., columns = {{explicit types}})) TO ... (FORMAT PARQUET)`, its defaults (2 threads here). Times are the median of the repeats (the first includes JIT and cache warm-up, shown as 'first s'); peak RSS is the highest of the repeats. MB = 1,000,000 bytes.");
        report.Line();
        report.Table(
            [
                new("Rows"), new("Engine", Numeric: false), new("CSV MB"), new("First s"), new("Median s"), new("Best s"),
                new("Median rows/s"), new("Median MB/s"), new("Peak RSS MB"), new("Parquet MB"),
            ],
            runs.Select(r => (IReadOnlyList<string>)
            [
                BenchReport.Count(r.Rows),
                r.Engine,
                BenchReport.Megabytes(r.CsvBytes),
                BenchReport.Fixed(r.Runs[0].Seconds, 2),
                BenchReport.Fixed(r.MedianSeconds, 2),
                BenchReport.Fixed(r.Runs.Min(x => x.Seconds), 2),
                BenchReport.Count(r.Rows / r.MedianSeconds),
                BenchReport.Fixed(r.CsvBytes / 1e6 / r.MedianSeconds, 1),
                BenchReport.Megabytes(r.PeakBytes),
                BenchReport.Megabytes(r.Runs[^1].OutputBytes),
            ]));
        report.Line();

        var targets = new List<IReadOnlyList<string>>();
        foreach (var size in runs.GroupBy(r => r.Rows))
        {
            var ours = size.Single(r => r.Engine == Ours);
            var theirs = size.Single(r => r.Engine == DuckDb);
            var speed = theirs.MedianSeconds / ours.MedianSeconds;
            var memory = (double)ours.PeakBytes / theirs.PeakBytes;
            targets.Add([BenchReport.Text($"Throughput, {size.Key:N0} rows"), BenchReport.Text($">= {ThroughputTarget:N1}x DuckDB"), BenchReport.Text($"{speed:N2}x"), Verdict(speed >= ThroughputTarget)]);
            targets.Add([BenchReport.Text($"Peak memory, {size.Key:N0} rows"), BenchReport.Text($"<= {MemoryTarget:N1}x DuckDB"), BenchReport.Text($"{memory:N2}x ({ours.PeakBytes / 1e6:N0} vs {theirs.PeakBytes / 1e6:N0} MB)"), Verdict(memory <= MemoryTarget)]);
        }

        var ourRuns = runs.Where(r => r.Engine == Ours).OrderBy(r => r.Rows).ToList();
        if (ourRuns.Count > 1)
        {
            var growth = (double)ourRuns[^1].PeakBytes / ourRuns[0].PeakBytes;
            targets.Add([
                BenchReport.Text($"Memory flat, {ourRuns[0].Rows:N0} -> {ourRuns[^1].Rows:N0} rows"),
                BenchReport.Text($"peak grows <= {FlatMemoryTolerance:N2}x"),
                BenchReport.Text($"{growth:N2}x ({ourRuns[0].PeakBytes / 1e6:N0} -> {ourRuns[^1].PeakBytes / 1e6:N0} MB)"),
                Verdict(growth <= FlatMemoryTolerance)]);
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

    /// <summary>One repeat in a child process, as it prints it.</summary>
    private sealed record EngineRun(int Repeat, double Seconds, long PeakWorkingSetBytes, long ManagedHeapBytes, long OutputBytes);

    private sealed record EngineRuns(string Engine, long Rows, long CsvBytes, IReadOnlyList<EngineRun> Runs)
    {
        public double MedianSeconds => BenchReport.Median(Runs.Select(r => r.Seconds));

        public long PeakBytes => Runs.Max(r => r.PeakWorkingSetBytes);
    }
}
