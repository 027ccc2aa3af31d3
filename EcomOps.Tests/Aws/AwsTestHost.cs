using Amazon.Runtime;
using EcomOps.Core.Aws;
using EcomOps.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Tests.Aws;

/// <summary>The AWS clients as the Aws backend registers them, pointed at a loopback endpoint, with fixed test credentials.</summary>
internal static class AwsTestHost
{
    public const string AccessKey = "AKIDLOOPBACKTEST0001";
    public const string SecretKey = "sEcReT/loopback+Key0123456789abcdefGHIJ";
    public const string SessionToken = "SeSsIoNtOkEn-loopback-0123456789";

    public static ServiceProvider Create(AwsLoopback endpoint, LogCollector? logs = null, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Glue"] = endpoint.Url,
            ["EcomOps:Aws:Endpoints:Athena"] = endpoint.Url,
            ["EcomOps:Aws:Endpoints:RedshiftData"] = endpoint.Url,
            ["EcomOps:Aws:Endpoints:Sts"] = endpoint.Url,
            ["EcomOps:Aws:MaxRetryAttempts"] = "3",
            // Short back-off so retried calls finish quickly; nothing here asserts on time.
            ["EcomOps:Aws:RetryBaseDelayMilliseconds"] = "1",
            ["EcomOps:Aws:RetryMaxDelaySeconds"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                builder.AddProvider(logs);
            }
        });
        services.AddSingleton(new AwsCredentialSource(new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)));
        services.AddAwsClients(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider(validateScopes: true);
    }
}
