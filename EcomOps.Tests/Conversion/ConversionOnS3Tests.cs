using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Conversion;

/// <summary>The converter on an S3-compatible server: Parquet written through multipart uploads, committed by copying.</summary>
[Collection(S3rverCollection.Name)]
public sealed class ConversionOnS3Tests(S3rverFixture s3rver) : IAsyncLifetime
{
    private readonly TempDirectory _download = new();
    private S3ObjectStore _store = default!;

    public async Task InitializeAsync()
    {
        var bucket = await s3rver.CreateBucketAsync();

        // 5 MiB parts (S3's smallest), so the Parquet file goes up in several parts through a stream that cannot seek.
        _store = new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true, PartSizeMB = 5 }, s3rver.CreateClient());
    }

    public Task DisposeAsync()
    {
        _download.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Convert_OnS3_WritesParquetInParts_RoundTripsThroughDuckDb_AndOverwriteLeavesOnlyTheManifestsFiles()
    {
        var dataset = DatasetRegistry.Transactions;
        var generator = new RowGenerator(new GenerationOptions(Customers: 500, Products: 100, Transactions: 10_000, Seed: 5));
        var csv = _download.Combine("source.csv");
        await using (var file = File.Create(csv))
        {
            await GeneratedCsv.WriteAsync(generator, dataset, 300_000, file);
        }

        await using (var source = File.OpenRead(csv))
        await using (var write = await _store.OpenWriteAsync(dataset.RawKey))
        {
            await source.CopyToAsync(write.Stream);
            await write.CommitAsync();
        }

        var converter = new ParquetConverter();
        var first = await converter.ConvertAsync(new ConversionRequest(dataset, Guid.NewGuid()), _store);
        var second = await converter.ConvertAsync(new ConversionRequest(dataset, Guid.NewGuid(), Compression: ParquetCompression.Zstd), _store);

        var live = (await _store.ListAsync("parquet/transactions_data/")).Objects.Select(o => o.Key).ToList();
        Assert.Equal(["parquet/transactions_data/_SUCCESS", "parquet/transactions_data/_manifest.json", .. second.Files.Select(f => f.Key).Order(StringComparer.Ordinal)], live);
        Assert.DoesNotContain(first.Files[0].Key, live);
        Assert.Empty((await _store.ListAsync(ParquetConverter.StagingRoot)).Objects);
        Assert.Equal(second.Files.Select(f => f.Key), (await ConversionManifest.ReadAsync(_store, dataset.Name))!.Files.Select(f => f.Key));
        Assert.True(first.Files[0].Bytes > 5 * 1024 * 1024, "the first file is larger than one part");

        // Read back what the bucket holds, byte for byte, with DuckDB.
        foreach (var file in second.Files)
        {
            var path = _download.Combine(file.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var stream = await _store.OpenReadAsync(file.Key);
            await using var local = File.Create(path);
            await stream.CopyToAsync(local);
        }

        using var duck = new DuckDb();
        var parquet = $"read_parquet({DuckDb.Literal(_download.Combine("parquet/transactions_data/**/*.parquet"))})";
        var columns = string.Join(", ", dataset.Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"));
        var expected = $"read_csv({DuckDb.Literal(csv)}, header = true, columns = {{{columns}}})";
        Assert.Equal(300_000, duck.Long($"SELECT count(*) FROM {parquet}"));
        Assert.Equal(duck.Scalar($"SELECT sum(Amount) FROM {expected}"), duck.Scalar($"SELECT sum(Amount) FROM {parquet}"));
        Assert.Equal(0, duck.Long($"SELECT count(*) FROM (SELECT * FROM {expected} EXCEPT ALL SELECT * FROM {parquet})"));
    }

    [Fact]
    public async Task Convert_OnS3_PartitionedByMonth_CommitsEveryMonthFolder()
    {
        var dataset = DatasetRegistry.Transactions;
        var generator = new RowGenerator(new GenerationOptions(Customers: 200, Products: 50, Transactions: 50_000, Seed: 9));
        await using (var write = await _store.OpenWriteAsync(dataset.RawKey))
        {
            await GeneratedCsv.WriteAsync(generator, dataset, 50_000, write.Stream);
            await write.CommitAsync();
        }

        var result = await new ParquetConverter().ConvertAsync(new ConversionRequest(dataset, Guid.NewGuid(), Partitioning: Partitioning.Month), _store);

        var live = (await _store.ListAsync("parquet/transactions_data/")).Objects.Select(o => o.Key).Where(k => k.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        Assert.Equal(24, live.Select(k => k[..k.LastIndexOf('/')]).Distinct().Count());
        Assert.All(live, k => Assert.Matches(@"^parquet/transactions_data/year=202[45]/month=(0[1-9]|1[0-2])/part-", k));
        Assert.Equal(result.Files.Select(f => f.Key).Order(StringComparer.Ordinal), live.Order(StringComparer.Ordinal));
        Assert.Equal(50_000, result.Files.Sum(f => f.Rows));
    }
}
