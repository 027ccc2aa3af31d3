using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EcomOps.Core.Pipeline;

/// <summary>The pipeline capability's registrations, kept here so <see cref="ServiceCollectionExtensions"/> adds them in one line.</summary>
internal static class PipelineRegistration
{
    public static IServiceCollection AddPipelines(this IServiceCollection services)
    {
        services.AddSingleton(PipelineStore.Schema);
        services.TryAddSingleton<PipelineStore>();
        services.TryAddSingleton<PipelineService>();
        services.TryAddSingleton<IPipelineService>(sp => sp.GetRequiredService<PipelineService>());
        services.AddJobHandler<PipelineJobHandler>();
        services.AddHostedService<PipelineScheduler>();
        return services;
    }
}
