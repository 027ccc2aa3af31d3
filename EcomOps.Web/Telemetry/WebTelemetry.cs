using EcomOps.Core.Telemetry;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EcomOps.Web.Telemetry;

/// <summary>The dashboard's metrics: Core's meter and its own count of open circuits, exported for Prometheus.</summary>
public static class WebTelemetry
{
    public static IServiceCollection AddEcomOpsTelemetry(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitMetricsHandler>());
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ecomops"))
            .WithMetrics(metrics => metrics
            .AddMeter(EcomOpsMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }
}

/// <summary>Counts the dashboard's open connections (one circuit per browser tab).</summary>
internal sealed class CircuitMetricsHandler(EcomOpsMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
