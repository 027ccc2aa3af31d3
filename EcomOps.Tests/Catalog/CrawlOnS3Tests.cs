using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Catalog;

/// <summary>A crawl over S3 (s3rver on loopback) gives the same catalog as over the local lake holding the same objects.</summary>
[Collection(S3rverCollection.Name)]
public sealed class CrawlOnS3Tests(S3rverFixture s3rver) : IDisposable
{
    private readonly CoreHost _local = new();

    public void Dispose()
    {
        _local.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task ACrawlOnS3_GivesTheSameCatalogAsOnTheLocalLake_ReadingTheSameFooterBytes()
    {
        await _local.Get<IGenerationService>().GenerateAsync(new GenerationOptions(300, 30, 5_000));
        await _local.Services.ConvertAllAsync();

        var localRun = await CrawlAsync(_local);

        // The same objects in a bucket.
        var bucket = await s3rver.CreateBucketAsync();
        var s3 = new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true }, s3rver.CreateClient());
        var local = _local.Get<IObjectStore>();
        foreach (var item in (await local.ListAsync("parquet/")).Objects)
        {
            await using var read = await local.OpenReadAsync(item.Key);
            await using var write = await s3.OpenWriteAsync(item.Key);
            await read.CopyToAsync(write.Stream);
            await write.CommitAsync();
        }

        using var onS3 = new CoreHost(services => services.AddSingleton<IObjectStore>(s3));
        var s3Run = await CrawlAsync(onS3);

        var expected = await _local.Get<ICatalog>().ListTablesAsync();
        var actual = await onS3.Get<ICatalog>().ListTablesAsync();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected.Select(Shape), actual.Select(Shape));
        foreach (var table in expected)
        {
            Assert.Equal(
                (await _local.Get<ICatalog>().GetPartitionsAsync("ecom", table.Name)).Select(p => (string.Join('/', p.Values), p.Location, p.RecordCount, p.SizeBytes)),
                (await onS3.Get<ICatalog>().GetPartitionsAsync("ecom", table.Name)).Select(p => (string.Join('/', p.Values), p.Location, p.RecordCount, p.SizeBytes)));
        }

        Assert.Equal(localRun.Counts.BytesRead, s3Run.Counts.BytesRead);
    }

    private static string Shape(CatalogTable table) =>
        $"{table.Name} {table.Location} {table.Classification} {table.Compression} {table.RecordCount} {table.SizeKey} {table.ObjectCount} "
        + string.Join(",", table.Columns.Select(c => $"{c.Name}:{c.Type}:{c.SourceName}")) + " | " + string.Join(",", table.PartitionKeys.Select(k => k.Name));

    private static async Task<JobRun> CrawlAsync(CoreHost host)
    {
        var run = host.Get<ICatalogService>().StartCrawl(new CrawlOptions());
        var done = await host.Get<IJobRunner>().WaitAsync(run.Id);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        return done;
    }
}
