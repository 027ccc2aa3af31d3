using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EcomOps.Core.Aws.Engines;

/// <summary>The Aws backend's engines, one method per capability, called by <see cref="ServiceCollectionExtensions.AddAwsBackend"/>.</summary>
internal static class AwsEngineRegistration
{
    /// <summary>Conversion: the Glue job (<c>EcomOps:Aws:Glue:JobName</c>), over the lake bucket.</summary>
    public static IServiceCollection AddGlueConversion(this IServiceCollection services)
    {
        services.TryAddSingleton<IConversionEngine, GlueConversionEngine>();
        return services;
    }

    /// <summary>Catalog: the Glue crawler and Data Catalog.</summary>
    public static IServiceCollection AddGlueCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton<GlueDataCatalog>();
        services.TryAddSingleton<ICatalog>(sp => sp.GetRequiredService<GlueDataCatalog>());
        services.TryAddSingleton<ICrawlerEngine, GlueCrawlerEngine>();
        return services;
    }

    /// <summary>Query: Amazon Athena, and the workgroup check the Settings page shows.</summary>
    public static IServiceCollection AddAthenaQueries(this IServiceCollection services)
    {
        services.TryAddSingleton<IQueryEngine, AthenaQueryEngine>();
        services.TryAddSingleton<IAthenaWorkgroupCheck, AthenaWorkgroupCheck>();
        return services;
    }

    /// <summary>Warehouse: Amazon Redshift through the Data API.</summary>
    public static IServiceCollection AddRedshiftWarehouse(this IServiceCollection services)
    {
        services.TryAddSingleton<RedshiftDataWarehouse>();
        services.TryAddSingleton<IWarehouse>(sp => sp.GetRequiredService<RedshiftDataWarehouse>());
        return services;
    }
}
