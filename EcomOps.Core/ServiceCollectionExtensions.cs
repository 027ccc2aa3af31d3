using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Ops;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.TryAddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value;
            var store = new LocalObjectStore(options.LakeFullPath, options.StagingFullPath, sp.GetRequiredService<TimeProvider>());
            store.CleanStaging();
            return store;
        });

        services.TryAddSingleton<IGenerationService, GenerationService>();
        services.TryAddSingleton<ILakeService, LakeService>();
        services.AddHostedService<SampleDataSeeder>();
        return services;
    }
}
