using EcomOps.Core.Generation;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Lake;

/// <summary>The lake service works the same on S3: upload, browse, preview (CSV and a large CSV's count), delete.</summary>
[Collection(S3rverCollection.Name)]
public sealed class LakeOnS3Tests(S3rverFixture s3rver) : IAsyncLifetime
{
    private CoreHost _host = default!;

    private ILakeService Lake => _host.Get<ILakeService>();

    public async Task InitializeAsync()
    {
        var bucket = await s3rver.CreateBucketAsync();
        var store = new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true, PartSizeMB = 5 }, s3rver.CreateClient());
        _host = new CoreHost(services => services.AddSingleton<IObjectStore>(store));
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Upload_Browse_Preview_Delete_OnS3()
    {
        var info = await Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good));
        Assert.Equal("raw/customer_data/people.csv", info.Key);
        Assert.StartsWith("s3://", Lake.StoreName);

        var raw = await Lake.BrowseAsync("raw/");
        Assert.Equal(["customer_data"], raw.Folders.Select(f => f.Name));
        Assert.Equal(CsvCorpus.Good.Length, raw.Folders[0].TotalBytes);

        var preview = await Lake.PreviewAsync(info.Key);
        Assert.Equal(3, preview.RowCount);
        Assert.Equal("Ada Lovelace", preview.Rows[0][1]);
        Assert.Equal("date", preview.Columns[4].Type);

        var refused = await Assert.ThrowsAsync<UploadRejectedException>(() => Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good)));
        Assert.Contains("already exists", refused.Message);

        await Lake.DeleteAsync(info.Key);
        Assert.Empty((await Lake.BrowseAsync("raw/")).Folders);
    }

    [Fact]
    public async Task Generation_WritesIntoTheBucket_AndALargeCsvIsCountedInTheBackground()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(50, 10, 350_000));

        var first = await Lake.PreviewAsync("raw/transactions_data/transactions_data.csv", 10);
        Assert.Equal(10, first.Rows.Count);
        Assert.NotNull(first.RowCountRunId);
        await _host.Get<EcomOps.Core.Jobs.IJobRunner>().WaitAsync(first.RowCountRunId!.Value);

        Assert.Equal(350_000, (await Lake.PreviewAsync("raw/transactions_data/transactions_data.csv", 10)).RowCount);
    }
}
