using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using EcomOps.Core.Security;

namespace EcomOps.Core.Health;

/// <summary>
/// One service the configured backend depends on, with a check that makes one harmless read call: the Settings
/// page's Check buttons, and (when <see cref="Polled"/>) one of <c>/readyz</c>'s checks.
/// </summary>
/// <param name="Name">The health check's name, such as <c>glue-job</c>; unique.</param>
/// <param name="Service">For people: the service, such as <c>AWS Glue job</c>.</param>
/// <param name="Target">What is checked, such as the job's name and region.</param>
/// <param name="Call">The call the check makes, such as <c>glue:GetJobRuns (1 run)</c>.</param>
/// <param name="Polled">True when <c>/readyz</c> runs it too; false for a check that costs something each time (it wakes a Redshift Serverless workgroup).</param>
/// <param name="OnOpen">True when the Settings page runs it as it opens: free, and the first thing to know (who the AWS credentials are).</param>
public sealed record BackendCheck(string Name, string Service, string Target, string Call, bool Polled, bool OnOpen = false);

/// <summary>What one check found: its status, and what is wrong and what to set when it is not healthy.</summary>
public sealed record BackendCheckResult(string Name, HealthStatus Status, string Description, TimeSpan Duration);

/// <summary>The checks of the configured backend's services, run one at a time on request (the Settings page's Check buttons).</summary>
public interface IBackendChecks
{
    /// <summary>Every service the backend depends on, in the order the Settings page lists them.</summary>
    IReadOnlyList<BackendCheck> Checks { get; }

    /// <summary>Runs the named check now (never cached) within its time-out, and says what it found.</summary>
    /// <exception cref="ArgumentException">No check has that name.</exception>
    Task<BackendCheckResult> RunAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>Runs <see cref="BackendCheck"/>s through the host's health check service, so a Check button and <c>/readyz</c> run the same code with the same time-out.</summary>
internal sealed class BackendChecks(HealthCheckService health, IEnumerable<BackendCheck> checks, IAccess access) : IBackendChecks
{
    public IReadOnlyList<BackendCheck> Checks { get; } = [.. checks];

    public async Task<BackendCheckResult> RunAsync(string name, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.CheckBackend);
        if (!Checks.Any(c => c.Name == name))
        {
            throw new ArgumentException($"There is no check named '{name}'; the backend's checks are {string.Join(", ", Checks.Select(c => c.Name))}.", nameof(name));
        }

        var stopwatch = Stopwatch.StartNew();
        var report = await health.CheckHealthAsync(r => r.Name == name, cancellationToken).ConfigureAwait(false);
        var entry = report.Entries[name];
        var description = entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString();
        return new BackendCheckResult(name, entry.Status, description, entry.Duration > TimeSpan.Zero ? entry.Duration : stopwatch.Elapsed);
    }
}
