using System.Diagnostics;
using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Xunit.Abstractions;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// <c>ecomops crawl</c> SIGKILLed at seeded random moments over a folder of many Hive partitions: after each kill
/// and a restart the catalog's table is the previous crawl's or the new one's, whole (its partitions, row and
/// object counts agree with each other and with the files), never a mix; the killed crawls end Interrupted and a
/// new crawl records every partition.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashCrawlTests(ITestOutputHelper output) : IDisposable
{
    private const int RowsPerFile = 5;
    private const int OldYears = 20;

    // One file per month: the crawler reads each file's footer, so the number of files sets how long it works.
    private const int NewYears = 200;

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Folder => Path.Combine(DataRoot, "lake", "ecomops-lake", "parquet", "sales_data");

    [Fact]
    public Task Crawl_KilledAtRandomMoments_LeavesTheOldTableOrTheNewOne_Whole_AndARerunRecordsEverything() => KillAsync(CrashHarness.CiKills);

    [HeavyFact]
    [Trait("Category", "Heavy")]
    public Task Crawl_KilledAtRandomMoments_LeavesTheOldTableOrTheNewOne_Whole_AndARerunRecordsEverything_ManyTimes() => KillAsync(CrashHarness.HeavyKills);

    private async Task KillAsync(int kills)
    {
        var harness = new CrashHarness(output, "crawl", kills);
        WritePartitions(Folder, 2000, OldYears);
        var first = await CliBinary.RunAsync(["--data-root", DataRoot, "crawl"]);
        Assert.True(first.Code == 0, first.Stderr);
        var old = await TableAsync();
        Assert.Equal((OldYears * 12L, OldYears * 12L * RowsPerFile), (old.Partitions, old.Rows));

        var staged = _root.Beside("more");
        WritePartitions(staged, 2000 + OldYears, NewYears - OldYears);
        foreach (var year in Directory.EnumerateDirectories(staged))
        {
            Directory.Move(year, Path.Combine(Folder, Path.GetFileName(year)));
        }

        var start = CrashCli.On(DataRoot, "crawl");
        var running = CrashCli.StepRunning(LocalCrawlerEngine.ScanStep);
        var timing = await CrashHarness.TimeAsync(start, running);
        Assert.True(timing.ExitCode == 0, timing.Stderr);
        harness.Log($"a whole crawl of {NewYears * 12} files: Running after {timing.ToRunning.TotalMilliseconds:0} ms, working {timing.Working.TotalMilliseconds:0} ms");
        var whole = await TableAsync();
        Assert.Equal((NewYears * 12L, NewYears * 12L * RowsPerFile), (whole.Partitions, whole.Rows));
        Assert.Equal(whole.Rows, CountFiles());

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < harness.Kills; i++)
        {
            // Back to the first crawl's table before every other kill, so a kill can show old or new.
            if (i % 2 == 0)
            {
                await ForgetAsync();
            }

            var before = await TableAsync();
            var kill = await harness.KillAsync(start, running, timing);
            var after = await TableAsync();
            Assert.True(after == before || after == whole with { Version = after.Version },
                $"{kill}: the catalog says {after}; before the crawl it said {before}, a whole crawl says {whole}");
        }

        harness.Log($"{harness.Kills} kills in {clock.Elapsed.TotalSeconds:0.0} s: {harness.Summary()}");

        var rerun = await CliBinary.RunAsync(["--data-root", DataRoot, "crawl"]);
        Assert.True(rerun.Code == 0, rerun.Stderr);
        Assert.Equal(whole with { Version = 0 }, await TableAsync() with { Version = 0 });
        CrashChecks.AllSettled(DataRoot, JobKinds.Crawl, harness.Reports, $"seed {harness.Seed}");
    }

    /// <summary>What the catalog says of the table (read by a new process's services), checked to agree with itself.</summary>
    private async Task<TableState> TableAsync()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
        var catalog = host.Get<ICatalog>();
        var table = await catalog.GetTableAsync("ecom", "sales_data");
        Assert.NotNull(table);
        var partitions = await catalog.GetPartitionsAsync("ecom", "sales_data");
        Assert.Equal(table.RecordCount, partitions.Sum(p => p.RecordCount));
        Assert.Equal(table.ObjectCount, partitions.Sum(p => p.ObjectCount));
        Assert.All(partitions, p => Assert.True(Directory.Exists(Path.Combine(DataRoot, "lake", "ecomops-lake", p.Location.TrimEnd('/'))), $"partition {p.Location} is in the catalog but not in the lake"));
        return new TableState(table.Version, partitions.Count, table.RecordCount, table.ObjectCount);
    }

    // The newer years moved aside for a crawl, which removes their partitions from the table, and moved back.
    private async Task ForgetAsync()
    {
        var excluded = _root.Beside("aside");
        Directory.CreateDirectory(excluded);
        foreach (var year in Directory.EnumerateDirectories(Folder).Where(d => string.CompareOrdinal(Path.GetFileName(d), $"year={2000 + OldYears}") >= 0))
        {
            Directory.Move(year, Path.Combine(excluded, Path.GetFileName(year)));
        }

        Assert.Equal(0, (await CliBinary.RunAsync(["--data-root", DataRoot, "crawl"])).Code);
        foreach (var year in Directory.EnumerateDirectories(excluded))
        {
            Directory.Move(year, Path.Combine(Folder, Path.GetFileName(year)));
        }
    }

    private long CountFiles()
    {
        using var duck = new DuckDb();
        return duck.Long($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Folder + "/**/*.parquet")}, hive_partitioning = true)");
    }

    private static void WritePartitions(string folder, int firstYear, int years)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        using var duck = new DuckDb();
        duck.Scalar($"""
            COPY (SELECT y * 100000 + m * 1000 + r AS id, (r * 1.25)::DECIMAL(10,2) AS amount, y AS year, m AS month
                  FROM range({firstYear}, {firstYear + years}) a(y), range(1, 13) b(m), range(0, {RowsPerFile}) c(r))
            TO {DuckDb.Literal(folder)} (FORMAT parquet, PARTITION_BY (year, month))
            """);
    }

    private sealed record TableState(int Version, int Partitions, long Rows, long Objects);
}
