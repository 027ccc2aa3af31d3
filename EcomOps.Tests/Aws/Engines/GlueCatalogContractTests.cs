using Amazon.Runtime;
using Amazon.S3;
using EcomOps.Core.Aws;
using EcomOps.Core.Storage;
using EcomOps.Tests.Catalog;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>The Glue crawler engine and Data Catalog reader, as the Aws backend registers them, against the loopback stand-in over s3rver.</summary>
[Collection(S3rverCollection.Name)]
public sealed class GlueCatalogContractTests(S3rverFixture s3rver) : CatalogContractTests, IAsyncLifetime
{
    private GlueCatalogLab? _lab;

    protected override IServiceProvider Services => _lab!.Host.Services;

    public async Task InitializeAsync() => _lab = await GlueCatalogLab.StartAsync(s3rver);

    public Task DisposeAsync()
    {
        // Every request the engine sent, and every answer the stand-in gave, was one glue.service-2.json allows.
        var problems = _lab?.StandIn.Problems ?? [];
        _lab?.Dispose();
        Assert.Empty(problems);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A bucket on s3rver, the Glue stand-in crawling it, and an EcomOps host on the Aws backend (lake on that bucket, Glue on
/// the stand-in, polls every second). <see cref="Restart"/> starts a second host on the same data root, as after a restart.
/// </summary>
internal sealed class GlueCatalogLab : IDisposable
{
    private readonly S3rverFixture _s3rver;
    private readonly TempDirectory _dataRoot = new();

    private GlueCatalogLab(S3rverFixture s3rver, string bucket)
    {
        _s3rver = s3rver;
        Bucket = bucket;
        StandIn = new GlueCatalogStandIn(new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true }, s3rver.CreateClient()), bucket);
        Host = NewHost();
    }

    public string Bucket { get; }

    public GlueCatalogStandIn StandIn { get; }

    public CoreHost Host { get; private set; }

    public static async Task<GlueCatalogLab> StartAsync(S3rverFixture s3rver) => new(s3rver, await s3rver.CreateBucketAsync());

    /// <summary>Stops the host (its runner leaves remote runs running) and starts another on the same ops database.</summary>
    public void Restart()
    {
        Host.Dispose();
        Host = NewHost();
    }

    public void Dispose()
    {
        Host.Dispose();
        StandIn.Dispose();
        _dataRoot.Dispose();
    }

    private CoreHost NewHost()
    {
        var settings = new Dictionary<string, string?>
        {
            ["EcomOps:DataRoot"] = _dataRoot.Path,
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = Bucket,
            ["EcomOps:S3:Region"] = "us-east-1",
            ["EcomOps:S3:ServiceUrl"] = _s3rver.ServiceUrl,
            ["EcomOps:S3:ForcePathStyle"] = "true",
            ["EcomOps:S3:DisableChunkedEncoding"] = "true",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Glue"] = StandIn.Endpoint.Url,
            ["EcomOps:Aws:Endpoints:Athena"] = StandIn.Endpoint.Url,
            ["EcomOps:Aws:Endpoints:RedshiftData"] = StandIn.Endpoint.Url,
            ["EcomOps:Aws:Endpoints:Sts"] = StandIn.Endpoint.Url,
            ["EcomOps:Aws:MaxRetryAttempts"] = "3",
            ["EcomOps:Aws:RetryBaseDelayMilliseconds"] = "1",
            ["EcomOps:Aws:RetryMaxDelaySeconds"] = "1",
            ["EcomOps:Aws:Glue:CrawlerName"] = GlueCatalogStandIn.CrawlerName,
            ["EcomOps:Aws:Glue:Database"] = GlueCatalogStandIn.Database,
            ["EcomOps:Aws:Glue:PollSeconds"] = "1",
        };
        return new CoreHost(
            services =>
            {
                services.AddSingleton<IAmazonS3>(_s3rver.CreateClient());
                services.AddSingleton(new AwsCredentialSource(new SessionAWSCredentials(AwsTestHost.AccessKey, AwsTestHost.SecretKey, AwsTestHost.SessionToken)));
            },
            settings);
    }
}
