using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops check</c>: the Settings page's Check buttons, for scripts and for a machine with no browser.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var names = new Argument<string[]>("name")
        {
            Description = "The checks to run (default: all of the backend's), such as glue-job or redshift",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ready = new Option<bool>("--ready") { Description = "Only the checks /readyz polls (not STS, not Redshift)" };
        var command = new Command("check", "Check each service the backend uses with one harmless read call: name, status, time and what it answered")
        {
            names, ready,
        };
        command.SetAction(async (parsed, token) =>
        {
            await using var services = CliApp.Services(parsed);
            var checks = services.GetRequiredService<IBackendChecks>();
            var wanted = parsed.GetValue(names) ?? [];
            var unknown = wanted.Where(n => checks.Checks.All(c => c.Name != n)).ToArray();
            if (unknown.Length > 0)
            {
                await stderr.WriteLineAsync($"error: no check named {string.Join(", ", unknown)}; this backend's checks are {string.Join(", ", checks.Checks.Select(c => c.Name))}.");
                return CliApp.UsageError;
            }

            var selected = checks.Checks
                .Where(c => wanted.Length == 0 || wanted.Contains(c.Name))
                .Where(c => !parsed.GetValue(ready) || c.Polled)
                .ToArray();
            // One at a time, in the Settings page's order, so the output reads top to bottom as the services are used.
            var unhealthy = 0;
            foreach (var check in selected)
            {
                var result = await checks.RunAsync(check.Name, token);
                unhealthy += result.Status == HealthStatus.Unhealthy ? 1 : 0;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{check.Name}\t{result.Status}\t{result.Duration.TotalMilliseconds:0} ms\t{result.Description}"));
            }

            return unhealthy == 0 ? 0 : CliApp.Failure;
        });
        return command;
    }
}
