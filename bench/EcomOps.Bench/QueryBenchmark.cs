using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using EcomOps.Core;
using EcomOps.Core.Catalog;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Bench;

/// <summary>
/// <c>query</c>: what our query path costs over DuckDB itself, for every query of <c>sql/athena_queries.sql</c> on
/// the crawl benchmark's lake. (a) <see cref="IQueryService.RunAsync"/> from Core's container, as the dashboard
/// runs it; (b) raw DuckDB in this process: one connection, views over the same Parquet files, the SQL the
/// engine ran (<see cref="QueryResult.EngineSql"/>); (c) <c>ecomops query --file</c> as a new process. Then where
/// (a) spends its time over (b), phase by phase, by doing the engine's steps here one at a time.
/// </summary>
internal static class QueryBenchmark
{
    public const string Command = "query";

    public const string Usage = """
          query [--rows N] [--repeat K] [--data-root DIR] [--cli PATH]
            Generates N transactions (default 10_000_000; N/100 customers, N/500 products), converts them to Parquet
            with transactions partitioned by month and crawls the lake (the crawl benchmark's preparation), then runs
            every query of sql/athena_queries.sql, each warmed up once and then K times (default 3), the two in-process
            ways taking turns: (a) IQueryService.RunAsync from Core's container, (b) raw DuckDB on one in-memory
            connection over the same Parquet files running the engine's own SQL (QueryResult.EngineSql). Prints the
            medians, the ratio a/b per query and overall (target <= 1.1), (c) 'ecomops query --file F --format csv'
            as a new process per run (the CLI published in Release, or --cli PATH), and a breakdown of a's time by
            phase (connect, sandbox, translate, views, execute, rows, profile, history).
            Files in a temporary folder deleted afterwards; with --data-root DIR the prepared data root is kept there
            and reused by the next run with the same N (delete DIR to start again).
        """;

    private const double RatioTarget = 1.1;
    private const string MarkerFile = "bench-query.json";

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var rows = args.Long("--rows", 10_000_000, 10_000, GenerationLimits.MaxTransactions);
        var repeat = (int)args.Long("--repeat", 3, 1, 50);
        var keptRoot = args.String("--data-root");
        var givenCli = args.String("--cli");
        args.EnsureAllUsed();
        if (!WholeProcess.IsSupported)
        {
            throw new BenchArgumentException("The query benchmark's whole-process runs need Linux (posix_spawn and wait4).");
        }

        var loadAtStart = MachineInfo.LoadAverage();
        var queries = ExampleQueries.Parse(await File.ReadAllTextAsync(Path.Combine(ConversionBenchmark.RepositoryRoot(), "sql", "athena_queries.sql"), cancellationToken).ConfigureAwait(false));
        var work = Directory.CreateTempSubdirectory("ecomops-bench-query-");
        try
        {
            var dataRoot = keptRoot is null ? Path.Combine(work.FullName, "root") : Path.GetFullPath(keptRoot);
            var prepared = await PrepareAsync(dataRoot, rows, report, cancellationToken).ConfigureAwait(false);
            var cli = givenCli ?? await ConversionBenchmark.PublishCliAsync(Path.Combine(work.FullName, "cli"), report, cancellationToken).ConfigureAwait(false);

            List<Measured> measured;
            await using (var services = BuildServices(dataRoot))
            {
                report.Heading(BenchReport.Text($"{queries.Count} queries, {rows:N0} transactions: warm-up once, then {repeat} runs each, service (a) and raw DuckDB (b) taking turns"));
                measured = await MeasureInProcessAsync(services, queries, repeat, report, cancellationToken).ConfigureAwait(false);

                report.Heading(BenchReport.Text($"Where the service's time goes: the engine's steps done here one at a time, fresh database each run, warm-up once then {repeat} runs"));
                await ProfilePhasesAsync(services, measured, repeat, report, cancellationToken).ConfigureAwait(false);
            }

            report.Heading(BenchReport.Text($"Whole process: ecomops query --file F --format csv, {repeat} new processes per query"));
            MeasureWholeProcess(cli, dataRoot, work.FullName, measured, repeat, report, cancellationToken);

            PrintSummary(measured, prepared, repeat, givenCli ?? "published here (dotnet publish -c Release)", loadAtStart, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static ServiceProvider BuildServices(string dataRoot) =>
        new ServiceCollection()
            .AddLogging()
            .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EcomOps:DataRoot"] = dataRoot,
                ["EcomOps:SeedSampleData"] = "false",

                // The benchmark runs each query many times as one user; the per-user limit is not what it measures.
                ["EcomOps:Limits:QueriesPerMinute"] = "100000",
            }).Build())
            .BuildServiceProvider();

    // The crawl benchmark's lake, crawled once. A kept data root says in its marker file how many rows it holds.
    private static async Task<Prepared> PrepareAsync(string dataRoot, long rows, BenchReport report, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(dataRoot, MarkerFile);
        if (File.Exists(marker))
        {
            var kept = JsonSerializer.Deserialize<Prepared>(await File.ReadAllTextAsync(marker, cancellationToken).ConfigureAwait(false));
            if (kept?.Rows == rows)
            {
                report.Line($"Reusing the data root prepared at {kept.PreparedAt:u} in {dataRoot}: {kept.Rows:N0} transactions, {kept.Customers:N0} customers, {kept.Products:N0} products");
                return kept;
            }

            report.Line($"{dataRoot} was prepared with {kept?.Rows:N0} transactions, not {rows:N0}: preparing it again");
            Directory.Delete(dataRoot, recursive: true);
        }
        else if (Directory.Exists(dataRoot) && Directory.EnumerateFileSystemEntries(dataRoot).Any())
        {
            throw new BenchArgumentException($"--data-root {dataRoot} holds files but no {MarkerFile}: it is not a data root this benchmark prepared. Give a new or empty folder.");
        }

        var customers = Math.Max(1_000, rows / 100);
        var products = Math.Max(200, rows / 500);
        report.Heading(BenchReport.Text($"Generating and converting {rows:N0} transactions (partitioned by month), {customers:N0} customers, {products:N0} products; crawling"));
        var clock = Stopwatch.StartNew();
        await CrawlBenchmark.PrepareDatasetsAsync(dataRoot, rows, customers, products, cancellationToken).ConfigureAwait(false);
        await using (var services = BuildServices(dataRoot))
        {
            var run = await services.GetRequiredService<IJobRunner>().WaitAsync(services.GetRequiredService<ICatalogService>().StartCrawl(new CrawlOptions()).Id, cancellationToken).ConfigureAwait(false);
            if (run.Status != JobStatus.Succeeded)
            {
                throw new InvalidOperationException($"The crawl {run.Status}: {run.Error}");
            }
        }

        var prepared = new Prepared(rows, customers, products, DateTimeOffset.UtcNow);
        await File.WriteAllTextAsync(marker, JsonSerializer.Serialize(prepared), cancellationToken).ConfigureAwait(false);
        report.Line($"Prepared in {clock.Elapsed.TotalSeconds:N1} s: {dataRoot}");
        return prepared;
    }

    private static async Task<List<Measured>> MeasureInProcessAsync(ServiceProvider services, IReadOnlyList<(string Name, string Description, string Sql)> queries, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var service = services.GetRequiredService<IQueryService>();
        using var raw = await OpenRawAsync(services, cancellationToken).ConfigureAwait(false);
        var measured = new List<Measured>();
        foreach (var (name, _, sql) in queries)
        {
            var request = new QueryRunRequest(sql, QuerySource.Editor);
            var first = await service.RunAsync(request, cancellationToken).ConfigureAwait(false);
            var rawRows = RunRaw(raw, first.EngineSql, cancellationToken);
            report.Check(BenchReport.Text($"'{name}': raw DuckDB returns the service's {first.Rows.Count:N0} rows, none cut by the row cap"),
                rawRows == first.Rows.Count && !first.Truncated, BenchReport.Text($"service {first.Rows.Count:N0} rows (truncated: {first.Truncated}), raw {rawRows:N0}"));

            var viaService = new List<double>();
            var engine = new List<double>();
            var duck = new List<double>();
            // The order alternates too, so neither way always runs right after the other's teardown.
            for (var r = 1; r <= repeat; r++)
            {
                if (r % 2 == 0)
                {
                    duck.Add(Time(() => RunRaw(raw, first.EngineSql, cancellationToken)));
                }

                var clock = Stopwatch.StartNew();
                var result = await service.RunAsync(request, cancellationToken).ConfigureAwait(false);
                viaService.Add(clock.Elapsed.TotalSeconds);
                engine.Add(result.Duration.TotalSeconds);
                if (r % 2 == 1)
                {
                    duck.Add(Time(() => RunRaw(raw, first.EngineSql, cancellationToken)));
                }
            }

            var m = new Measured(name, sql, first.EngineSql, first.Rows.Count, first.BytesScanned, BenchReport.Median(viaService), BenchReport.Median(engine), BenchReport.Median(duck))
            {
                ServiceBest = viaService.Min(),
                RawBest = duck.Min(),
            };
            measured.Add(m);
            report.Line($"{name}: {m.Rows:N0} rows, {m.BytesScanned:N0} bytes read; service {m.Service:N3} s (engine {m.Engine:N3} s), raw DuckDB {m.Raw:N3} s, ratio {m.Service / m.Raw:N2}  [runs: service {string.Join(", ", viaService.Select(s => s.ToString("N3", CultureInfo.InvariantCulture)))}; raw {string.Join(", ", duck.Select(s => s.ToString("N3", CultureInfo.InvariantCulture)))}]");
        }

        return measured;
    }

    // Raw DuckDB as a user of DuckDB.NET would run it: one in-memory connection, the engine's thread count, memory
    // limit and time zone, and a view per table over the same files, made once.
    private static async Task<DuckDBConnection> OpenRawAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = services.GetRequiredService<IOptions<QueryOptions>>().Value;
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        Execute(connection, $"SET memory_limit = {Literal(settings.MemoryLimit)}");
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"SET threads = {settings.Threads}"));
        var tables = await services.GetRequiredService<ICatalog>().ListTablesAsync(null, cancellationToken).ConfigureAwait(false);
        var references = tables.Where(t => t.Status == TableStatus.Active && t.Database == CrawlOptions.DefaultDatabase).Select(t => ((string?)t.Database, t.Name)).ToList();
        await CreateViewsAsync(connection, services, references, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static long RunRaw(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        long rows = 0;
        while (reader.Read())
        {
            rows++;
        }

        return rows;
    }

    // DuckDbQueryEngine.RunAsync step by step, timed: the same statements in the same order on a new in-memory
    // database per run. Its private steps (sandbox, views, describe) are repeated here, not called; the
    // translator is Core's own.
    // The raw warm connection takes its turn too, so the three executions are compared under the same load.
    private static async Task ProfilePhasesAsync(ServiceProvider services, List<Measured> measured, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        using var raw = await OpenRawAsync(services, cancellationToken).ConfigureAwait(false);
        foreach (var m in measured)
        {
            var runs = new List<Phases>();
            var unprofiled = new List<double>();
            var warm = new List<double>();
            for (var r = 0; r <= repeat; r++)
            {
                var withProfile = await RunPhasesAsync(services, m.Sql, profiling: true, cancellationToken).ConfigureAwait(false);
                var without = await RunPhasesAsync(services, m.Sql, profiling: false, cancellationToken).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                RunRaw(raw, m.EngineSql, cancellationToken);
                if (r > 0)
                {
                    runs.Add(withProfile);
                    unprofiled.Add(without.Execute);
                    warm.Add(clock.Elapsed.TotalSeconds);
                }
            }

            m.Phases = new Phases(
                Med(p => p.Connect), Med(p => p.Sandbox), Med(p => p.Parse), Med(p => p.Views), Med(p => p.Describe), Med(p => p.Rewrite),
                Med(p => p.Execute), Med(p => p.Materialise), Med(p => p.Profile), Med(p => p.Cleanup));
            m.ExecuteUnprofiled = BenchReport.Median(unprofiled);
            m.ExecuteWarm = BenchReport.Median(warm);
            report.Line($"{m.Name}: connect {Ms(m.Phases.Connect)}, sandbox {Ms(m.Phases.Sandbox)}, parse {Ms(m.Phases.Parse)}, views {Ms(m.Phases.Views)}, describe {Ms(m.Phases.Describe)}, rewrite {Ms(m.Phases.Rewrite)}, execute {Ms(m.Phases.Execute)} (fresh database without profiling {Ms(m.ExecuteUnprofiled)}; raw warm connection {Ms(m.ExecuteWarm)}), rows into object[] {Ms(m.Phases.Materialise)}, profile read {Ms(m.Phases.Profile)}, delete+close {Ms(m.Phases.Cleanup)}; after the engine's clock (delete, close, history line) {Ms(m.Service - m.Engine)} ms");

            double Med(Func<Phases, double> phase) => BenchReport.Median(runs.Select(phase));
        }
    }

    private static async Task<Phases> RunPhasesAsync(IServiceProvider services, string athenaSql, bool profiling, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<EcomOpsOptions>>().Value;
        var settings = services.GetRequiredService<IOptions<QueryOptions>>().Value;
        var clock = Stopwatch.StartNew();
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var connect = Lap(clock);

            var profile = Directory.CreateDirectory(Path.Combine(options.DataRootFullPath, "duckdb-home", "profiles", Guid.NewGuid().ToString("N"))).FullName;
            var home = Directory.CreateDirectory(Path.Combine(options.DataRootFullPath, "duckdb-home")).FullName;
            Execute(connection, $"SET allowed_directories = [{Literal(options.LakeFullPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar)}, {Literal(profile + Path.DirectorySeparatorChar)}]");
            Execute(connection, "SET enable_external_access = false");
            Execute(connection, "SET autoinstall_known_extensions = false");
            Execute(connection, "SET autoload_known_extensions = false");
            Execute(connection, $"SET home_directory = {Literal(home)}");
            Execute(connection, "SET TimeZone = 'UTC'");
            Execute(connection, $"SET memory_limit = {Literal(settings.MemoryLimit)}");
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"SET threads = {settings.Threads}"));
            if (profiling)
            {
                Execute(connection, "SET enable_profiling = 'json'");
                Execute(connection, $"SET profiling_output = {Literal(Path.Combine(profile, "profile.json"))}");
            }

            Execute(connection, "SET lock_configuration = true");
            var sandbox = Lap(clock);

            var parsed = AthenaSqlTranslator.Parse(connection, athenaSql);
            var parse = Lap(clock);
            await CreateViewsAsync(connection, services, AthenaSqlTranslator.TablesOf(parsed.Tree), cancellationToken).ConfigureAwait(false);
            var views = Lap(clock);
            var types = DescribeViews(connection);
            var describe = Lap(clock);
            var engineSql = AthenaSqlTranslator.Rewrite(connection, parsed, types);
            var rewrite = Lap(clock);

            long materialising = 0;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = engineSql;
                using var reader = command.ExecuteReader();
                var rows = new List<object?[]>();
                while (reader.Read())
                {
                    var started = Stopwatch.GetTimestamp();
                    var row = new object?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }

                    rows.Add(row);
                    materialising += Stopwatch.GetTimestamp() - started;
                }
            }

            var materialise = Stopwatch.GetElapsedTime(0, materialising).TotalSeconds;
            var execute = Lap(clock) - materialise;

            var path = Path.Combine(profile, "profile.json");
            if (File.Exists(path))
            {
                using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
                _ = document.RootElement.TryGetProperty("total_bytes_read", out _);
            }

            var profileRead = Lap(clock);
            Directory.Delete(profile, recursive: true);
            await connection.DisposeAsync().ConfigureAwait(false);
            var cleanup = Lap(clock);
            return new Phases(connect, sandbox, parse, views, describe, rewrite, execute, materialise, profileRead, cleanup);
        }
        finally
        {
            // Closed already in the timed step; this is for a failure before it (closing twice is harmless).
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    // DuckDbQueryEngine.CreateViewsAsync's views: one per table named, over the files the catalog's table is
    // made of now, columns renamed to the catalog's names, partition keys typed VARCHAR as Glue types them.
    private static async Task CreateViewsAsync(DuckDBConnection connection, IServiceProvider services, IReadOnlyList<(string? Schema, string Table)> referenced, CancellationToken cancellationToken)
    {
        var lake = services.GetRequiredService<IObjectStore>();
        var lakePath = services.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath;
        var tables = await services.GetRequiredService<ICatalog>().ListTablesAsync(null, cancellationToken).ConfigureAwait(false);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var schemas = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (schema, name) in referenced)
        {
            var table = tables.Where(t => t.Name == name && (schema is null || t.Database == schema) && t.Status == TableStatus.Active)
                .OrderBy(t => t.Database == CrawlOptions.DefaultDatabase ? 0 : 1)
                .FirstOrDefault();
            if (table is null || !created.Add(table.FullName))
            {
                continue;
            }

            var files = (await TableFiles.ListAsync(lake, table, cancellationToken).ConfigureAwait(false))
                .Select(o => Path.Combine(lakePath, o.Key.Replace('/', Path.DirectorySeparatorChar)))
                .ToList();
            if (files.Count == 0 || table.Classification == "csv")
            {
                continue;
            }

            if (schemas.Add(table.Database))
            {
                Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {Identifier(table.Database)}");
            }

            var list = "[" + string.Join(", ", files.Select(Literal)) + "]";
            var source = table.PartitionKeys.Count == 0
                ? $"read_parquet({list})"
                : $"read_parquet({list}, hive_partitioning = true, hive_types = {{{string.Join(", ", table.PartitionKeys.Select(k => $"{Literal(k.SourceName)}: 'VARCHAR'"))}}})";
            var columns = table.Columns.Concat(table.PartitionKeys).Select(c => $"{Identifier(c.SourceName)} AS {Identifier(c.Name)}");
            Execute(connection, $"CREATE VIEW {Identifier(table.Database)}.{Identifier(table.Name)} AS SELECT {string.Join(", ", columns)} FROM {source}");
            if (schema is null && table.Database != "main")
            {
                Execute(connection, $"CREATE VIEW IF NOT EXISTS main.{Identifier(table.Name)} AS SELECT * FROM {Identifier(table.Database)}.{Identifier(table.Name)}");
            }
        }
    }

    // DuckDbQueryEngine.DescribeViews: the views' column types, for the rewrites that depend on a type.
    private static ColumnTypes DescribeViews(DuckDBConnection connection)
    {
        var types = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name, data_type FROM duckdb_columns() WHERE NOT internal";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var name = reader.GetString(0).ToLowerInvariant();
            if (!types.TryGetValue(name, out var set))
            {
                types[name] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            }

            set.Add(reader.GetString(1));
        }

        return new ColumnTypes(types.ToDictionary(t => t.Key, t => (IReadOnlySet<string>)t.Value, StringComparer.Ordinal));
    }

    private static void MeasureWholeProcess(string cli, string dataRoot, string work, List<Measured> measured, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "queries")).FullName;
        for (var q = 0; q < measured.Count; q++)
        {
            var m = measured[q];
            var file = Path.Combine(folder, BenchReport.Text($"q{q + 1:00}.sql"));
            File.WriteAllText(file, m.Sql + ";\n");
            var runs = new List<ProcessRun>();
            for (var r = 1; r <= repeat; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                runs.Add(WholeProcess.Run(cli, ["--data-root", dataRoot, "query", "--file", file, "--format", "csv"], Path.Combine(folder, BenchReport.Text($"q{q + 1:00}-{r}"))));
            }

            m.WholeProcess = BenchReport.Median(runs.Select(p => p.Seconds));
            m.WholeProcessPeakRss = runs.Max(p => p.PeakRssBytes);
            var lines = File.ReadLines(Path.Combine(folder, BenchReport.Text($"q{q + 1:00}-{repeat}.out"))).Count();
            report.Line($"{m.Name}: {string.Join(", ", runs.Select(p => p.Seconds.ToString("N3", CultureInfo.InvariantCulture)))} s (median {m.WholeProcess:N3} s, raw DuckDB {m.Raw:N3} s); peak RSS {m.WholeProcessPeakRss / 1e6:N0} MB; {lines - 1:N0} CSV rows");
            report.Check(BenchReport.Text($"'{m.Name}': ecomops query prints the service's {m.Rows:N0} rows"), lines - 1 == m.Rows, BenchReport.Text($"{lines - 1:N0} rows after the header"));
        }
    }

    private static void PrintSummary(List<Measured> measured, Prepared data, int repeat, string cli, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Query benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(IQueryService).Assembly, loadAtStart)
                .Append((Name: "Load average after the run (1/5/15 min)", Value: MachineInfo.LoadAverage() ?? "unknown"))
                .Append((Name: "CLI", Value: cli))
                .Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- query --rows {data.Rows}`: every query of sql/athena_queries.sql over {data.Rows:N0} transactions ({data.Customers:N0} customers, {data.Products:N0} products; Parquet, transactions partitioned by month, crawled). Seconds, medians of {repeat} runs after one warm-up. (a) service: `IQueryService.RunAsync` from Core's container (translation, sandbox, views, rows into object[], profile, history line). (b) raw DuckDB: one in-memory connection in this process, views over the same files made once, the engine's SQL (`QueryResult.EngineSql`), rows read and dropped; same threads, memory limit and time zone. (c) whole process: `ecomops query --file F --format csv` as a new process (published CLI, start-up and JIT included).");
        report.Line();
        report.Table(
            [new("#"), new("Query", Numeric: false), new("Rows"), new("MB read"), new("(a) service s"), new("(b) raw DuckDB s"), new("a/b"), new("(c) whole process s"), new("c/b")],
            measured.Select((m, i) => (IReadOnlyList<string>)
            [
                (i + 1).ToString(CultureInfo.InvariantCulture), m.Name, BenchReport.Count(m.Rows), m.BytesScanned is { } b ? BenchReport.Megabytes(b) : "-",
                Sec(m.Service), Sec(m.Raw), BenchReport.Fixed(m.Service / m.Raw, 2), Sec(m.WholeProcess), BenchReport.Fixed(m.WholeProcess / m.Raw, 2),
            ]).Append(
            [
                "", "all (sum of medians)", BenchReport.Count(measured.Sum(m => (long)m.Rows)), "", Sec(measured.Sum(m => m.Service)), Sec(measured.Sum(m => m.Raw)),
                BenchReport.Fixed(measured.Sum(m => m.Service) / measured.Sum(m => m.Raw), 2), Sec(measured.Sum(m => m.WholeProcess)),
                BenchReport.Fixed(measured.Sum(m => m.WholeProcess) / measured.Sum(m => m.Raw), 2),
            ]));
        report.Line();

        report.Line($"Where (a) spends its time, milliseconds: medians of the engine's steps repeated here one at a time on a fresh database each run (DuckDbQueryEngine.RunAsync's order), {repeat} runs after a warm-up. Execution three ways, taking turns: \"raw warm\" on (b)'s long-lived connection, \"fresh DB\" on a new database without profiling, \"fresh + profile\" as the engine runs it. \"delete + close\" is removing the profile folder and closing the database, as the engine does after its clock stops; \"after engine\" is (a) minus QueryResult.Duration: that, plus the history line in the ops database.");
        report.Line();
        IReadOnlyList<string> PhaseRow(string label, Func<Func<Measured, double>, double> of) =>
        [
            label, Ms(of(m => m.Phases!.Connect + m.Phases.Sandbox)), Ms(of(m => m.Phases!.Parse)), Ms(of(m => m.Phases!.Views)), Ms(of(m => m.Phases!.Describe)), Ms(of(m => m.Phases!.Rewrite)),
            Ms(of(m => m.ExecuteWarm)), Ms(of(m => m.ExecuteUnprofiled)), Ms(of(m => m.Phases!.Execute)),
            Ms(of(m => m.Phases!.Materialise)), Ms(of(m => m.Phases!.Profile)), Ms(of(m => m.Phases!.Cleanup)), Ms(of(m => m.Service - m.Engine)), Ms(of(m => m.Service)),
        ];
        report.Table(
            [
                new("#"), new("connect + sandbox"), new("parse"), new("views"), new("describe"), new("rewrite"), new("execute: raw warm"), new("fresh DB"), new("fresh + profile"),
                new("rows to object[]"), new("profile read"), new("delete + close"), new("after engine"), new("(a) service"),
            ],
            measured.Select((m, i) => PhaseRow((i + 1).ToString(CultureInfo.InvariantCulture), phase => phase(m)))
                .Append(PhaseRow("all", phase => measured.Sum(phase))));
        report.Line();

        var ratio = measured.Sum(m => m.Service) / measured.Sum(m => m.Raw);
        var worst = measured.MaxBy(m => m.Service / m.Raw)!;
        report.Table([new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Result", Numeric: false)],
        [
            ["service over raw DuckDB, all queries (sum of medians)", BenchReport.Text($"<= {RatioTarget:N1}x"), BenchReport.Text($"{ratio:N2}x ({measured.Sum(m => m.Service):N3} vs {measured.Sum(m => m.Raw):N3} s)"), Verdict(ratio <= RatioTarget)],
            ["service over raw DuckDB, all queries, fastest runs (sum of minimums; less sensitive to load)", BenchReport.Text($"<= {RatioTarget:N1}x"),
                BenchReport.Text($"{measured.Sum(m => m.ServiceBest) / measured.Sum(m => m.RawBest):N2}x ({measured.Sum(m => m.ServiceBest):N3} vs {measured.Sum(m => m.RawBest):N3} s)"),
                Verdict(measured.Sum(m => m.ServiceBest) / measured.Sum(m => m.RawBest) <= RatioTarget)],
            ["service over raw DuckDB, worst query", BenchReport.Text($"<= {RatioTarget:N1}x"), BenchReport.Text($"{worst.Service / worst.Raw:N2}x ({worst.Name})"), Verdict(worst.Service / worst.Raw <= RatioTarget)],
        ]);
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Lap(Stopwatch clock)
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return elapsed;
    }

    private static string Sec(double seconds) => BenchReport.Fixed(seconds, 3);

    private static string Ms(double seconds) => BenchReport.Fixed(seconds * 1000, 1);

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Literal(string value) => AthenaSqlTranslator.Literal(value);

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed record Prepared(long Rows, long Customers, long Products, DateTimeOffset PreparedAt);

    /// <summary>Seconds per phase of one engine run.</summary>
    private sealed record Phases(double Connect, double Sandbox, double Parse, double Views, double Describe, double Rewrite, double Execute, double Materialise, double Profile, double Cleanup);

    private sealed record Measured(string Name, string Sql, string EngineSql, int Rows, long? BytesScanned, double Service, double Engine, double Raw)
    {
        public Phases? Phases { get; set; }

        public double ServiceBest { get; init; }

        public double RawBest { get; init; }

        public double ExecuteUnprofiled { get; set; }

        public double ExecuteWarm { get; set; }

        public double WholeProcess { get; set; }

        public long WholeProcessPeakRss { get; set; }
    }
}
