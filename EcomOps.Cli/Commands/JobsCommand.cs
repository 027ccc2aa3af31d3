using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops jobs ...</c>: the run history shared with the dashboard.</summary>
internal static class JobsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => new("jobs", "Runs of generation, upload and conversion: history, details, cancel, retry")
    {
        List(stdout, stderr),
        Show(stdout, stderr),
        Cancel(stdout, stderr),
        Retry(stdout, stderr),
    };

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var status = new Option<JobStatus?>("--status") { Description = "Queued, Running, Succeeded, Failed, Cancelled or Interrupted" };
        var kind = new Option<string?>("--kind") { Description = $"One of: {string.Join(", ", JobKinds.All)}" };
        var dataset = new Option<string?>("--dataset") { Description = "Only runs of this dataset" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("ls", "List runs, newest first") { status, kind, dataset, limit };
        command.SetAction(async (parsed, _) =>
        {
            await using var services = CliApp.Services(parsed);
            var runs = await services.GetRequiredService<IJobRunner>().ListAsync(new JobRunFilter(parsed.GetValue(status), parsed.GetValue(kind), parsed.GetValue(dataset), Limit: Math.Max(1, parsed.GetValue(limit))));
            await stdout.WriteLineAsync($"{"ID",-8}  {"STATUS",-11}  {"KIND",-10}  {"STARTED (UTC)",-19}  {"DURATION",9}  {"ROWS OUT",12}  {"REJECTED",9}  TITLE");
            foreach (var run in runs)
            {
                await stdout.WriteLineAsync(Invariant(
                    $"{run.Id.ToString()[..8],-8}  {run.Status,-11}  {run.Kind,-10}  {(run.StartedAt ?? run.QueuedAt).UtcDateTime:yyyy-MM-dd HH:mm:ss}  {Seconds(run),9}  {run.Counts.RowsWritten,12:N0}  {run.Counts.RowsRejected,9:N0}  {run.Title}"));
            }

            if (runs.Count == 0)
            {
                await stderr.WriteLineAsync("No runs match.");
            }

            return 0;
        });
        return command;
    }

    private static Command Show(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("ID") { Description = "Run id, or its first characters" };
        var command = new Command("show", "Show one run: parameters, steps, counts, outputs, error") { id };
        command.SetAction((parsed, _) => WithRunAsync(parsed, id, stderr, async (_, run) =>
        {
            await stdout.WriteLineAsync(Invariant($"""
                Id:          {run.Id}
                Title:       {run.Title}
                Kind:        {run.Kind}
                Dataset:     {run.Dataset ?? "-"}
                Status:      {run.Status}
                Started by:  {run.StartedBy}
                Retry of:    {run.RetryOf?.ToString() ?? "-"}
                Parent:      {run.ParentId?.ToString() ?? "-"}
                Remote id:   {run.ExternalId ?? "-"}
                Queued:      {run.QueuedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC
                Started:     {(run.StartedAt is { } s ? s.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "-")}
                Ended:       {(run.EndedAt is { } e ? e.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "-")}
                Duration:    {Seconds(run)}
                Rows:        read {run.Counts.RowsRead:N0}, written {run.Counts.RowsWritten:N0}, rejected {run.Counts.RowsRejected:N0}
                Bytes:       read {run.Counts.BytesRead:N0}, written {run.Counts.BytesWritten:N0}
                """));
            foreach (var (key, value) in run.Parameters)
            {
                await stdout.WriteLineAsync($"Parameter:   {key} = {value}");
            }

            foreach (var step in run.Steps)
            {
                await stdout.WriteLineAsync(Invariant($"Step:        {step.Name}: {step.Status}, {step.Progress.Done:N0}{(step.Progress.Total is { } t ? Invariant($" / {t:N0}") : "")} {step.Unit}"));
            }

            foreach (var result in run.Results ?? [])
            {
                await stdout.WriteLineAsync($"Result:      {result.Name}: {result.Value}");
            }

            foreach (var output in run.Outputs)
            {
                await stdout.WriteLineAsync(Invariant($"Output:      {output.Location} ({output.Rows:N0} rows, {output.Bytes:N0} bytes)"));
            }

            if (run.Error is not null)
            {
                await stdout.WriteLineAsync($"Error:       {TerminalText.Visible(run.Error, keepLines: true)}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Cancel(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("ID") { Description = "Run id, or its first characters" };
        var command = new Command("cancel", "Cancel a queued or running run, also one the dashboard is running") { id };
        command.SetAction((parsed, _) => WithRunAsync(parsed, id, stderr, async (runner, run) =>
        {
            if (run.IsFinished || !await runner.CancelAsync(run.Id))
            {
                await stderr.WriteLineAsync($"error: run {run.Id} has already finished ({run.Status}); nothing to cancel.");
                return CliApp.UsageError;
            }

            await stdout.WriteLineAsync($"cancel requested for {run.Id} ({run.Title}); it stops within a few seconds.");
            return 0;
        }));
        return command;
    }

    private static Command Retry(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("ID") { Description = "Run id, or its first characters" };
        var command = new Command("retry", "Run a finished run again with the same parameters, and follow it") { id };
        command.SetAction((parsed, token) => WithRunAsync(parsed, id, stderr, async (runner, run) =>
        {
            JobRun again;
            try
            {
                again = await runner.RetryAsync(run.Id, token);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }

            await stderr.WriteLineAsync($"run {again.Id} started: {again.Title} (again of {run.Id})");
            var finished = (await RunWatcher.WaitAsync(runner, [again], stderr, token))[0];
            await stdout.WriteLineAsync(Invariant($"{finished.Id}\t{finished.Status}\t{finished.Counts.RowsWritten} rows written\t{finished.Counts.BytesWritten} bytes"));
            if (finished.Error is not null)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(finished.Error, keepLines: true)}");
            }

            return finished.Status switch
            {
                JobStatus.Succeeded => 0,
                JobStatus.Cancelled => CliApp.Cancelled,
                _ => CliApp.Failure,
            };
        }));
        return command;
    }

    /// <summary>Runs <paramref name="action"/> on the run the ID argument names, or says why there is none.</summary>
    private static async Task<int> WithRunAsync(ParseResult parsed, Argument<string> id, TextWriter stderr, Func<IJobRunner, JobRun, Task<int>> action)
    {
        await using var services = CliApp.Services(parsed);
        var runner = services.GetRequiredService<IJobRunner>();
        var (run, problem) = await FindAsync(runner, parsed.GetValue(id)!);
        if (run is null)
        {
            await stderr.WriteLineAsync($"error: {problem}");
            return CliApp.UsageError;
        }

        return await action(runner, run);
    }

    private static async Task<(JobRun? Run, string Problem)> FindAsync(IJobRunner runner, string id)
    {
        if (Guid.TryParse(id, out var guid) && await runner.GetAsync(guid) is { } exact)
        {
            return (exact, "");
        }

        var matches = (await runner.ListAsync(new JobRunFilter(Limit: 10_000))).Where(r => r.Id.ToString().StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 1 && id.Length >= 4)
        {
            return (matches[0], "");
        }

        return (null, matches.Count > 1
            ? $"'{id}' matches {matches.Count} runs; give more of the id."
            : $"no run '{id}'. 'ecomops jobs ls' lists the runs.");
    }

    private static string Seconds(JobRun run) => run.StartedAt is { } s
        ? ((run.EndedAt ?? DateTimeOffset.UtcNow) - s).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
