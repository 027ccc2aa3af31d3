using EcomOps.Core.Alerts;
using EcomOps.Core.Aws;
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
            .AddCheck("self", () => HealthCheckResult.Healthy("EcomOps is running."), [LiveTag]);
        services.TryAddSingleton<IBackendChecks, BackendChecks>();
        services.AddBackendCheck<OpsDatabaseHealthCheck>("ops-database", "Ops database (SQLite)",
            sp => sp.GetRequiredService<Ops.OpsDatabase>().Path, "SELECT count(*) FROM ops_schema", polled: true);
        return services;
    }

    /// <summary>
    /// Registers a check of one service the backend depends on: shown on the Settings page with a Check button, and
    /// run by <c>/readyz</c> when <paramref name="polled"/>.
    /// </summary>
    private static IServiceCollection AddBackendCheck<TCheck>(this IServiceCollection services, string name, string service, Func<IServiceProvider, string> target, string call, bool polled, TimeSpan? timeout = null, bool onOpen = false)
        where TCheck : class, IHealthCheck
    {
        services.AddHealthChecks().AddCheck<TCheck>(name, tags: polled ? [ReadyTag] : [], timeout: timeout ?? CheckTimeout);
        services.AddSingleton(sp => new BackendCheck(name, service, target(sp), call, polled, onOpen));
        return services;
    }

    /// <summary>The Local backend's checks: the lake folder and the DuckDB warehouse file.</summary>
    internal static IServiceCollection AddLocalHealthChecks(this IServiceCollection services)
    {
        services.AddBackendCheck<LocalLakeHealthCheck>("lake", "Lake (a folder)",
            sp => sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath, "list the folder, write and delete a dot-file", polled: true);
        services.AddBackendCheck<LocalWarehouseHealthCheck>("warehouse", "Warehouse (DuckDB file)",
            sp => sp.GetRequiredService<IOptions<Warehouse.WarehouseOptions>>().Value.FullPath(sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value),
            "open read-only, count its tables", polled: true);
        return services;
    }

    /// <summary>
    /// The Aws backend's checks: the credentials, the S3 bucket, the Glue job, crawler and database, Athena's
    /// workgroup and the Redshift target. <c>/readyz</c> polls the free control-plane reads, not STS (the bucket's
    /// check fails as well when the credentials do) nor Redshift (each statement wakes and bills a Serverless workgroup).
    /// </summary>
    internal static IServiceCollection AddAwsHealthChecks(this IServiceCollection services)
    {
        static AwsOptions Aws(IServiceProvider sp) => sp.GetRequiredService<IOptions<AwsOptions>>().Value;
        static string Region(IServiceProvider sp) => sp.GetRequiredService<AwsEndpointResolver>().RegionOrHint;
        services.AddBackendCheck<AwsIdentityHealthCheck>("aws-identity", "AWS credentials (STS)",
            sp => $"the AWS default chain{(Aws(sp).Profile is { } profile ? ", profile " + profile : "")}, {Region(sp)}", "sts:GetCallerIdentity", polled: false, onOpen: true);
        services.AddBackendCheck<S3LakeHealthCheck>("lake", "Lake (Amazon S3)",
            sp => $"s3://{sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeBucket}/", "s3:ListBucket (1 key)", polled: true);
        services.AddBackendCheck<GlueJobHealthCheck>("glue-job", "Conversion (AWS Glue job)",
            sp => $"{Aws(sp).Glue.JobName}, {Region(sp)}", "glue:GetJobRuns (1 run)", polled: true);
        services.AddBackendCheck<GlueCrawlerHealthCheck>("glue-crawler", "Crawler (AWS Glue)",
            sp => $"{Aws(sp).Glue.CrawlerName}, {Region(sp)}", "glue:GetCrawler", polled: true);
        services.AddBackendCheck<GlueCatalogHealthCheck>("glue-catalog", "Catalog (Glue Data Catalog)",
            sp => $"database {Aws(sp).Glue.Database}, {Region(sp)}", "glue:GetTables (1 table)", polled: true);
        services.AddBackendCheck<AthenaWorkgroupHealthCheck>("athena", "Queries (Amazon Athena)",
            sp => $"workgroup {Aws(sp).Athena.Workgroup}, {Region(sp)}", "athena:GetWorkGroup", polled: true);
        services.AddBackendCheck<RedshiftHealthCheck>("redshift", "Warehouse (Amazon Redshift, Data API)",
            sp => $"{Aws(sp).Redshift.TargetName}, database {Aws(sp).Redshift.Database}, {Region(sp)}",
            "redshift-data:ExecuteStatement SELECT current_user, current_database(), version()", polled: false, timeout: TimeSpan.FromSeconds(60));
        return services;
    }
}
