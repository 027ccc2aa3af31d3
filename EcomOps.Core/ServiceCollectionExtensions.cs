using Amazon.S3;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Ops;
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
    /// Registers EcomOps' services for the backend named in the <c>EcomOps</c> section. Uses TryAdd, so a
    /// test or host can register its own implementation of any service first.
    /// </summary>
    public static IServiceCollection AddEcomOpsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EcomOpsOptions>()
            .Bind(configuration.GetSection(EcomOpsOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EcomOpsOptions>, EcomOpsOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OpsDatabase>();
        services.TryAddSingleton<IJobHistory, SqliteJobHistory>();
        services.TryAddSingleton<IJobRunner, JobRunner>();

        // The backend is chosen here, once; nothing else asks which one is configured.
        if (Enum.TryParse<Backend>(configuration[$"{EcomOpsOptions.Section}:{nameof(EcomOpsOptions.Backend)}"], ignoreCase: true, out var backend) && backend == Backend.Aws)
        {
            AddS3ObjectStore(services, configuration);
        }

        services.TryAddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value;
            var store = new LocalObjectStore(options.LakeFullPath, options.StagingFullPath, sp.GetRequiredService<TimeProvider>());
            store.CleanStaging();
            return store;
        });

        services.TryAddSingleton<IGenerationService, GenerationService>();
        services.TryAddSingleton<ILakeService, LakeService>();
        services.TryAddSingleton<IConversionService, ConversionService>();
        services.AddHostedService<SampleDataSeeder>();
        services.AddHostedService<ConversionRecovery>();
        return services;
    }

    /// <summary>The lake on S3: <c>EcomOps:S3</c> settings validated at start-up, one client from the AWS default chain.</summary>
    private static void AddS3ObjectStore(IServiceCollection services, IConfiguration configuration)
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
    }
}
