using System.Text.Encodings.Web;
using System.Text.Json;
using EcomOps.Core.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcomOps.Web.Endpoints;

/// <summary>
/// What a load balancer, an orchestrator and Prometheus ask: <c>/healthz</c> (the process is up; no checks, so a slow
/// lake never gets the app restarted), <c>/readyz</c> (the ops database, the lake and the warehouse answer; JSON saying
/// which check failed and why) and <c>/metrics</c> (Prometheus text format).
/// </summary>
public static class OpsEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(OpsSignals.LiveTag) }).AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(OpsSignals.ReadyTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        endpoints.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return endpoints;
    }

    internal static Task WriteReportAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new ReadinessReport(
            report.Status.ToString(),
            Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            report.Entries.Select(e => new ReadinessCheck(
                e.Key,
                e.Value.Status.ToString(),
                Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Description,
                e.Value.Exception?.Message,
                e.Value.Tags.ToArray())).ToArray());
        return JsonSerializer.SerializeAsync(http.Response.Body, body, Json, http.RequestAborted);
    }

    private sealed record ReadinessReport(string Status, double DurationMs, IReadOnlyList<ReadinessCheck> Checks);

    private sealed record ReadinessCheck(string Name, string Status, double DurationMs, string? Description, string? Error, IReadOnlyList<string> Tags);
}
