using Amazon.S3;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Health;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Ops;
using EcomOps.Core.Overview;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Core.Warehouse;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers EcomOps' services, and the backend named in <c>EcomOps:Backend</c> with
    /// <see cref="AddLocalBackend"/> or <see cref="AddAwsBackend"/>. Uses TryAdd, so a test or host can register
    /// its own implementation of any service first.
    /// </summary>
    public static IServiceCollection AddEcomOpsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EcomOpsOptions>()
            .Bind(configuration.GetSection(EcomOpsOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EcomOpsOptions>, EcomOpsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EcomOpsOptions>, Security.SettingsSecretsValidator>(_ => new Security.SettingsSecretsValidator(configuration)));
        services.AddOptions<JobsOptions>()
            .Bind(configuration.GetSection(JobsOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>());
        services.AddOptions<LimitsOptions>()
            .Bind(configuration.GetSection(LimitsOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());

        // Every log line of the process masks secrets, whichever provider writes it (hosts add logging before Core).
        Security.RedactingLoggerFactory.Decorate(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddAccess(AuthSettings.CliRole(configuration));

        // The ops database, and each capability's tables in it (in the order they are migrated).
        services.TryAddSingleton<OpsDatabase>();
        services.AddSingleton(SqliteJobHistory.Schema);
        services.AddSingleton(LocalCatalog.Schema);
        services.AddSingleton(QueryStore.Schema);

        services.TryAddSingleton<IJobHistory, SqliteJobHistory>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<IJobRunner>(sp => sp.GetRequiredService<JobRunner>());
        services.AddHostedService<JobRunnerHost>();

        services.TryAddSingleton<IGenerationService, GenerationService>();
        services.TryAddSingleton<LocalFolderStores>(sp => folder => new LocalObjectStore(folder, Path.Combine(folder, GenerationService.StagingFolderName), sp.GetRequiredService<TimeProvider>()));
        services.AddJobHandler<GenerationJobHandler>();

        services.TryAddSingleton<UploadSpool>();
        services.TryAddSingleton<LakeService>();
        services.TryAddSingleton<ILakeService>(sp => sp.GetRequiredService<LakeService>());
        services.AddJobHandler<UploadJobHandler>();
        services.AddJobHandler<RowCountJobHandler>();

        services.TryAddSingleton<ConversionLocks>();
        services.TryAddSingleton<ConversionService>();
        services.TryAddSingleton<IConversionService>(sp => sp.GetRequiredService<ConversionService>());
        services.AddJobHandler<ConversionJobHandler>();
        services.AddHostedService<ConversionRecovery>();

        services.TryAddSingleton<ICatalogService, CatalogService>();

        services.AddOptions<QueryOptions>()
            .Bind(configuration.GetSection(QueryOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueryOptions>, QueryOptionsValidator>());
        services.TryAddSingleton<QueryRateLimit>();
        services.TryAddSingleton<QueryStore>();
        services.TryAddSingleton<IQueryService, QueryService>();
        services.AddJobHandler<CrawlJobHandler>();

        services.AddOptions<WarehouseOptions>()
            .Bind(configuration.GetSection(WarehouseOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WarehouseOptions>, WarehouseOptionsValidator>());
        services.TryAddSingleton<IWarehouseService, WarehouseService>();
        services.AddJobHandler<LoadJobHandler>();
        services.AddPipelines();

        services.TryAddSingleton<IOverviewService, OverviewService>();
        services.AddOpsSignals(configuration);

        // The backend is chosen here, once; nothing else asks which one is configured.
        var backend = configuration[$"{EcomOpsOptions.Section}:{nameof(EcomOpsOptions.Backend)}"];
        if (Enum.TryParse<Backend>(backend, ignoreCase: true, out var chosen) && chosen == Backend.Aws)
        {
            services.AddAwsBackend(configuration);
        }
        else
        {
            services.AddLocalBackend();
        }

        return services.CheckEngines();
    }

    /// <summary>Registers a job kind's handler; the runner finds it by its parameters type and its kind.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services)
        where THandler : class, IJobHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobHandler, THandler>());
        return services;
    }

    /// <summary>
    /// The Local backend: the lake is the folder <c>&lt;DataRoot&gt;/lake/&lt;bucket&gt;</c> (with atomic folder
    /// swaps for commits), conversions run in this process, and a new lake is seeded with the sample data.
    /// </summary>
    public static IServiceCollection AddLocalBackend(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value;
            var store = new LocalObjectStore(options.LakeFullPath, options.StagingFullPath, sp.GetRequiredService<TimeProvider>());
            store.CleanStaging();
            return store;
        });
        services.TryAddSingleton<IObjectStore>(sp => sp.GetRequiredService<LocalObjectStore>());

        // Folder renames: conversions commit in one atomic step here.
        services.TryAddSingleton<IAtomicPrefixSwap>(sp => sp.GetRequiredService<LocalObjectStore>());
        services.TryAddSingleton<IConversionEngine, LocalConversionEngine>();
        services.TryAddSingleton<LocalCatalog>();
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<LocalCatalog>());
        services.TryAddSingleton<ICrawlerEngine, LocalCrawlerEngine>();
        services.TryAddSingleton<IQueryEngine, DuckDbQueryEngine>();
        services.TryAddSingleton<LocalWarehouse>();
        services.TryAddSingleton<IWarehouse>(sp => sp.GetRequiredService<LocalWarehouse>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value;
            return new BackendDescription(Backend.Local,
            [
                new("Lake", options.LakeFullPath, "EcomOps:DataRoot"),
                new("Conversion", "in this process (CsvHelper → Parquet.Net)"),
                new("Catalog", "the ops database, crawled in this process"),
                new("Warehouse", sp.GetRequiredService<IOptions<WarehouseOptions>>().Value.FullPath(options) + " (DuckDB, Redshift's load tables)", "EcomOps:Warehouse:Path"),
            ]);
        });
        services.AddHostedService<SampleDataSeeder>();
        services.AddHostedService<WarehouseInitializer>();
        services.AddLocalHealthChecks();
        return services;
    }

    /// <summary>
    /// The Aws backend: the lake is the S3 bucket <c>EcomOps:LakeBucket</c> (<c>EcomOps:S3</c> settings validated at
    /// start-up, one client from the AWS default credential chain), and the Glue, Athena and Redshift engines.
    /// </summary>
    public static IServiceCollection AddAwsBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<S3StoreOptions>()
            .Bind(configuration.GetSection(S3StoreOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3StoreOptions>, S3StoreOptionsValidator>());
        services.TryAddSingleton<IAmazonS3>(sp => S3ObjectStore.CreateClient(sp.GetRequiredService<IOptions<S3StoreOptions>>().Value));
        services.TryAddSingleton<IObjectStore>(sp => new S3ObjectStore(
            sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeBucket,
            sp.GetRequiredService<IOptions<S3StoreOptions>>().Value,
            sp.GetRequiredService<IAmazonS3>(),
            sp.GetService<ILogger<S3ObjectStore>>()));
        // The signed JSON 1.1 client and typed Glue/Athena/Redshift Data clients the engines take, then the engines.
        services.AddAwsClients(configuration);
        services.AddGlueConversion();
        services.AddGlueCatalog();
        services.AddAthenaQueries();
        services.AddRedshiftWarehouse();
        services.AddAwsHealthChecks();
        services.TryAddSingleton(sp =>
        {
            var bucket = sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeBucket;
            var s3 = sp.GetRequiredService<IOptions<S3StoreOptions>>().Value;
            var aws = sp.GetRequiredService<IOptions<AwsOptions>>().Value;
            var redshift = aws.Redshift;
            return new BackendDescription(Backend.Aws,
            [
                new("Lake", $"s3://{bucket}/", "EcomOps:LakeBucket"),
                new("S3 region", s3.Region ?? "(from the endpoint)", "EcomOps:S3:Region"),
                new("S3 endpoint", s3.ServiceUrl ?? "Amazon S3", "EcomOps:S3:ServiceUrl"),
                new("AWS region", sp.GetRequiredService<AwsEndpointResolver>().RegionOrHint, "EcomOps:Aws:Region"),
                new("Conversion", $"Glue job {aws.Glue.JobName}", "EcomOps:Aws:Glue:JobName"),
                new("Crawler", $"Glue crawler {aws.Glue.CrawlerName}", "EcomOps:Aws:Glue:CrawlerName"),
                new("Catalog", $"Glue Data Catalog, database {aws.Glue.Database}", "EcomOps:Aws:Glue:Database"),
                new("Queries", $"Athena workgroup {aws.Athena.Workgroup}, results in {aws.Athena.OutputLocation ?? $"s3://{bucket}/athena-results/"}", "EcomOps:Aws:Athena:Workgroup"),
                new("Warehouse", $"Redshift {redshift.TargetName}, database {redshift.Database}", redshift.TargetSettingKey),
                new("Redshift sign-in", redshift.SecretArn is { } secret ? $"secret {secret}" : redshift.DbUser is { } user ? $"temporary credentials for {user}" : "the app's IAM identity",
                    redshift.SecretArn is not null ? "EcomOps:Aws:Redshift:SecretArn" : "EcomOps:Aws:Redshift:DbUser"),
                new("COPY role", redshift.CopyRoleArn ?? "(the one each COPY names, or the cluster's default)", "EcomOps:Aws:Redshift:CopyRoleArn"),
            ]);
        });
        return services;
    }
}

/// <summary>Opens a local folder as an object store: for output outside the lake, such as <c>ecomops generate --out</c>.</summary>
public delegate IObjectStore LocalFolderStores(string folder);

/// <summary>Where the configured backend keeps things, for the Settings page and <c>ecomops</c> diagnostics.</summary>
public sealed record BackendDescription(Backend Backend, IReadOnlyList<BackendLocation> Locations);

/// <summary>One thing a backend keeps somewhere: what, where, and the setting that says so (when one does).</summary>
public sealed record BackendLocation(string Label, string Value, string? SettingKey = null);
