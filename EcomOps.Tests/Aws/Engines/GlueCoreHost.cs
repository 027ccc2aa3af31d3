using Amazon.Runtime;
using Amazon.S3;
using EcomOps.Core.Aws;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>
/// Core as the app registers it with the Aws backend: the lake is a bucket on s3rver and Glue is the loopback
/// stand-in, polled every second (the shortest <c>EcomOps:Aws:Glue:PollSeconds</c>).
/// </summary>
internal static class GlueCoreHost
{
    public const string JobName = "ecomops-csv-to-parquet-test";

    /// <param name="dataRoot">The ops database's folder: give the same one to a second host to simulate a restart.</param>
    public static CoreHost Create(S3rverFixture s3rver, string bucket, GlueStandIn glue, string? dataRoot = null, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = bucket,
            ["EcomOps:S3:ServiceUrl"] = s3rver.ServiceUrl,
            ["EcomOps:S3:ForcePathStyle"] = "true",
            ["EcomOps:S3:DisableChunkedEncoding"] = "true",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Glue"] = glue.Url,
            ["EcomOps:Aws:Glue:JobName"] = JobName,
            ["EcomOps:Aws:Glue:PollSeconds"] = "1",
            ["EcomOps:Aws:MaxRetryAttempts"] = "2",
            ["EcomOps:Aws:RetryBaseDelayMilliseconds"] = "1",
            ["EcomOps:Aws:RetryMaxDelaySeconds"] = "1",
        };
        if (dataRoot is not null)
        {
            values["EcomOps:DataRoot"] = dataRoot;
        }

        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        return new CoreHost(
            services =>
            {
                // s3rver accepts only its own account; Glue calls are signed with fixed test credentials.
                services.AddSingleton<IAmazonS3>(_ => s3rver.CreateClient());
                services.AddSingleton(new AwsCredentialSource(new SessionAWSCredentials(AwsTestHost.AccessKey, AwsTestHost.SecretKey, AwsTestHost.SessionToken)));
            },
            values);
    }
}
