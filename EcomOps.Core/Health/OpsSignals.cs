using EcomOps.Core.Alerts;
using EcomOps.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Health;

/// <summary>Registrations of what operators watch: alerts, metrics and health checks.</summary>
public static class OpsSignals
{
    /// <summary>Tag of the checks <c>/healthz</c> runs: the process is up.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks <c>/readyz</c> runs: what the pipeline needs answers.</summary>
    public const string ReadyTag = "ready";

    // A check that hangs (an S3 endpoint that does not answer) reports unhealthy instead of holding /readyz.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Alerts on failed runs (the dashboard and <c>EcomOps:Alerts</c>' webhook), the meter, and the checks every backend has.</summary>
    internal static IServiceCollection AddOpsSignals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>()
            .Bind(configuration.GetSection(AlertOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
        // The factory's own request logs print the URL, and webhook URLs carry their secret in the path (Slack's do);
        // the webhook logs its attempts itself, naming the host only.
        services.AddHttpClient(AlertWebhook.ClientName).RemoveAllLoggers();
        services.TryAddSingleton<AlertStream>();
        services.TryAddSingleton<IAlertStream>(sp => sp.GetRequiredService<AlertStream>());
        services.TryAddSingleton<AlertWebhook>();
        services.AddHostedService<AlertMonitor>();

        services.AddMetrics();
        services.TryAddSingleton<EcomOpsMetrics>();
        services.AddHostedService<JobMetricsRecorder>();

        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("EcomOps is running."), [LiveTag])
            .AddCheck<OpsDatabaseHealthCheck>("ops-database", tags: [ReadyTag], timeout: CheckTimeout);
        return services;
    }

    /// <summary>The Local backend's checks: the lake folder and the DuckDB warehouse file.</summary>
    internal static IServiceCollection AddLocalHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<LocalLakeHealthCheck>("lake", tags: [ReadyTag], timeout: CheckTimeout)
            .AddCheck<LocalWarehouseHealthCheck>("warehouse", tags: [ReadyTag], timeout: CheckTimeout);
        return services;
    }

    /// <summary>
    /// The Aws backend's checks: the S3 bucket. Glue, Athena and Redshift get theirs with their engines; until then the
    /// Aws backend runs them in this process, over S3.
    /// </summary>
    internal static IServiceCollection AddAwsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<S3LakeHealthCheck>("lake", tags: [ReadyTag], timeout: CheckTimeout);
        return services;
    }
}
