using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Aws;

/// <summary>
/// <see cref="RedshiftDataWarehouse"/> as the Aws backend builds it, its Data API pointed at a <see cref="RedshiftDataStandIn"/>
/// over the host's own local warehouse and lake. Stops the stand-in on dispose.
/// </summary>
internal sealed class RedshiftOnLoopback : IDisposable
{
    public const string CopyRole = "arn:aws:iam::123456789012:role/ecomops-redshift-copy";

    /// <summary>A provisioned cluster with temporary credentials for a database user.</summary>
    public static Dictionary<string, string?> Cluster => new()
    {
        ["EcomOps:Aws:Redshift:ClusterIdentifier"] = "ecomops-test",
        ["EcomOps:Aws:Redshift:DbUser"] = "ecomops_loader",
    };

    /// <summary>A Serverless workgroup (the default target).</summary>
    public static Dictionary<string, string?> Serverless => new() { ["EcomOps:Aws:Redshift:WorkgroupName"] = "ecomops-test" };

    public RedshiftOnLoopback(CoreHost host, IDictionary<string, string?>? target = null, int pageSize = 3)
    {
        StandIn = new RedshiftDataStandIn(host.Get<LocalWarehouse>(), pageSize);
        var settings = new Dictionary<string, string?>
        {
            ["EcomOps:Aws:Redshift:Database"] = "dev",
            // Short polls keep the tests quick; nothing asserts on time.
            ["EcomOps:Aws:Redshift:PollMilliseconds"] = "50",
            ["EcomOps:Aws:Redshift:CopyRoleArn"] = CopyRole,
        };
        foreach (var (key, value) in target ?? Cluster)
        {
            settings[key] = value;
        }

        Services = AwsTestHost.Create(StandIn.Endpoint, settings: settings);
        Warehouse = new RedshiftDataWarehouse(
            Services.GetRequiredService<RedshiftDataClient>(),
            Services.GetRequiredService<IOptions<AwsOptions>>(),
            host.Get<IOptions<WarehouseOptions>>(),
            TimeProvider.System,
            NullLogger<RedshiftDataWarehouse>.Instance);
    }

    public RedshiftDataStandIn StandIn { get; }

    public ServiceProvider Services { get; }

    public RedshiftDataWarehouse Warehouse { get; }

    public void Dispose()
    {
        StandIn.Dispose();
        Services.Dispose();
    }
}
