using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops pipeline run|ls|retry</c>: the whole chain as one run, its steps as runs in the shared history.</summary>
internal static class PipelineCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => new("pipeline", "Run the chain generate → upload → convert → crawl → load, list runs, retry a failed one")
    {
        Run(stdout, stderr),
        List(stdout, stderr),
        Retry(stdout, stderr),
    };

    private static Command Run(TextWriter stdout, TextWriter stderr)
    {
        var steps = new Option<string?>("--steps") { Description = "Comma-separated steps, run in the chain's order: generate,upload,convert,crawl,load (default generate,convert,crawl,load; upload runs when --source is given)" };
        var customers = new Option<long?>("--customers") { Description = "generate: customer_data rows (default 1,000)" };
        var products = new Option<long?>("--products") { Description = "generate: catalog_data rows (default 200)" };
        var transactions = new Option<long?>("--transactions") { Description = "generate: transactions_data rows (default 10,000)" };
        var seed = new Option<int?>("--seed") { Description = "generate: the seed (default 42)" };
        var source = new Option<string?>("--source") { Description = "A folder outside the lake with <dataset>.csv files: uploaded into raw/ (generate writes there)" };
        var datasets = new Option<string?>("--datasets") { Description = "Comma-separated datasets to upload, convert and load (default all three)" };
        var partitionBy = new Option<string>("--partition-by") { Description = "convert: month (default; transactions_data as year=YYYY/month=MM/) or none", DefaultValueFactory = _ => "month" };
        var maxErrors = new Option<int>("--max-errors") { Description = "convert: bad rows allowed per dataset before the step fails and commits nothing (default 1,000)", DefaultValueFactory = _ => 1_000 };
        var loadFormat = new Option<string>("--load-format") { Description = "load: parquet (default, from parquet/) or csv (from raw/)", DefaultValueFactory = _ => "parquet" };
        var loadMode = new Option<string>("--load-mode") { Description = "load: replace (default; the tables' rows are replaced in each load's transaction) or append", DefaultValueFactory = _ => "replace" };
        var command = new Command("run", "Run the pipeline: each step a run of its own, one after the other; Ctrl+C cancels")
        {
            steps, customers, products, transactions, seed, source, datasets, partitionBy, maxErrors, loadFormat, loadMode,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var chosen = ParseSteps(parsed.GetValue(steps), out var stepsProblem);
            var sizes = new (string Flag, bool Given)[]
            {
                ("--customers", parsed.GetValue(customers) is not null),
                ("--products", parsed.GetValue(products) is not null),
                ("--transactions", parsed.GetValue(transactions) is not null),
                ("--seed", parsed.GetValue(seed) is not null),
            };
            var generating = (chosen ?? PipelineOptions.DefaultSteps).Contains(PipelineStep.Generate);
            var problem = stepsProblem
                ?? (!generating && sizes.FirstOrDefault(s => s.Given).Flag is { } flag ? $"{flag} applies to the generate step; add generate to --steps." : null)
                ?? (parsed.GetValue(partitionBy) is not ("month" or "none") ? $"--partition-by takes month or none; got '{parsed.GetValue(partitionBy)}'." : null)
                ?? (parsed.GetValue(loadFormat) is not ("parquet" or "csv") ? $"--load-format takes parquet or csv; got '{parsed.GetValue(loadFormat)}'." : null)
                ?? (parsed.GetValue(loadMode) is not ("replace" or "append") ? $"--load-mode takes replace or append; got '{parsed.GetValue(loadMode)}'." : null);
            if (problem is not null)
            {
                await stderr.WriteLineAsync($"error: {problem}");
                return CliApp.UsageError;
            }

            var defaults = new GenerationOptions();
            var options = new PipelineOptions(
                chosen,
                new GenerationOptions(
                    parsed.GetValue(customers) ?? defaults.Customers,
                    parsed.GetValue(products) ?? defaults.Products,
                    parsed.GetValue(transactions) ?? defaults.Transactions,
                    parsed.GetValue(seed) ?? defaults.Seed),
                parsed.GetValue(source),
                parsed.GetValue(datasets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                new ConversionOptions(Partitioning: parsed.GetValue(partitionBy) == "month" ? Partitioning.Month : Partitioning.None, MaxErrors: parsed.GetValue(maxErrors)),
                Load: new PipelineLoadOptions(
                    parsed.GetValue(loadFormat) == "csv" ? PipelineLoadFormat.Csv : PipelineLoadFormat.Parquet,
                    Mode: parsed.GetValue(loadMode) == "append" ? PipelineLoadMode.Append : PipelineLoadMode.Replace));

            await using var services = CliApp.Services(parsed);
            var pipelines = services.GetRequiredService<IPipelineService>();
            PipelineRun run;
            try
            {
                run = await pipelines.StartAsync(options, cancellationToken);
            }
            catch (PipelineOptionsException e)
            {
                foreach (var line in e.Problems)
                {
                    await stderr.WriteLineAsync($"error: {line}");
                }

                return CliApp.UsageError;
            }
            catch (InvalidOperationException e)
            {
                // The runner refused it (a full queue): nothing was started.
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.Failure;
            }

            return await FollowAsync(services, run, stdout, stderr, cancellationToken);
        });
        return command;
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var status = new Option<JobStatus?>("--status") { Description = "Queued, Running, Succeeded, Failed, Cancelled or Interrupted" };
        var hideFixed = new Option<bool>("--hide-fixed") { Description = "Leave out failed runs that a later retry fixed" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("ls", "List pipeline runs, newest first, with each step's status") { status, hideFixed, limit };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var runs = await services.GetRequiredService<IPipelineService>().ListAsync(
                new PipelineRunFilter(parsed.GetValue(status), parsed.GetValue(hideFixed), Limit: Math.Max(1, parsed.GetValue(limit))), cancellationToken);
            await stdout.WriteLineAsync($"{"ID",-8}  {"STATUS",-11}  {"STARTED (UTC)",-19}  {"DURATION",9}  {"RETRY OF",-8}  STEPS");
            foreach (var run in runs)
            {
                var steps = string.Join(" ", run.Steps.Select(s => $"{s.Name}:{s.Status}"));
                await stdout.WriteLineAsync(Invariant(
                    $"{run.Id.ToString()[..8],-8}  {run.Status,-11}  {(run.StartedAt ?? run.QueuedAt).UtcDateTime:yyyy-MM-dd HH:mm:ss}  {Seconds(run.Duration(DateTimeOffset.UtcNow)),9}  {run.RetryOf?.ToString()[..8] ?? "-",-8}  {steps}{(run.FixedByRetry ? "  (fixed by a retry)" : "")}"));
            }

            if (runs.Count == 0)
            {
                await stderr.WriteLineAsync("No pipeline runs match. Start one with 'ecomops pipeline run'.");
            }

            return 0;
        });
        return command;
    }

    private static Command Retry(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("RUN_ID") { Description = "The failed pipeline run's id, or its first characters" };
        var command = new Command("retry", "Run a failed pipeline run again from its failed step; the steps that succeeded are reused, not run again") { id };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var pipelines = services.GetRequiredService<IPipelineService>();
            var text = parsed.GetValue(id)!.Trim();
            var matches = (await pipelines.ListAsync(new PipelineRunFilter(Limit: 100_000), cancellationToken))
                .Where(r => r.Id.ToString().StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count != 1 || text.Length < 4)
            {
                await stderr.WriteLineAsync(matches.Count > 1
                    ? $"error: '{text}' matches {matches.Count} pipeline runs; give more of the id."
                    : $"error: no pipeline run '{text}'. 'ecomops pipeline ls' lists them.");
                return CliApp.UsageError;
            }

            PipelineRun run;
            try
            {
                run = await pipelines.RetryAsync(matches[0].Id, cancellationToken);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // Not retryable (still running, succeeded), or its options no longer run here (a source folder gone).

                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }

            await stderr.WriteLineAsync($"Retrying {matches[0].Id} from step {matches[0].FailedStep?.Name ?? "(the first)"} as run {run.Id}");
            return await FollowAsync(services, run, stdout, stderr, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Follows a run to its end: each step's start and end, and its child runs' progress, on stderr; the steps
    /// with their durations and runs on stdout. Ctrl+C cancels the run, which cancels its running step.
    /// </summary>
    private static async Task<int> FollowAsync(IServiceProvider services, PipelineRun run, TextWriter stdout, TextWriter output, CancellationToken cancellationToken)
    {
        // Each step's runs are followed on their own threads.
        var stderr = TextWriter.Synchronized(output);
        var runner = services.GetRequiredService<IJobRunner>();
        var gate = new Lock();
        var followed = new HashSet<Guid>();
        var followers = new List<Task>();

        void Follow(JobRun child)
        {
            lock (gate)
            {
                if (child.ParentId != run.Id || !followed.Add(child.Id))
                {
                    return;
                }

                // Off the runner's thread: the callback comes while the pipeline is starting its step.
                // Conversions name their step after the dataset and uploads after the file; loads need their table said.
                var prefix = $"  {child.Kind}{(child.Parameters.TryGetValue("table", out var table) ? " " + table : "")} ";
                followers.Add(Task.Run(() => RunWatcher.WaitAsync(runner, [child], stderr, prefix, CancellationToken.None)));
            }
        }

        // Children are started by this process's runner, so every one is seen here; those started before the
        // subscription are picked up from the history.
        using (runner.Subscribe(Follow))
        await using (cancellationToken.Register(() => _ = runner.CancelAsync(run.Id, CancellationToken.None)))
        {
            foreach (var child in await runner.ListAsync(new JobRunFilter(ParentId: run.Id), CancellationToken.None))
            {
                Follow(child);
            }

            var printed = new Dictionary<string, JobStatus>();
            await foreach (var snapshot in runner.WatchAsync(run.Id, CancellationToken.None))
            {
                foreach (var step in snapshot.Steps.Where(s => s.Status != JobStatus.Queued && printed.GetValueOrDefault(s.Name, JobStatus.Queued) != s.Status))
                {
                    // A step that ends without having run was reused from the retried run, or skipped after a failure.
                    var ran = step.Unit == PipelineSteps.Unit;
                    printed[step.Name] = step.Status;
                    var said = ran ? step.Status.ToString().ToLowerInvariant() : step.Status == JobStatus.Succeeded ? "reused" : "skipped";
                    await stderr.WriteLineAsync($"pipeline: {step.Name} {said}");
                }
            }

            Task[] pending;
            lock (gate)
            {
                pending = [.. followers];
            }

            await Task.WhenAll(pending);
        }

        var final = await services.GetRequiredService<IPipelineService>().GetAsync(run.Id, CancellationToken.None) ?? run;
        await stdout.WriteLineAsync($"{"STEP",-8}  {"STATUS",-9}  {"DURATION",9}  RUNS");
        foreach (var step in final.Steps)
        {
            var runs = step.ChildRunIds.Count == 0 ? "-" : string.Join(",", step.ChildRunIds.Select(c => c.ToString()[..8]));
            var reused = step.ReusedFrom is { } from ? $" (from pipeline run {from.ToString()[..8]})" : "";
            await stdout.WriteLineAsync(Invariant($"{step.Name,-8}  {step.Status,-9}  {Seconds(step.Duration(DateTimeOffset.UtcNow)),9}  {runs}{reused}"));
        }

        await stdout.WriteLineAsync(Invariant($"pipeline run {final.Id} {final.Status} in {Seconds(final.Duration(DateTimeOffset.UtcNow))}"));

        // What the steps' runs warn about (files loaded into a table before, say) is worth seeing without 'jobs show'.
        foreach (var child in final.Steps.Where(s => s.ReusedFrom is null).SelectMany(s => s.ChildRunIds))
        {
            if (await runner.GetAsync(child, CancellationToken.None) is { } childRun)
            {
                foreach (var warning in (childRun.Results ?? []).Where(r => r.Name == "warning"))
                {
                    await stderr.WriteLineAsync($"{childRun.Title}: warning: {warning.Value}");
                }
            }
        }

        if (final.Error is not null && final.Status != JobStatus.Cancelled)
        {
            await stderr.WriteLineAsync(final.Error);
        }

        return final.Status switch
        {
            JobStatus.Succeeded => 0,
            JobStatus.Cancelled => CliApp.Cancelled,
            _ => CliApp.Failure,
        };
    }

    private static List<PipelineStep>? ParseSteps(string? text, out string? problem)
    {
        problem = null;
        if (text is null)
        {
            return null;
        }

        var steps = new List<PipelineStep>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!PipelineSteps.TryParse(name, out var step))
            {
                problem = $"--steps: unknown step '{name}'; the steps are generate, upload, convert, crawl, load.";
                return null;
            }

            steps.Add(step);
        }

        if (steps.Count == 0)
        {
            problem = "--steps is empty; give steps such as generate,convert,crawl,load.";
        }

        return steps;
    }

    private static string Seconds(TimeSpan? duration) => duration is { } d ? d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
