using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using DuckDB.NET.Data;
using EcomOps.Core;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

/// <summary>
/// <c>warehouse</c>: Redshift COPY into the local warehouse (<see cref="IWarehouse.CopyAsync"/>) against DuckDB's own
/// load of the same files into the same table, from CSV and from Parquet. Warm: both in this process, after a warm-up
/// load of a small file. Whole process: <c>ecomops warehouse copy</c> as a new process (the published CLI) against
/// DuckDB's load as a new process too. Then, for CSV, where our load's time goes, stage by stage.
/// </summary>
internal static class WarehouseBenchmark
{
    public const string Command = "warehouse";

    public const string Usage = """
          warehouse [--rows N[,N...]] [--repeat K] [--process warm|whole|both] [--cli PATH] [--no-breakdown] [--duckdb-memory-limit SIZE]
            Generates N transactions (default 1_000_000,10_000_000; 100,000 customers, 20,000 products) and converts
            them to Parquet (no partitions), then loads transactions_data into a fresh local warehouse (warehouse.duckdb
            deleted, init, COPY) with Redshift COPY: CSV IGNOREHEADER 1 from raw/transactions_data/ and FORMAT AS PARQUET
            from parquet/transactions_data/; against DuckDB's own load of the same files into the same table (DDL from
            RedshiftDdl.ToDuckDb) in a fresh DuckDB file: COPY ... FROM 'f.csv' (HEADER) and INSERT INTO ... SELECT * FROM
            read_parquet([...], hive_partitioning = false). K repeats each (default 3), taking turns. warm: both in this
            process after a warm-up load of 10,000 rows; whole: 'ecomops warehouse copy --sql ...' as a new process (the
            CLI published in Release, or --cli PATH) against DuckDB's load as a new process too. Reports rows/s, the ratio
            ours/DuckDB's throughput (target >= 0.8x), peak memory (flat in the file size), checks both sides hold the
            same rows, and (unless --no-breakdown) splits our CSV load's time at the smallest size: lines, records,
            conversion, appender. --duckdb-memory-limit 256MB sets DuckDB's memory_limit on DuckDB's own side and the
            breakdown's appender (not on ours, which Core opens), to see what a limit does to time and peak memory.
            Files in a temporary folder deleted afterwards.
        """;

    private const string Warm = "warm";
    private const string Whole = "whole";
    private const string Csv = "CSV";
    private const string Parquet = "Parquet";
    private const double ThroughputTarget = 0.8;
    private const double FlatMemoryTolerance = 1.25;
    private const long WarmUpRows = 10_000;
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string Table = "transactions_data";
    private const string EngineOption = "--engine";

    private static readonly long[] DefaultRows = [1_000_000, 10_000_000];

    // DuckDB's memory_limit for DuckDB's own load and the breakdown's appender (not ours: Core sets none), to show what a limit does.
    private static string? s_duckDbMemoryLimit;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        if (args.String(EngineOption) == "duckdb")
        {
            return DuckDbChild(args, cancellationToken);
        }

        var rowCounts = args.String("--rows") is null ? DefaultRows : ConversionBenchmark.ParseRows(args.String("--rows"));
        var repeat = (int)args.Long("--repeat", 3, 1, 50);
        var modes = args.String("--process") switch
        {
            null or "both" => (string[])[Warm, Whole],
            Warm => [Warm],
            Whole => [Whole],
            var other => throw new BenchArgumentException($"--process takes warm, whole or both; got '{other}'."),
        };
        var givenCli = args.String("--cli");
        var breakdown = !args.Flag("--no-breakdown");
        s_duckDbMemoryLimit = args.String("--duckdb-memory-limit");
        args.EnsureAllUsed();
        if (modes.Contains(Whole) && !WholeProcess.IsSupported)
        {
            throw new BenchArgumentException("--process whole needs Linux (posix_spawn and wait4 measure each process); use --process warm here.");
        }

        var loadAtStart = MachineInfo.LoadAverage();
        var ddlPath = Path.Combine(ConversionBenchmark.RepositoryRoot(), "sql", "redshift_ddl.sql");
        var table = RedshiftDdl.Parse(await File.ReadAllTextAsync(ddlPath, cancellationToken).ConfigureAwait(false)).Single(t => t.Name == Table);
        var duckDdl = RedshiftDdl.ToDuckDb(table);
        var work = Directory.CreateTempSubdirectory("ecomops-bench-warehouse-");
        try
        {
            var cli = modes.Contains(Whole) ? givenCli ?? await ConversionBenchmark.PublishCliAsync(Path.Combine(work.FullName, "cli"), report, cancellationToken).ConfigureAwait(false) : "-";
            var runs = new List<Runs>();
            var stages = new List<(long Rows, List<Stage> Stages)>();

            report.Heading(BenchReport.Text($"Warm-up: {WarmUpRows:N0} rows, one load each way and format"));
            var warmUp = await Prepared.CreateAsync(Path.Combine(work.FullName, "warm-up"), WarmUpRows, ddlPath, cancellationToken).ConfigureAwait(false);
            await using (warmUp.ConfigureAwait(false))
            {
                foreach (var format in new[] { Csv, Parquet })
                {
                    await OursInProcessAsync(warmUp, format, cancellationToken).ConfigureAwait(false);
                    DuckDbInProcess(warmUp, format, duckDdl, cancellationToken);
                }
            }

            foreach (var rows in rowCounts)
            {
                report.Heading(BenchReport.Text($"Generating {rows:N0} transactions and converting them to Parquet"));
                var clock = Stopwatch.StartNew();
                var data = await Prepared.CreateAsync(Path.Combine(work.FullName, rows.ToString(CultureInfo.InvariantCulture)), rows, ddlPath, cancellationToken).ConfigureAwait(false);
                await using (data.ConfigureAwait(false))
                {
                    report.Line($"Prepared in {clock.Elapsed.TotalSeconds:N1} s: CSV {data.CsvBytes / 1e6:N1} MB in {data.CsvFiles.Count} file(s), Parquet {data.ParquetBytes / 1e6:N1} MB in {data.ParquetFiles.Count} file(s); load average {MachineInfo.LoadAverage() ?? "unknown"}");
                    foreach (var mode in modes)
                    {
                        foreach (var format in new[] { Csv, Parquet })
                        {
                            report.Heading(BenchReport.Text($"{mode} process, {format}, {rows:N0} rows: {repeat} loads each way, taking turns"));
                            runs.AddRange(await MeasureAsync(mode, format, data, cli, duckDdl, repeat, report, cancellationToken).ConfigureAwait(false));
                        }
                    }

                    // Rates per row hardly change with the size, and the stages take long at 10,000,000: the smallest size only.
                    if (breakdown && rows == rowCounts.Min())
                    {
                        report.Heading(BenchReport.Text($"Where our CSV load's time goes, {rows:N0} rows: each stage alone in this process, median of {repeat}"));
                        stages.Add((rows, MeasureStages(data, table, duckDdl, repeat, report, cancellationToken)));
                    }
                }
            }

            PrintSummary(runs, stages, repeat, givenCli ?? (modes.Contains(Whole) ? "published here (dotnet publish -c Release)" : "-"), loadAtStart, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<List<Runs>> MeasureAsync(string mode, string format, Prepared data, string cli, string duckDdl, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var ours = new List<Run>();
        var theirs = new List<Run>();
        Totals? ourTotals = null, duckTotals = null;
        var logs = Directory.CreateDirectory(Path.Combine(data.Root, "logs")).FullName;
        for (var r = 1; r <= repeat; r++)
        {
            // The order alternates, so neither side always runs right after the other's file was written.
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn == 0) == (r % 2 == 1))
                {
                    var run = mode == Warm
                        ? await OursInProcessAsync(data, format, cancellationToken).ConfigureAwait(false)
                        : OursWholeProcess(data, format, cli, Path.Combine(logs, BenchReport.Text($"{format}-{r}")), cancellationToken);
                    ourTotals = Totals.Of(data.WarehouseFile, "public");
                    ours.Add(run);
                    report.Line($"ecomops  {mode} {format} {r}/{repeat}: {run.Seconds:N2} s = {data.Rows / run.Seconds:N0} rows/s; peak RSS {run.PeakBytes / 1e6:N1} MB; CPU {run.CpuSeconds:N2} s; {run.Rows:N0} rows loaded");
                }
                else
                {
                    var run = mode == Warm
                        ? DuckDbInProcess(data, format, duckDdl, cancellationToken)
                        : DuckDbWholeProcess(data, format, duckDdl, Path.Combine(logs, BenchReport.Text($"duckdb-{format}-{r}")), cancellationToken);
                    duckTotals = Totals.Of(data.DuckDbFile, "public");
                    theirs.Add(run);
                    report.Line($"duckdb   {mode} {format} {r}/{repeat}: {run.Seconds:N2} s = {data.Rows / run.Seconds:N0} rows/s; peak RSS {run.PeakBytes / 1e6:N1} MB ({(mode == Warm ? "this process" : "its process")}); CPU {run.CpuSeconds:N2} s; {run.Rows:N0} rows loaded");
                }
            }
        }

        report.Check(BenchReport.Text($"{mode} {format} {data.Rows:N0}: both warehouses hold the same rows"),
            ourTotals == duckTotals && ourTotals!.Rows == data.Rows && ours.All(o => o.Rows == data.Rows) && theirs.All(t => t.Rows == data.Rows),
            BenchReport.Text($"ours {ourTotals}; DuckDB {duckTotals}; generated {data.Rows:N0}"));
        return [new Runs(mode, format, "ecomops", data.Rows, ours), new Runs(mode, format, "duckdb", data.Rows, theirs)];
    }

    private static string CopySql(string format) => format == Csv
        ? $"COPY {Table} FROM 's3://ecomops-lake/raw/{Table}/' {Role} CSV IGNOREHEADER 1"
        : $"COPY {Table} FROM 's3://ecomops-lake/parquet/{Table}/' {Role} FORMAT AS PARQUET";

    // As the brief of a load says: delete the warehouse file, init, COPY. Only the COPY is timed.
    private static async Task<Run> OursInProcessAsync(Prepared data, string format, CancellationToken cancellationToken)
    {
        DeleteDatabase(data.WarehouseFile);
        await data.Warehouse.InitAsync(cancellationToken).ConfigureAwait(false);
        var copy = CopyParser.Parse(CopySql(format));
        Collect();
        var cpu = ProcStatus.CpuTime(Environment.ProcessId);
        using var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var outcome = await data.Warehouse.CopyAsync(copy, new LoadRunContext("bench"), cancellationToken).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = memory.Stop();
        var cpuSeconds = (ProcStatus.CpuTime(Environment.ProcessId) - cpu)?.TotalSeconds ?? 0;
        if (outcome.Status != LoadStatus.Completed)
        {
            throw new InvalidOperationException($"Our {format} load {outcome.Status}: {outcome.Message}");
        }

        return new Run(seconds, peak.WorkingSetBytes, cpuSeconds, outcome.LoadedRows);
    }

    private static Run OursWholeProcess(Prepared data, string format, string cli, string logPrefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DeleteDatabase(data.WarehouseFile);
        WholeProcess.Run(cli, ["--data-root", data.Root, "warehouse", "init"], logPrefix + "-init");
        var process = WholeProcess.Run(cli, ["--data-root", data.Root, "warehouse", "copy", "--sql", CopySql(format)], logPrefix);
        var loaded = File.ReadLines(logPrefix + ".out").Select(l => l.Split('\t')).FirstOrDefault(f => f is ["rows loaded", _]);
        var rows = loaded is null ? -1 : long.Parse(loaded[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        return new Run(process.Seconds, process.PeakRssBytes, process.UserSeconds + process.SystemSeconds, rows);
    }

    // DuckDB's own load: a fresh file with the same table (untimed, as our init), then open, load, close (checkpoint) timed.
    private static Run DuckDbInProcess(Prepared data, string format, string duckDdl, CancellationToken cancellationToken)
    {
        CreateDuckDbTable(data, duckDdl);
        var sql = DuckDbLoadSql(format, data.CsvFiles, data.ParquetFiles);
        Collect();
        var cpu = ProcStatus.CpuTime(Environment.ProcessId);
        using var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var rows = DuckDbLoad(data.DuckDbFile, sql, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = memory.Stop();
        var cpuSeconds = (ProcStatus.CpuTime(Environment.ProcessId) - cpu)?.TotalSeconds ?? 0;
        return new Run(seconds, peak.WorkingSetBytes, cpuSeconds, data.CsvFiles.Count == 1 || format == Parquet ? rows : Totals.Of(data.DuckDbFile, "public").Rows);
    }

    // The same load by DuckDB as a new process (this executable again, hidden --engine duckdb), as ours is timed in whole
    // mode: start-up included on both sides. The table is created first, untimed, as our init is.
    private static Run DuckDbWholeProcess(Prepared data, string format, string duckDdl, string logPrefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CreateDuckDbTable(data, duckDdl);
        var (program, prefix) = ConversionBenchmark.ThisExecutable();
        List<string> arguments = [.. prefix, "warehouse", EngineOption, "duckdb", "--db", data.DuckDbFile, "--format", format,
            "--files", string.Join('|', format == Csv ? data.CsvFiles : data.ParquetFiles)];
        if (s_duckDbMemoryLimit is { } limit)
        {
            arguments.AddRange(["--duckdb-memory-limit", limit]);
        }

        if (!BuildCheck.IsOptimized(typeof(WarehouseBenchmark).Assembly))
        {
            arguments.Add("--allow-debug");
        }

        var process = WholeProcess.Run(program, arguments, logPrefix);
        var loaded = File.ReadLines(logPrefix + ".out").Select(l => l.Split('\t')).FirstOrDefault(f => f is ["rows", _]);
        var rows = loaded is null ? -1 : long.Parse(loaded[1], CultureInfo.InvariantCulture);
        return new Run(process.Seconds, process.PeakRssBytes, process.UserSeconds + process.SystemSeconds, rows);
    }

    // The child of DuckDbWholeProcess: open, load, close, print the rows.
    private static int DuckDbChild(BenchArguments args, CancellationToken cancellationToken)
    {
        var db = args.String("--db") ?? throw new BenchArgumentException("--engine duckdb needs --db FILE.");
        var format = args.String("--format") ?? Csv;
        var files = (args.String("--files") ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries);
        s_duckDbMemoryLimit = args.String("--duckdb-memory-limit");
        var rows = DuckDbLoad(db, DuckDbLoadSql(format, files, files), cancellationToken);
        if (format == Csv && files.Length > 1)
        {
            rows = Totals.Of(db, "public").Rows;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows\t{rows}"));
        return 0;
    }

    private static void CreateDuckDbTable(Prepared data, string duckDdl)
    {
        DeleteDatabase(data.DuckDbFile);
        using var create = new DuckDBConnection($"DataSource={data.DuckDbFile}");
        create.Open();
        Execute(create, duckDdl);
    }

    private static string DuckDbLoadSql(string format, IReadOnlyList<string> csvFiles, IReadOnlyList<string> parquetFiles) => format == Csv
        ? string.Join(";\n", csvFiles.Select(f => $"COPY public.{Table} FROM {Literal(f)} (HEADER)"))
        : $"INSERT INTO public.{Table} SELECT * FROM read_parquet([{string.Join(", ", parquetFiles.Select(Literal))}], hive_partitioning = false)";

    private static long DuckDbLoad(string databaseFile, string sql, CancellationToken cancellationToken)
    {
        using var connection = new DuckDBConnection($"DataSource={databaseFile}");
        connection.Open();
        SetMemoryLimit(connection);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using (cancellationToken.Register(command.Cancel))
        {
            return command.ExecuteNonQuery();
        }
    }

    // Our CSV load taken apart: each stage does what the one before did plus one step of LocalWarehouse.LoadDelimitedAsync.
    private static List<Stage> MeasureStages(Prepared data, WarehouseTable table, string duckDdl, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var copy = CopyParser.Parse(CopySql(Csv));
        var options = copy.Options;
        var converter = new FieldConverter(options);
        var converters = table.Columns.Select(converter.For).ToArray();
        var scratch = Path.Combine(data.Root, "stages.duckdb");
        var stages = new List<(string Name, string What, Func<long> Body)>
        {
            ("1 lines", "StreamReader.ReadLine over the file (UTF-8 decoding, line splitting)", () =>
            {
                long n = 0;
                foreach (var file in data.CsvFiles)
                {
                    using var text = OpenText(file);
                    while (text.ReadLine() is not null)
                    {
                        n++;
                    }
                }

                return n - data.CsvFiles.Count;
            }),
            ("2 records", "+ DelimitedRecordReader.Read (a string per field)", () => Records(data, options, (_, _) => { })),
            ("3 + convert, boxed", "+ ColumnConverter.TryConvert(string, ..., out object?) per field, as Reject does", () =>
            {
                var values = new object?[converters.Length];
                return Records(data, options, (records, _) => ConvertBoxed(records, converters, values));
            }),
            ("4 + convert, unboxed", "+ ColumnConverter.TryConvertValue(string, ..., out FieldValue) instead", () =>
            {
                var values = new FieldValue[converters.Length];
                return Records(data, options, (records, _) => ConvertTyped(records, converters, values));
            }),
            ("5 + append, boxed", "3 + DuckDB appender with LocalWarehouse.Append's type switch on object, one transaction, close (the load's data path)", () =>
                WithAppender(scratch, duckDdl, appender =>
                {
                    var values = new object?[converters.Length];
                    return Records(data, options, (records, _) =>
                    {
                        ConvertBoxed(records, converters, values);
                        var row = appender.CreateRow();
                        foreach (var value in values)
                        {
                            AppendBoxed(row, value);
                        }

                        row.EndRow();
                    });
                })),
            ("6 + append, typed", "4 + DuckDB appender with typed AppendValue from FieldValue (no object)", () =>
                WithAppender(scratch, duckDdl, appender =>
                {
                    var values = new FieldValue[converters.Length];
                    return Records(data, options, (records, _) =>
                    {
                        ConvertTyped(records, converters, values);
                        var row = appender.CreateRow();
                        foreach (var value in values)
                        {
                            AppendTyped(row, value);
                        }

                        row.EndRow();
                    });
                })),
            ("7 appender alone", "the typed appender fed the first 4,096 converted rows over and over, as many rows as the file: no reading", () =>
            {
                var sample = new List<FieldValue[]>();
                Records(data, options, (records, n) =>
                {
                    if (n < 4_096)
                    {
                        var values = new FieldValue[converters.Length];
                        ConvertTyped(records, converters, values);
                        sample.Add(values);
                    }
                });
                return WithAppender(scratch, duckDdl, appender =>
                {
                    for (long n = 0; n < data.Rows; n++)
                    {
                        var row = appender.CreateRow();
                        foreach (var value in sample[(int)(n % sample.Count)])
                        {
                            AppendTyped(row, value);
                        }

                        row.EndRow();
                    }

                    return data.Rows;
                });
            }),
            ("9 pipelined (a proposal)", "6 on two threads: records and conversion on one, the typed appender on the other, batches of 2,048 rows through a channel of 4", () =>
                WithAppender(scratch, duckDdl, appender => Pipelined(data, options, converters, appender))),
            ("10 fast path's check", "CsvPrecheck alone over the file: what runs on its own thread beside DuckDB's reader when the file is plain", () =>
            {
                long n = 0;
                foreach (var file in data.CsvFiles)
                {
                    using var stream = File.OpenRead(file);
                    n += CsvPrecheck.ScanAsync(stream, options, table.Columns, null, cancellationToken).GetAwaiter().GetResult().Records;
                }

                return n;
            }),
        };

        var measured = new List<Stage>();
        foreach (var (name, what, body) in stages)
        {
            var seconds = new List<double>();
            var cpu = new List<double>();
            long rows = 0, peak = 0;
            for (var r = 0; r < repeat; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Collect();
                var cpuBefore = ProcStatus.CpuTime(Environment.ProcessId);
                using var memory = PeakMemory.Start();
                var clock = Stopwatch.StartNew();
                rows = body();
                seconds.Add(clock.Elapsed.TotalSeconds);
                peak = Math.Max(peak, memory.Stop().WorkingSetBytes);
                cpu.Add((ProcStatus.CpuTime(Environment.ProcessId) - cpuBefore)?.TotalSeconds ?? 0);
            }

            var stage = new Stage(name, what, BenchReport.Median(seconds), BenchReport.Median(cpu), rows, peak);
            measured.Add(stage);
            report.Line($"{name}: {stage.Seconds:N2} s ({string.Join(", ", seconds.Select(s => s.ToString("N2", CultureInfo.InvariantCulture)))}), CPU {stage.CpuSeconds:N2} s, peak RSS {peak / 1e6:N0} MB, {rows:N0} rows = {rows / stage.Seconds:N0} rows/s  [{what}]");
        }

        DeleteDatabase(scratch);
        return measured;
    }

    // What LoadDelimitedAsync could do on two cores: the DuckDB appender stays on one thread, as it must.
    private static long Pipelined(Prepared data, CopyOptions options, ColumnConverter[] converters, DuckDBAppender appender)
    {
        const int BatchRows = 2_048;
        var channel = Channel.CreateBounded<(FieldValue[][] Rows, int Count)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() =>
        {
            try
            {
                var batch = new FieldValue[BatchRows][];
                var count = 0;
                Records(data, options, (records, _) =>
                {
                    var values = new FieldValue[converters.Length];
                    ConvertTyped(records, converters, values);
                    batch[count++] = values;
                    if (count == BatchRows)
                    {
                        channel.Writer.WriteAsync((batch, count)).AsTask().GetAwaiter().GetResult();
                        batch = new FieldValue[BatchRows][];
                        count = 0;
                    }
                });
                if (count > 0)
                {
                    channel.Writer.WriteAsync((batch, count)).AsTask().GetAwaiter().GetResult();
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        });

        long rows = 0;
        while (channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (channel.Reader.TryRead(out var batch))
            {
                for (var r = 0; r < batch.Count; r++)
                {
                    var row = appender.CreateRow();
                    foreach (var value in batch.Rows[r])
                    {
                        AppendTyped(row, value);
                    }

                    row.EndRow();
                }

                rows += batch.Count;
            }
        }

        producer.GetAwaiter().GetResult();
        return rows;
    }

    private static StreamReader OpenText(string file) =>
        new(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

    private static long Records(Prepared data, CopyOptions options, Action<DelimitedRecordReader, long> each)
    {
        long n = 0;
        foreach (var file in data.CsvFiles)
        {
            using var text = OpenText(file);
            var records = new DelimitedRecordReader(text, options.EffectiveDelimiter, options.EffectiveQuote, options.Escape, options.RemoveQuotes);
            records.SkipLines(options.IgnoreHeader);
            while (records.Read())
            {
                each(records, n++);
            }
        }

        return n;
    }

    private static void ConvertBoxed(DelimitedRecordReader records, ColumnConverter[] converters, object?[] values)
    {
        for (var i = 0; i < converters.Length; i++)
        {
            if (!converters[i].TryConvert(records.Field(i), records.WasQuoted(i), out values[i], out var error))
            {
                throw new InvalidDataException(BenchReport.Text($"Line {records.LineNumber}: {error}"));
            }
        }
    }

    private static void ConvertTyped(DelimitedRecordReader records, ColumnConverter[] converters, FieldValue[] values)
    {
        for (var i = 0; i < converters.Length; i++)
        {
            if (!converters[i].TryConvertValue(records.Field(i), records.WasQuoted(i), out values[i], out var error))
            {
                throw new InvalidDataException(BenchReport.Text($"Line {records.LineNumber}: {error}"));
            }
        }
    }

    private static long WithAppender(string file, string duckDdl, Func<DuckDBAppender, long> body)
    {
        // Created and closed first, then reopened to load, as init and COPY do (DuckDB writes a new table's rows differently).
        DeleteDatabase(file);
        using (var create = new DuckDBConnection($"DataSource={file}"))
        {
            create.Open();
            Execute(create, duckDdl);
        }

        using var connection = new DuckDBConnection($"DataSource={file}");
        connection.Open();
        SetMemoryLimit(connection);
        Execute(connection, "BEGIN TRANSACTION");
        long rows;
        using (var appender = connection.CreateAppender("public", Table))
        {
            rows = body(appender);
            appender.Close();
        }

        Execute(connection, "COMMIT");
        return rows;
    }

    // LocalWarehouse.Append as it is: a type switch over the boxed value.
    private static void AppendBoxed(IDuckDBAppenderRow row, object? value)
    {
        switch (value)
        {
            case null: row.AppendNullValue(); break;
            case long l: row.AppendValue(l); break;
            case int i: row.AppendValue(i); break;
            case decimal d: row.AppendValue(d); break;
            case string s: row.AppendValue(s); break;
            case DateTime d: row.AppendValue(d); break;
            default: row.AppendValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static void AppendTyped(IDuckDBAppenderRow row, in FieldValue value)
    {
        switch (value.Type)
        {
            case FieldValueType.Null: row.AppendNullValue(); break;
            case FieldValueType.Int64: row.AppendValue(value.Int64); break;
            case FieldValueType.Int32: row.AppendValue((int)value.Int64); break;
            case FieldValueType.Decimal: row.AppendValue(value.Decimal); break;
            case FieldValueType.String: row.AppendValue(value.String); break;
            case FieldValueType.DateTime: row.AppendValue(value.DateTime); break;
            default: throw new InvalidOperationException($"The stage has no append for {value.Type}.");
        }
    }

    private static void PrintSummary(List<Runs> runs, List<(long Rows, List<Stage> Stages)> stages, int repeat, string cli, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Warehouse benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(IWarehouse).Assembly, loadAtStart)
                .Append((Name: "Load average after the run (1/5/15 min)", Value: MachineInfo.LoadAverage() ?? "unknown"))
                .Append((Name: "CLI", Value: cli))
                .Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- warehouse`: COPY of generated transactions_data into a fresh local warehouse (warehouse.duckdb deleted, init, COPY; only the COPY timed) against DuckDB's own load of the same files into the same table (RedshiftDdl.ToDuckDb DDL in a fresh DuckDB file; open, load, close timed). CSV: `COPY ... CSV IGNOREHEADER 1` against DuckDB's `COPY ... FROM 'f.csv' (HEADER)`; Parquet: `COPY ... FORMAT AS PARQUET` against `INSERT INTO ... SELECT * FROM read_parquet([...], hive_partitioning = false)`. {repeat} repeats each way, taking turns; medians.{(s_duckDbMemoryLimit is null ? "" : $" DuckDB's side with SET memory_limit = '{s_duckDbMemoryLimit}'.")} Warm: both in this process after a warm-up load of {WarmUpRows:N0} rows; peak RSS is this process's VmHWM reset before each load. Whole process: `ecomops warehouse copy --sql ...` as a new process (published CLI, start-up and JIT included; peak RSS is its VmHWM) against DuckDB's load as a new process too (this bench executable with a hidden `--engine duckdb`: DuckDB.NET's start-up, open, load, close; peak RSS its VmHWM). Ratio = our rows/s over DuckDB's.");
        report.Line();
        var pairs = runs.GroupBy(r => (r.Mode, r.Format, r.Rows))
            .Select(g => (g.Key.Mode, g.Key.Format, g.Key.Rows, Ours: g.Single(r => r.Engine == "ecomops"), Theirs: g.Single(r => r.Engine == "duckdb")))
            .OrderBy(p => p.Mode).ThenBy(p => p.Format).ThenBy(p => p.Rows).ToList();
        report.Table(
            [
                new("Process", Numeric: false), new("Format", Numeric: false), new("Rows"), new("EcomOps s"), new("DuckDB s"), new("EcomOps rows/s"), new("DuckDB rows/s"),
                new("Ours/DuckDB"), new("EcomOps CPU s"), new("DuckDB CPU s"), new("EcomOps peak RSS MB"), new("DuckDB peak RSS MB"),
            ],
            pairs.Select(p => (IReadOnlyList<string>)
            [
                p.Mode, p.Format, BenchReport.Count(p.Rows), BenchReport.Fixed(p.Ours.MedianSeconds, 2), BenchReport.Fixed(p.Theirs.MedianSeconds, 2),
                BenchReport.Count(p.Rows / p.Ours.MedianSeconds), BenchReport.Count(p.Rows / p.Theirs.MedianSeconds),
                BenchReport.Text($"{p.Theirs.MedianSeconds / p.Ours.MedianSeconds:N2}x"),
                BenchReport.Fixed(p.Ours.MedianCpuSeconds, 2), BenchReport.Fixed(p.Theirs.MedianCpuSeconds, 2),
                BenchReport.Megabytes(p.Ours.PeakBytes), BenchReport.Megabytes(p.Theirs.PeakBytes),
            ]));
        report.Line();

        var targets = new List<IReadOnlyList<string>>();
        foreach (var p in pairs)
        {
            var ratio = p.Theirs.MedianSeconds / p.Ours.MedianSeconds;
            targets.Add([BenchReport.Text($"{p.Mode} {p.Format} {p.Rows:N0}: throughput"), BenchReport.Text($">= {ThroughputTarget:N1}x DuckDB"), BenchReport.Text($"{ratio:N2}x"), Verdict(ratio >= ThroughputTarget)]);
        }

        foreach (var group in runs.Where(r => r.Engine == "ecomops").GroupBy(r => (r.Mode, r.Format)))
        {
            var sizes = group.OrderBy(r => r.Rows).ToList();
            if (sizes.Count > 1)
            {
                var growth = (double)sizes[^1].PeakBytes / sizes[0].PeakBytes;
                targets.Add([
                    BenchReport.Text($"{group.Key.Mode} {group.Key.Format}: our peak memory flat, {sizes[0].Rows:N0} -> {sizes[^1].Rows:N0} rows"),
                    BenchReport.Text($"grows <= {FlatMemoryTolerance:N2}x"),
                    BenchReport.Text($"{growth:N2}x ({sizes[0].PeakBytes / 1e6:N0} -> {sizes[^1].PeakBytes / 1e6:N0} MB)"),
                    Verdict(growth <= FlatMemoryTolerance)]);
            }
        }

        report.Table([new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Result", Numeric: false)], targets);
        foreach (var (rows, measured) in stages)
        {
            report.Line();
            report.Line($"Our CSV load at {rows:N0} rows taken apart (this process, medians of {repeat}); the full COPY and DuckDB's COPY from the warm runs:");
            report.Line();
            var copy = pairs.FirstOrDefault(p => p.Mode == Warm && p.Format == Csv && p.Rows == rows);
            var rowsOut = measured.Select(s => (IReadOnlyList<string>)[s.Name, BenchReport.Fixed(s.Seconds, 2), BenchReport.Fixed(s.CpuSeconds, 2), BenchReport.Count(s.Rows / s.Seconds), BenchReport.Megabytes(s.PeakBytes), s.What]).ToList();
            if (copy.Ours is not null)
            {
                rowsOut.Add(["8 IWarehouse.CopyAsync", BenchReport.Fixed(copy.Ours.MedianSeconds, 2), BenchReport.Fixed(copy.Ours.MedianCpuSeconds, 2), BenchReport.Count(rows / copy.Ours.MedianSeconds), BenchReport.Megabytes(copy.Ours.PeakBytes), "the whole load (warm)"]);
                rowsOut.Add(["DuckDB COPY", BenchReport.Fixed(copy.Theirs.MedianSeconds, 2), BenchReport.Fixed(copy.Theirs.MedianCpuSeconds, 2), BenchReport.Count(rows / copy.Theirs.MedianSeconds), BenchReport.Megabytes(copy.Theirs.PeakBytes), "COPY ... FROM 'f.csv' (HEADER), its own threads"]);
            }

            report.Table([new("Stage", Numeric: false), new("s"), new("CPU s"), new("rows/s"), new("peak RSS MB"), new("What", Numeric: false)], rowsOut);
        }
    }

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    // A full collection first, so the last load's garbage does not count in the next one's time or peak.
    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void DeleteDatabase(string file)
    {
        File.Delete(file);
        File.Delete(file + ".wal");
    }

    private static void SetMemoryLimit(DuckDBConnection connection)
    {
        if (s_duckDbMemoryLimit is { } limit)
        {
            Execute(connection, $"SET memory_limit = {Literal(limit)}");
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private sealed record Run(double Seconds, long PeakBytes, double CpuSeconds, long Rows);

    private sealed record Runs(string Mode, string Format, string Engine, long Rows, IReadOnlyList<Run> Measured)
    {
        public double MedianSeconds => BenchReport.Median(Measured.Select(r => r.Seconds));

        public double MedianCpuSeconds => BenchReport.Median(Measured.Select(r => r.CpuSeconds));

        public long PeakBytes => Measured.Max(r => r.PeakBytes);
    }

    private sealed record Stage(string Name, string What, double Seconds, double CpuSeconds, long Rows, long PeakBytes);

    /// <summary>What a warehouse holds after a load, to compare ours with DuckDB's.</summary>
    private sealed record Totals(long Rows, string Amount, string Range, long Customers)
    {
        public static Totals Of(string file, string schema)
        {
            using var connection = new DuckDBConnection($"DataSource={file};ACCESS_MODE=READ_ONLY");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*), CAST(sum(Amount) AS VARCHAR), CAST(min(Timestamp) AS VARCHAR) || ' .. ' || CAST(max(Timestamp) AS VARCHAR), count(DISTINCT CustomerID) FROM {schema}.{Table}";
            using var reader = command.ExecuteReader();
            reader.Read();
            return new Totals(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3));
        }

        public override string ToString() => BenchReport.Text($"{Rows:N0} rows, sum(Amount) {Amount}, Timestamp {Range}, {Customers:N0} customers");
    }

    /// <summary>A data root with N generated transactions as CSV and Parquet, and Core's services over it.</summary>
    private sealed class Prepared : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Prepared(string root, long rows, ServiceProvider services)
        {
            Root = root;
            Rows = rows;
            _services = services;
            Warehouse = services.GetRequiredService<IWarehouse>();
            var lake = Path.Combine(root, "lake", "ecomops-lake");
            CsvFiles = Directory.EnumerateFiles(Path.Combine(lake, "raw", Table), "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            ParquetFiles = Directory.EnumerateFiles(Path.Combine(lake, "parquet", Table), "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            CsvBytes = CsvFiles.Sum(f => new FileInfo(f).Length);
            ParquetBytes = ParquetFiles.Sum(f => new FileInfo(f).Length);
        }

        public string Root { get; }

        public long Rows { get; }

        public IWarehouse Warehouse { get; }

        public string WarehouseFile => Path.Combine(Root, "warehouse.duckdb");

        public string DuckDbFile => Path.Combine(Root, "duckdb-own.duckdb");

        public IReadOnlyList<string> CsvFiles { get; }

        public IReadOnlyList<string> ParquetFiles { get; }

        public long CsvBytes { get; }

        public long ParquetBytes { get; }

        public static async Task<Prepared> CreateAsync(string root, long rows, string ddlPath, CancellationToken cancellationToken)
        {
            var services = new ServiceCollection()
                .AddLogging()
                .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["EcomOps:DataRoot"] = root,
                    ["EcomOps:SeedSampleData"] = "false",
                    ["EcomOps:Warehouse:DdlPath"] = ddlPath,
                }).AddEnvironmentVariables().Build()) // EcomOps__Warehouse__MemoryLimit and the like, as the CLI reads them
                .BuildServiceProvider();
            await services.GetRequiredService<IGenerationService>().GenerateAsync(new GenerationOptions(100_000, 20_000, rows), null, null, cancellationToken).ConfigureAwait(false);
            var runner = services.GetRequiredService<IJobRunner>();
            foreach (var run in services.GetRequiredService<IConversionService>().StartConversion(new ConversionOptions(), [Table]))
            {
                var done = await runner.WaitAsync(run.Id, cancellationToken).ConfigureAwait(false);
                if (done.Status != JobStatus.Succeeded)
                {
                    throw new InvalidOperationException($"Converting {done.Dataset} {done.Status}: {done.Error}");
                }
            }

            return new Prepared(root, rows, services);
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
