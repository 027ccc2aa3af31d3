using Amazon.S3;
using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Aws.Engines;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Aws;

/// <summary>
/// Every AWS service the Aws backend calls, on 127.0.0.1, over one lake bucket on s3rver, each doing the work with the
/// project's own machinery: one Glue endpoint (job runs to <see cref="GlueStandIn"/>, crawler and Data Catalog to
/// <see cref="GlueCatalogStandIn"/>), Athena (<see cref="AthenaStandIn"/> on DuckDB over the crawled catalog), the Redshift
/// Data API (<see cref="RedshiftDataStandIn"/> on a DuckDB warehouse whose COPY reads the same bucket) and STS (a fixed
/// caller). DuckDB reads local files, so both read a <see cref="LakeMirror"/> of the bucket, brought up to date before each
/// query and statement. <see cref="Settings"/> point a Core host or the dashboard at them; the AWS credentials come from
/// the environment (<see cref="UseS3rverCredentials"/>), as they do for the app.
/// </summary>
internal sealed class AwsStandIns : IDisposable
{
    public const string CallerArn = "arn:aws:sts::123456789012:assumed-role/ecomops/stand-in";

    private readonly AmazonS3Client _s3;
    private readonly CoreHost _engines;
    private readonly AwsLoopback _glue;
    private readonly AwsLoopback _sts;

    private AwsStandIns(S3rverFixture s3rver, string bucket)
    {
        Bucket = bucket;
        _s3 = s3rver.CreateClient();
        var lake = new S3ObjectStore(bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true }, _s3);
        Glue = new GlueStandIn(s3rver, bucket);
        Catalog = new GlueCatalogStandIn(lake, bucket);
        _glue = new AwsLoopback((request, number) => GlueStandIn.JobOperations.Contains(OperationOf(request))
            ? Glue.Answer(request, number)
            : Catalog.Answer(request, number));

        // The local engines behind Athena and Redshift: a Local backend whose store is the bucket (listings, CSV reads)
        // and whose lake folder is the mirror (what DuckDB opens), over the catalog the crawler stand-in filled.
        _engines = new CoreHost(
            services =>
            {
                services.AddSingleton<IObjectStore>(lake);
                services.AddSingleton<ICatalog>(Catalog.Catalog);
            },
            new() { ["EcomOps:LakeBucket"] = bucket });
        Mirror = new LakeMirror(lake, _engines.Get<IOptions<Core.EcomOpsOptions>>().Value.LakeFullPath);
        Athena = new AthenaStandIn(new MirroredQueryEngine(Mirror, _engines.Get<IQueryEngine>()));
        Redshift = new RedshiftDataStandIn(_engines.Get<LocalWarehouse>(), pageSize: 100)
        {
            BeforeStatement = SyncForStatementAsync,
        };
        _sts = new AwsLoopback((request, _) => StsAnswers.IsCallerIdentity(request)
            ? StsAnswers.CallerIdentity(CallerArn, "AROASTANDIN:stand-in")
            : LoopbackAnswer.Error(400, "InvalidAction", "The STS stand-in answers GetCallerIdentity only", "req-sts-other"));
    }

    public string Bucket { get; }

    public GlueStandIn Glue { get; }

    public GlueCatalogStandIn Catalog { get; }

    public AthenaStandIn Athena { get; }

    public RedshiftDataStandIn Redshift { get; }

    public LakeMirror Mirror { get; }

    /// <summary>The settings that point EcomOps at the stand-ins: the Aws backend, the bucket on s3rver, the four endpoints, short polls.</summary>
    public IReadOnlyDictionary<string, string> Settings(S3rverFixture s3rver) => new Dictionary<string, string>
    {
        ["EcomOps:Backend"] = "Aws",
        ["EcomOps:LakeBucket"] = Bucket,
        ["EcomOps:S3:ServiceUrl"] = s3rver.ServiceUrl,
        ["EcomOps:S3:ForcePathStyle"] = "true",
        ["EcomOps:S3:DisableChunkedEncoding"] = "true",
        ["EcomOps:Aws:Region"] = "eu-west-1",
        ["EcomOps:Aws:Endpoints:Glue"] = _glue.Url,
        ["EcomOps:Aws:Endpoints:Athena"] = Athena.Url,
        ["EcomOps:Aws:Endpoints:RedshiftData"] = Redshift.Endpoint.Url,
        ["EcomOps:Aws:Endpoints:Sts"] = _sts.Url,
        ["EcomOps:Aws:Glue:PollSeconds"] = "1",
        ["EcomOps:Aws:Athena:PollMilliseconds"] = "50",
        ["EcomOps:Aws:Redshift:PollMilliseconds"] = "50",
        ["EcomOps:Aws:Redshift:CopyRoleArn"] = RedshiftOnLoopback.CopyRole,
        ["EcomOps:Aws:MaxRetryAttempts"] = "2",
        ["EcomOps:Aws:RetryBaseDelayMilliseconds"] = "1",
        ["EcomOps:Aws:RetryMaxDelaySeconds"] = "1",
    };

    /// <summary>What the stand-ins found in the requests that the services' models would refuse.</summary>
    public IReadOnlyList<string> Violations => [.. Glue.Violations, .. Catalog.Problems, .. Athena.Problems];

    public static async Task<AwsStandIns> StartAsync(S3rverFixture s3rver) => new(s3rver, await s3rver.CreateBucketAsync());

    /// <summary>
    /// The AWS default chain's first source is the environment, and s3rver knows only its own account: set it for this
    /// test process (and the dashboard it starts, which inherits it) when nothing else is set. A developer's own
    /// AWS_ACCESS_KEY_ID is left alone; s3rver then refuses it with the store's credentials message.
    /// </summary>
    public static void UseS3rverCredentials()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
        }
    }

    public void Dispose()
    {
        _glue.Dispose();
        _sts.Dispose();
        Athena.Dispose();
        Redshift.Dispose();
        Glue.Dispose();
        Catalog.Dispose();
        _engines.Dispose();
        _s3.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private static string OperationOf(ReceivedRequest request) => (request.Header("X-Amz-Target") ?? "").Split('.').Last();

    // A failure of the stand-in itself ends the statement as a failed one (naming it), rather than leaving it running.
    private async Task SyncForStatementAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Mirror.SyncAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or AmazonS3Exception)
        {
            throw new QueryFailedException($"The Redshift stand-in could not copy s3://{Bucket}/ to read it: {e.Message}", e);
        }
    }

    /// <summary>The local engine, run on the mirror as it is when the query starts.</summary>
    private sealed class MirroredQueryEngine(LakeMirror mirror, IQueryEngine local) : IQueryEngine
    {
        public string Name => local.Name;

        public async Task<QueryResult> RunAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default)
        {
            await SyncAsync(cancellationToken);
            return await local.RunAsync(sql, maxRows, cancellationToken);
        }

        public async Task<QueryStreamSummary> StreamAsync(string sql, IQueryRowWriter writer, CancellationToken cancellationToken = default)
        {
            await SyncAsync(cancellationToken);
            return await local.StreamAsync(sql, writer, cancellationToken);
        }

        private async Task SyncAsync(CancellationToken cancellationToken)
        {
            try
            {
                await mirror.SyncAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or AmazonS3Exception)
            {
                throw new QueryFailedException($"The Athena stand-in could not copy the lake to read it: {e.Message}", e);
            }
        }
    }
}
