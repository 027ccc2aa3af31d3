using EcomOps.Web.Telemetry;
using MudBlazor.Services;

namespace EcomOps.Web;

public static class WebServiceCollectionExtensions
{
    /// <summary>The web front's own services: Blazor Server, MudBlazor, health checks, metrics.</summary>
    public static IServiceCollection AddEcomOpsWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddHealthChecks();
        services.AddEcomOpsTelemetry();
        return services;
    }
}
