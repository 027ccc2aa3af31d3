using Amazon.Runtime;
using EcomOps.Core.Aws;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws;

/// <summary>Core as the Aws backend registers it, with Athena at a stand-in on loopback, test credentials and short polls.</summary>
internal static class AthenaTestHost
{
    public static CoreHost Create(AthenaStandIn athena, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Athena"] = athena.Url,
            ["EcomOps:Aws:Athena:PollMilliseconds"] = "50",
            ["EcomOps:Aws:MaxRetryAttempts"] = "3",
            ["EcomOps:Aws:RetryBaseDelayMilliseconds"] = "1",
            ["EcomOps:Aws:RetryMaxDelaySeconds"] = "1",
            // The lake's store is not used by the query engine; S3 settings only need to be valid.
            ["EcomOps:S3:Region"] = "eu-west-1",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        return new CoreHost(
            services => services.AddSingleton(new AwsCredentialSource(new SessionAWSCredentials(AwsTestHost.AccessKey, AwsTestHost.SecretKey, AwsTestHost.SessionToken))),
            values);
    }
}
