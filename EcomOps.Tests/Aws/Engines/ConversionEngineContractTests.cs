using System.Text;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>
/// What every conversion engine must do, run through the conversion service and the job runner as a user would, over
/// the same lake contents: one concrete subclass per engine (the in-process converter, and the Glue job on its
/// loopback stand-in). Results are compared by what the user sees: Parquet that DuckDB reads back, folders, the run's
/// status and counts.
/// </summary>
public abstract class ConversionEngineContractTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();

    /// <summary>Core with the engine under test, built by <see cref="CreateHostAsync"/>.</summary>
    protected CoreHost Host { get; private set; } = default!;

    protected IObjectStore Lake => Host.Get<IObjectStore>();

    protected IJobRunner Runner => Host.Get<IJobRunner>();

    /// <summary>The engine's name as the run's parameters show it.</summary>
    protected abstract string EngineName { get; }

    public async Task InitializeAsync() => Host = await CreateHostAsync();

    public async Task DisposeAsync()
    {
        ReleaseConversions();
        Host.Dispose();
        await DisposeEngineAsync();
        _files.Dispose();
    }

    protected abstract Task<CoreHost> CreateHostAsync();

    protected virtual Task DisposeEngineAsync() => Task.CompletedTask;

    /// <summary>Conversions started from now on wait, before reading any row, until <see cref="ReleaseConversions"/>.</summary>
    protected abstract void HoldConversions();

    protected abstract void ReleaseConversions();

    /// <summary>The run's engine has begun its work and is held.</summary>
    protected abstract Task<bool> IsHeldAsync(JobRun run);

    [Fact]
    public async Task GoodDataset_ConvertsToParquet_ThatDuckDbReadsBackRowForRow()
    {
        var dataset = DatasetRegistry.Customers;
        var csv = await UploadGeneratedAsync(dataset, 1_500);

        var run = await ConvertAsync(dataset, new ConversionOptions());

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal(EngineName, run.Parameters["engine"]);
        Assert.Equal((1_500, 1_500, 0), (run.Counts.RowsRead, run.Counts.RowsWritten, run.Counts.RowsRejected));
        Assert.True(run.Counts.BytesWritten > 0);
        Assert.All(run.Outputs, o => Assert.StartsWith("parquet/customer_data/", o.Location));
        var manifest = (await ConversionManifest.ReadAsync(Lake, dataset.Name))!;
        Assert.Equal(manifest.Files.Select(f => f.Key).Order(StringComparer.Ordinal), run.Outputs.Select(o => o.Location).Order(StringComparer.Ordinal));

        var parquet = await DownloadParquetAsync(dataset);
        using var duck = new DuckDb();
        var expected = CsvOf(dataset, csv);
        Assert.Equal(1_500, duck.Long($"SELECT count(*) FROM {parquet}"));
        Assert.Equal(0, duck.Long($"SELECT count(*) FROM (SELECT * FROM {expected} EXCEPT ALL SELECT * FROM {parquet})"));
        Assert.Equal(0, duck.Long($"SELECT count(*) FROM (SELECT * FROM {parquet} EXCEPT ALL SELECT * FROM {expected})"));
    }

    [Fact]
    public async Task MonthPartitioning_WritesTheYearMonthFoldersOfTheData_WithEveryRow()
    {
        var dataset = DatasetRegistry.Transactions;
        var csv = await UploadGeneratedAsync(dataset, 4_000);

        var run = await ConvertAsync(dataset, new ConversionOptions(Partitioning: Partitioning.Month, Compression: ParquetCompression.Zstd));

        Assert.Equal(JobStatus.Succeeded, run.Status);
        using var duck = new DuckDb();
        var months = duck.Rows($"SELECT DISTINCT 'year=' || strftime(Timestamp, '%Y') || '/month=' || strftime(Timestamp, '%m') FROM {CsvOf(dataset, csv)}")
            .Select(r => (string)r[0]!).Order(StringComparer.Ordinal).ToList();
        var folders = (await Lake.ListAsync("parquet/transactions_data/")).Objects.Select(o => o.Key)
            .Where(k => k.EndsWith(".parquet", StringComparison.Ordinal))
            .Select(k => k["parquet/transactions_data/".Length..k.LastIndexOf('/')])
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(months.Count > 1);
        Assert.Equal(months, folders);
        var parquet = await DownloadParquetAsync(dataset);
        Assert.Equal(4_000, duck.Long($"SELECT count(*) FROM {parquet}"));
        Assert.Equal(4_000, run.Counts.RowsWritten);
    }

    [Fact]
    public async Task BadRowsWithinMaxErrors_AreRejected_AndCountedInTheRun()
    {
        var dataset = DatasetRegistry.Customers;
        await UploadTextAsync(dataset, CustomersWithBadRows(good: 20, bad: 3));

        var run = await ConvertAsync(dataset, new ConversionOptions(MaxErrors: 5));

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal((23, 20, 3), (run.Counts.RowsRead, run.Counts.RowsWritten, run.Counts.RowsRejected));
        Assert.Contains(run.Outputs, o => o.Location.StartsWith("quarantine/customer_data/", StringComparison.Ordinal));
        using var duck = new DuckDb();
        Assert.Equal(20, duck.Long($"SELECT count(*) FROM {await DownloadParquetAsync(dataset)}"));
    }

    [Fact]
    public async Task BadRowsOverMaxErrors_FailTheRun_AndCommitNothing()
    {
        var dataset = DatasetRegistry.Customers;
        await UploadTextAsync(dataset, CustomersWithBadRows(good: 20, bad: 3));

        var run = await ConvertAsync(dataset, new ConversionOptions(MaxErrors: 2));

        Assert.Equal(JobStatus.Failed, run.Status);
        Assert.Matches("more than (the )?2", run.Error);
        Assert.Contains("customer_data", run.Error);
        Assert.Empty((await Lake.ListAsync("parquet/customer_data/")).Objects);
        Assert.DoesNotContain(run.Outputs, o => o.Location.StartsWith("parquet/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverwriteTwice_ReplacesTheParquet_AndDoesNotDoubleIt()
    {
        var dataset = DatasetRegistry.Customers;
        await UploadTextAsync(dataset, Customers(first: 1, count: 30));
        var first = await ConvertAsync(dataset, new ConversionOptions(Mode: ConversionMode.Overwrite));

        // The CSV is replaced by a smaller one; a second overwrite must show exactly it, not both.
        await UploadTextAsync(dataset, Customers(first: 101, count: 20));
        var second = await ConvertAsync(dataset, new ConversionOptions(Mode: ConversionMode.Overwrite));

        Assert.Equal((JobStatus.Succeeded, 30), (first.Status, first.Counts.RowsWritten));
        Assert.Equal((JobStatus.Succeeded, 20), (second.Status, second.Counts.RowsWritten));
        using var duck = new DuckDb();
        var parquet = await DownloadParquetAsync(dataset);
        Assert.Equal((20, 101, 120), (duck.Long($"SELECT count(*) FROM {parquet}"), duck.Long($"SELECT min(CustomerID) FROM {parquet}"), duck.Long($"SELECT max(CustomerID) FROM {parquet}")));
        var manifest = (await ConversionManifest.ReadAsync(Lake, dataset.Name))!;
        Assert.Equal(("overwrite", 20), (manifest.Mode, manifest.TotalRows));
        var live = (await Lake.ListAsync(ConversionManifest.PrefixOf(dataset.Name))).Objects.Select(o => o.Key).Where(k => k.EndsWith(".parquet", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(second.Outputs.Select(o => o.Location).Where(k => k.StartsWith("parquet/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), live);
        Assert.DoesNotContain(first.Outputs, o => live.Contains(o.Location));
    }

    [Fact]
    public async Task Overwrite_ByMonth_DropsTheMonthsThatNoLongerHaveRows()
    {
        var dataset = DatasetRegistry.Transactions;
        var byMonth = new ConversionOptions(Partitioning: Partitioning.Month, Mode: ConversionMode.Overwrite);
        await UploadTextAsync(dataset, Transactions(("2024-01-15 10:00:00", 1), ("2024-02-15 10:00:00", 2), ("2024-02-20 10:00:00", 3)));
        var first = await ConvertAsync(dataset, byMonth);
        var before = await MonthFoldersAsync(dataset);

        await UploadTextAsync(dataset, Transactions(("2024-03-01 09:30:00", 4), ("2024-03-31 23:59:59", 5)));
        var second = await ConvertAsync(dataset, byMonth);

        Assert.Equal([JobStatus.Succeeded, JobStatus.Succeeded], [first.Status, second.Status]);
        Assert.Equal(["year=2024/month=01", "year=2024/month=02"], before);
        Assert.Equal(["year=2024/month=03"], await MonthFoldersAsync(dataset));
        using var duck = new DuckDb();
        Assert.Equal(2, duck.Long($"SELECT count(*) FROM {await DownloadParquetAsync(dataset)}"));
    }

    [Fact]
    public async Task Cancel_WhileConverting_EndsCancelled_AndCommitsNothing()
    {
        var dataset = DatasetRegistry.Customers;
        await UploadGeneratedAsync(dataset, 500);
        HoldConversions();

        var started = Host.Get<IConversionService>().StartConversion(new ConversionOptions(), [dataset.Name]).Single();
        await Eventually.UntilAsync(async () => await IsHeldAsync((await Runner.GetAsync(started.Id))!));
        Assert.True(await Runner.CancelAsync(started.Id));
        var run = await Runner.WaitAsync(started.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Cancelled, run.Status);
        Assert.Equal("Cancelled by the user.", run.Error);
        Assert.Empty((await Lake.ListAsync("parquet/customer_data/")).Objects);
        Assert.Equal(0, run.Counts.RowsWritten);
    }

    protected async Task<JobRun> ConvertAsync(DatasetSchema dataset, ConversionOptions options)
    {
        var started = Host.Get<IConversionService>().StartConversion(options, [dataset.Name]).Single();
        return await Runner.WaitAsync(started.Id).WaitAsync(TimeSpan.FromSeconds(60));
    }

    protected async Task<string> UploadGeneratedAsync(DatasetSchema dataset, int rows)
    {
        var path = _files.Combine($"{dataset.Name}.csv");
        var generator = new RowGenerator(new GenerationOptions(Customers: Math.Max(rows, 10), Products: 50, Transactions: rows, Seed: 17));
        await using (var file = File.Create(path))
        {
            await GeneratedCsv.WriteAsync(generator, dataset, rows, file);
        }

        await UploadTextAsync(dataset, await File.ReadAllTextAsync(path));
        return path;
    }

    protected async Task UploadTextAsync(DatasetSchema dataset, string csv)
    {
        await using var write = await Lake.OpenWriteAsync(dataset.RawKey);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(csv));
        await write.CommitAsync();
    }

    protected static string Customers(int first, int count)
    {
        var text = new StringBuilder(DatasetRegistry.Customers.CsvHeader).Append('\n');
        for (var i = first; i < first + count; i++)
        {
            text.Append($"{i},Customer {i},c{i}@example.com,NO,2024-02-{i % 28 + 1:00}\n");
        }

        return text.ToString();
    }

    protected static string Transactions(params (string Timestamp, int Id)[] rows)
    {
        var text = new StringBuilder(DatasetRegistry.Transactions.CsvHeader).Append('\n');
        foreach (var (timestamp, id) in rows)
        {
            text.Append($"{id},1,1,{timestamp},12.34,NO\n");
        }

        return text.ToString();
    }

    /// <summary>The dataset's <c>year=YYYY/month=MM</c> folders that hold Parquet, in order.</summary>
    protected async Task<List<string>> MonthFoldersAsync(DatasetSchema dataset)
    {
        var prefix = ConversionManifest.PrefixOf(dataset.Name);
        return [.. (await Lake.ListAsync(prefix)).Objects.Select(o => o.Key)
            .Where(k => k.EndsWith(".parquet", StringComparison.Ordinal))
            .Select(k => k[prefix.Length..k.LastIndexOf('/')])
            .Distinct().Order(StringComparer.Ordinal)];
    }

    protected static string CustomersWithBadRows(int good, int bad)
    {
        var text = new StringBuilder(DatasetRegistry.Customers.CsvHeader).Append('\n');
        for (var i = 1; i <= good + bad; i++)
        {
            text.Append(i <= good ? $"{i}" : $"id{i}").Append($",Customer {i},c{i}@example.com,NO,2024-02-{i % 28 + 1:00}\n");
        }

        return text.ToString();
    }

    /// <summary>The dataset's Parquet files, downloaded under their keys, as a DuckDB <c>read_parquet</c> over them.</summary>
    protected async Task<string> DownloadParquetAsync(DatasetSchema dataset)
    {
        var root = _files.Combine($"download-{Guid.NewGuid():N}");
        foreach (var key in (await Lake.ListAsync(ConversionManifest.PrefixOf(dataset.Name))).Objects.Select(o => o.Key).Where(k => k.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            var path = Path.Combine(root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var source = await Lake.OpenReadAsync(key);
            await using var local = File.Create(path);
            await source.CopyToAsync(local);
        }

        return $"read_parquet({DuckDb.Literal(Path.Combine(root, "parquet", dataset.Name, "**", "*.parquet"))}, hive_partitioning = false)";
    }

    private static string CsvOf(DatasetSchema dataset, string path) =>
        $"read_csv({DuckDb.Literal(path)}, header = true, columns = {{{string.Join(", ", dataset.Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"))}}})";
}

/// <summary>The contract on the Local backend's in-process converter, over the local lake folder.</summary>
public sealed class LocalConversionEngineContractTests : ConversionEngineContractTests
{
    private GatedStore? _gated;

    protected override string EngineName => "in-process";

    protected override Task<CoreHost> CreateHostAsync() => Task.FromResult(new CoreHost(services =>
        services.AddSingleton<IObjectStore>(sp => _gated = new GatedStore(sp.GetRequiredService<LocalObjectStore>()))));

    protected override void HoldConversions() => Gate.Hold();

    protected override void ReleaseConversions() => _gated?.Release();

    protected override Task<bool> IsHeldAsync(JobRun run) => Task.FromResult(run.Status == JobStatus.Running && Gate.Waiting > 0);

    private GatedStore Gate => _gated ?? (GatedStore)Lake;
}

/// <summary>The contract on the Aws backend's Glue engine, over a bucket on s3rver and the loopback Glue stand-in.</summary>
[Collection(S3rverCollection.Name)]
public sealed class GlueConversionEngineContractTests(S3rverFixture s3rver) : ConversionEngineContractTests
{
    private GlueStandIn? _glue;

    protected override string EngineName => "glue";

    protected override async Task<CoreHost> CreateHostAsync()
    {
        var bucket = await s3rver.CreateBucketAsync();
        _glue = new GlueStandIn(s3rver, bucket);
        return GlueCoreHost.Create(s3rver, bucket, _glue);
    }

    protected override Task DisposeEngineAsync()
    {
        _glue?.Dispose();
        return Task.CompletedTask;
    }

    protected override void HoldConversions() => _glue!.Hold();

    protected override void ReleaseConversions() => _glue?.Release();

    protected override Task<bool> IsHeldAsync(JobRun run) => Task.FromResult(run.ExternalId is { } id && _glue!.IsHolding(id));
}
