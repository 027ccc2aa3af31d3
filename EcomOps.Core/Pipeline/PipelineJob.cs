using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Pipeline;

/// <summary>A pipeline run: its options, and what it was started as (a retry, a saved pipeline's run).</summary>
/// <param name="RetryOf">The pipeline run whose succeeded steps this one reuses, running from its failed step on.</param>
/// <param name="PipelineId">The saved pipeline it runs, if any.</param>
/// <param name="ScheduledFor">The schedule occurrence it was started for, if its schedule started it.</param>
public sealed record PipelineJob(PipelineOptions Options, Guid? RetryOf = null, Guid? PipelineId = null, DateTimeOffset? ScheduledFor = null) : IJobParameters;

/// <summary>
/// Runs <see cref="PipelineJob"/>s: each step as child runs of the step's own kind (so each has its progress and
/// history), one after the other, recording the steps in the pipeline tables as they go.
/// </summary>
internal sealed class PipelineJobHandler(
    PipelineStore store,
    IJobRunner jobs,
    IOptions<EcomOpsOptions> settings,
    TimeProvider time,
    ILogger<PipelineJobHandler> logger) : JobHandler<PipelineJob>
{
    public override string Kind => JobKinds.Pipeline;

    public override JobPlan Plan(PipelineJob parameters)
    {
        var options = parameters.Options;
        options.EnsureValid();
        var steps = options.EffectiveSteps;
        var display = new Dictionary<string, string>
        {
            ["steps"] = string.Join(", ", steps.Select(PipelineSteps.Name)),
            ["datasets"] = string.Join(", ", options.EffectiveDatasets),
        };
        if (steps.Contains(PipelineStep.Generate))
        {
            var g = options.EffectiveGeneration;
            display["generate"] = string.Create(CultureInfo.InvariantCulture, $"{g.Customers} customers, {g.Products} products, {g.Transactions} transactions, seed {g.Seed}");
        }

        if (options.SourceFolder is not null)
        {
            display["source folder"] = Path.GetFullPath(options.SourceFolder);
        }

        if (steps.Contains(PipelineStep.Convert))
        {
            display["partitioning"] = options.EffectiveConversion.Partitioning == Partitioning.Month ? "transactions_data by month" : "none";
        }

        if (steps.Contains(PipelineStep.Load))
        {
            var load = options.EffectiveLoad;
            display["load"] = $"{load.Format.ToString().ToLowerInvariant()} into {string.Join(", ", options.EffectiveDatasets.Select(load.TableFor))}";
        }

        if (parameters.RetryOf is { } retryOf)
        {
            display["retry of"] = retryOf.ToString();
        }

        if (parameters.ScheduledFor is { } at)
        {
            display["scheduled for"] = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        }

        // The parent holds nothing: its children hold what they need, and it only waits for them.
        return new JobPlan($"Pipeline: {string.Join(" → ", steps.Select(PipelineSteps.Name))}", [.. steps.Select(PipelineSteps.Name)], display, Resources: []);
    }

    public override async Task RunAsync(JobContext context, PipelineJob parameters, CancellationToken cancellationToken)
    {
        await store.CreateRunAsync(context.RunId, parameters, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var steps = parameters.Options.EffectiveSteps;
        var reused = await ReusableStepsAsync(parameters, steps, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (i < reused.Count)
            {
                // Straight from queued to succeeded, never running: followers of the run can tell it was reused.
                await store.SaveStepAsync(context.RunId, reused[i], cancellationToken).ConfigureAwait(false);
                context.CompleteStep(reused[i].Name, reused[i].ChildRunIds.Count);
                continue;
            }

            await RunStepAsync(context, parameters.Options, step, steps.Skip(i + 1).ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>For a retry: the leading steps the retried run got through, taken as they are.</summary>
    private async Task<IReadOnlyList<PipelineStepRun>> ReusableStepsAsync(PipelineJob parameters, IReadOnlyList<PipelineStep> steps, CancellationToken cancellationToken)
    {
        if (parameters.RetryOf is not { } retryOf || await store.RunAsync(retryOf, cancellationToken).ConfigureAwait(false) is not { } before)
        {
            return [];
        }

        var reused = new List<PipelineStepRun>();
        foreach (var step in steps)
        {
            var earlier = before.Steps.FirstOrDefault(s => s.Step == step);
            if (earlier is not { Status: PipelineStepStatus.Succeeded or PipelineStepStatus.Reused })
            {
                break;
            }

            // A step reused twice still names the run that really did it.
            reused.Add(earlier with { Status = PipelineStepStatus.Reused, Error = null, ReusedFrom = earlier.ReusedFrom ?? retryOf });
        }

        return reused;
    }

    private async Task RunStepAsync(JobContext context, PipelineOptions options, PipelineStep step, IReadOnlyList<PipelineStep> rest, CancellationToken cancellationToken)
    {
        var name = PipelineSteps.Name(step);
        var record = new PipelineStepRun(step, PipelineStepStatus.Running, time.GetUtcNow(), null, []);
        context.BeginStep(name, null, PipelineSteps.Unit);
        IReadOnlyList<JobRun> children = [];
        try
        {
            children = StartChildren(context, options, step);
            record = record with { ChildRunIds = [.. children.Select(c => c.Id)] };
            await store.SaveStepAsync(context.RunId, record, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Pipeline run {RunId}: step {Step} started as {Count} run(s)", context.RunId, name, children.Count);
            var finished = await context.WaitForChildrenAsync(record.ChildRunIds, cancellationToken).ConfigureAwait(false);
            var status = PipelineStepRun.StatusOf(finished);
            if (status == PipelineStepStatus.Succeeded)
            {
                await store.SaveStepAsync(context.RunId, record with { Status = status, EndedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
                context.CompleteStep(name, finished.Count);
                return;
            }

            var error = StepError(context.RunId, step, status, finished);
            await EndAsync(context.RunId, record with { Status = status, EndedAt = time.GetUtcNow(), Error = error }, rest).ConfigureAwait(false);
            throw new PipelineStepFailedException(step, error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The children are cancelled with this run; the step ends when they have, so a cancelled pipeline
            // never shows a step that is still working.
            var ended = await Task.WhenAll(children.Select(c => jobs.WaitAsync(c.Id, CancellationToken.None))).ConfigureAwait(false);
            var status = ended.All(c => c.Status == JobStatus.Succeeded) && ended.Length > 0 ? PipelineStepStatus.Succeeded : PipelineStepStatus.Cancelled;
            await EndAsync(context.RunId, record with { Status = status, EndedAt = time.GetUtcNow(), Error = status == PipelineStepStatus.Cancelled ? "Cancelled by the user." : null }, rest).ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is not PipelineStepFailedException and not OperationCanceledException)
        {
            // The step could not even start its runs (a source file missing, a COPY the parser refuses).
            await EndAsync(context.RunId, record with { Status = PipelineStepStatus.Failed, EndedAt = time.GetUtcNow(), Error = e.Message }, rest).ConfigureAwait(false);
            throw new PipelineStepFailedException(step, $"Step {name} failed: {e.Message} Fix it, then retry from this step: ecomops pipeline retry {context.RunId}");
        }
    }

    /// <summary>Records how a step ended and that the steps after it were skipped; not cancelled with the run.</summary>
    private async Task EndAsync(Guid runId, PipelineStepRun record, IReadOnlyList<PipelineStep> rest)
    {
        await store.SaveStepAsync(runId, record, CancellationToken.None).ConfigureAwait(false);
        foreach (var step in rest)
        {
            await store.SaveStepAsync(runId, new PipelineStepRun(step, PipelineStepStatus.Skipped, null, null, []), CancellationToken.None).ConfigureAwait(false);
        }

        logger.LogInformation("Pipeline run {RunId}: step {Step} ended {Status}; {Skipped} step(s) skipped", runId, record.Name, record.Status, rest.Count);
    }

    private static string StepError(Guid runId, PipelineStep step, PipelineStepStatus status, IReadOnlyList<JobRun> finished)
    {
        var failed = finished.Where(c => c.Status != JobStatus.Succeeded).ToList();
        var why = string.Join("; ", failed.Select(c => $"{c.Title} (run {c.Id.ToString()[..8]}) {c.Status.ToString().ToLowerInvariant()}: {c.Error}"));
        return $"Step {PipelineSteps.Name(step)} {(status == PipelineStepStatus.Cancelled ? "was cancelled" : "failed")}: {why} Fix the cause, then retry from this step: ecomops pipeline retry {runId}";
    }

    private IReadOnlyList<JobRun> StartChildren(JobContext context, PipelineOptions options, PipelineStep step) => step switch
    {
        PipelineStep.Generate => [context.StartChild(new GenerationJob(options.EffectiveGeneration, options.SourceFolder))],
        PipelineStep.Upload => [.. UploadJobs(options).Select(context.StartChild)],
        PipelineStep.Convert => [.. options.EffectiveDatasets.Select(d => context.StartChild(new ConversionJob(d, options.EffectiveConversion)))],
        PipelineStep.Crawl => [context.StartChild(new CrawlJob(options.EffectiveCrawl))],
        PipelineStep.Load => [.. LoadJobs(options).Select(context.StartChild)],
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown pipeline step."),
    };

    private static List<UploadJob> UploadJobs(PipelineOptions options)
    {
        var folder = Path.GetFullPath(options.SourceFolder!);
        var jobs = new List<UploadJob>();
        foreach (var dataset in options.EffectiveDatasets)
        {
            // Checked before any upload starts, so a missing file uploads nothing rather than part of the datasets.
            var file = Path.Combine(folder, dataset + ".csv");
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"'{file}' does not exist: the source folder needs one <dataset>.csv file per dataset ({string.Join(", ", options.EffectiveDatasets.Select(d => d + ".csv"))}).", file);
            }

            // The pipeline's upload replaces the dataset's raw file: the run is the source of truth for what follows.
            jobs.Add(new UploadJob(new UploadRequest(dataset + ".csv", dataset, Overwrite: true, Size: new FileInfo(file).Length), file));
        }

        return jobs;
    }

    /// <summary>One COPY per dataset, written as the New load wizard writes them (<see cref="CopyRenderer"/>).</summary>
    private List<LoadJob> LoadJobs(PipelineOptions options)
    {
        var load = options.EffectiveLoad;
        var bucket = settings.Value.LakeBucket;
        return
        [
            .. options.EffectiveDatasets.Select(dataset => new LoadJob(CopyRenderer.Render(new CopyLoadForm
            {
                Target = new CopyTableName(null, load.TableFor(dataset)),
                Source = new CopySource(bucket, load.Format == PipelineLoadFormat.Parquet ? $"parquet/{dataset}/" : $"raw/{dataset}/"),
                Authorization = load.IamRole is { Length: > 0 } role ? CopyAuthorization.Role(role) : CopyAuthorization.DefaultRole,
                Options = new CopyOptions
                {
                    Format = load.Format == PipelineLoadFormat.Parquet ? CopyFormat.Parquet : CopyFormat.Csv,
                    IgnoreHeader = load.Format == PipelineLoadFormat.Csv ? 1 : 0,
                    MaxError = load.MaxErrors,
                },
            }), ReplaceRows: load.Mode == PipelineLoadMode.Replace)),
        ];
    }
}
