using System.Text.Json;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Pipeline;

/// <summary>Pipeline runs on the job runner, their steps and the saved pipelines in the ops database.</summary>
internal sealed class PipelineService(PipelineStore store, IJobRunner jobs, TimeProvider time, IAccess access, ILogger<PipelineService> logger) : IPipelineService
{
    private const int AllRuns = 100_000;

    public Task<PipelineRun> StartAsync(PipelineOptions options, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.RunPipeline);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();

        return StartCoreAsync(new PipelineJob(WithFullPaths(options)), null, cancellationToken);
    }

    public async Task<PipelineRun?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var job = await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null || job.Kind != JobKinds.Pipeline)
        {
            return null;
        }

        var stored = await store.RunAsync(id, cancellationToken).ConfigureAwait(false);
        return Compose(job, stored, job.Status != JobStatus.Succeeded && await FixedByRetryAsync(id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether a retry of the run (or of a retry of it) succeeded: only the runs retrying it are read, not the whole history.</summary>
    private async Task<bool> FixedByRetryAsync(Guid id, CancellationToken cancellationToken)
    {
        var links = await store.RetryLinksAsync(cancellationToken).ConfigureAwait(false);
        var retries = links.Where(l => l.Value == id).Select(l => l.Key).ToList();
        var seen = new HashSet<Guid> { id };
        for (var i = 0; i < retries.Count; i++)
        {
            if (!seen.Add(retries[i]))
            {
                continue;
            }

            if (await jobs.GetAsync(retries[i], cancellationToken).ConfigureAwait(false) is { Status: JobStatus.Succeeded })
            {
                return true;
            }

            retries.AddRange(links.Where(l => l.Value == retries[i]).Select(l => l.Key));
        }

        return false;
    }

    public async Task<IReadOnlyList<PipelineRun>> ListAsync(PipelineRunFilter filter, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        ArgumentNullException.ThrowIfNull(filter);
        var all = await jobs.ListAsync(new JobRunFilter(Kind: JobKinds.Pipeline, Limit: AllRuns), cancellationToken).ConfigureAwait(false);
        var links = await store.RetryLinksAsync(cancellationToken).ConfigureAwait(false);
        var stored = (await store.RunsAsync(null, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Id);
        var fixedIds = FixedIds(all, links);
        return
        [
            .. all
                .Where(j => filter.Status is null || j.Status == filter.Status)
                .Where(j => !filter.HideFixedFailures || !fixedIds.Contains(j.Id))
                .Select(j => Compose(j, stored.GetValueOrDefault(j.Id), fixedIds.Contains(j.Id)))
                .Where(r => filter.PipelineId is null || r.PipelineId == filter.PipelineId)
                .Take(Math.Max(1, filter.Limit)),
        ];
    }

    public async Task<PipelineRun> RetryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var caller = access.Demand(CoreAction.RunPipeline);
        var run = await GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No pipeline run {id}; 'ecomops pipeline ls' lists them.");
        if (!run.IsFinished)
        {
            throw new InvalidOperationException($"Pipeline run {id} is still {run.Status}; wait for it to end, or cancel it, before retrying it.");
        }

        if (!run.CanRetry)
        {
            throw new InvalidOperationException($"Pipeline run {id} succeeded: there is no failed step to retry from. Start a new run instead.");
        }

        logger.LogInformation("Pipeline run {RunId} retried from step {Step} by {StartedBy}", id, run.FailedStep?.Name ?? "(first)", caller.Name);
        return await StartCoreAsync(new PipelineJob(run.Options, RetryOf: id, PipelineId: run.PipelineId), id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.CancelRun);
        var job = await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return job is { Kind: JobKinds.Pipeline } && await jobs.CancelAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<SavedPipeline>> ListPipelinesAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return store.PipelinesAsync(null, cancellationToken);
    }

    public async Task<SavedPipeline?> GetPipelineAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return (await store.PipelinesAsync(id, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<SavedPipeline> CreatePipelineAsync(SavedPipelineRequest request, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.ManagePipelines);
        var (name, cron, zone) = Check(request);
        var now = time.GetUtcNow();
        var pipeline = new SavedPipeline(Guid.NewGuid(), name, WithFullPaths(request.Options), cron, zone, request.Enabled, now, now);
        await SaveAsync(pipeline, cancellationToken).ConfigureAwait(false);
        return pipeline;
    }

    public async Task<SavedPipeline> UpdatePipelineAsync(Guid id, SavedPipelineRequest request, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.ManagePipelines);
        var before = await GetPipelineAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No saved pipeline {id}.");
        var (name, cron, zone) = Check(request);

        // A new schedule counts from now: occurrences of the old one, or of this one before it was set, are not owed.
        var sameSchedule = before.Cron == cron && before.TimeZone == zone && before.Enabled == request.Enabled;
        var pipeline = before with
        {
            Name = name,
            Options = WithFullPaths(request.Options),
            Cron = cron,
            TimeZone = zone,
            Enabled = request.Enabled,
            UpdatedAt = time.GetUtcNow(),
            LastFiredAt = sameSchedule ? before.LastFiredAt : null,
        };
        await SaveAsync(pipeline, cancellationToken).ConfigureAwait(false);
        return pipeline;
    }

    public Task<bool> DeletePipelineAsync(Guid id, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.ManagePipelines);
        return store.DeletePipelineAsync(id, cancellationToken);
    }

    public async Task<PipelineRun> StartPipelineAsync(Guid pipelineId, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.RunPipeline);
        var pipeline = await GetPipelineAsync(pipelineId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No saved pipeline {pipelineId}.");
        return await StartSavedAsync(pipeline, null, cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<DateTimeOffset> NextOccurrences(string cron, string timeZone, int count = 5) =>
        PipelineSchedule.NextOccurrences(cron, timeZone, time.GetUtcNow(), count);

    /// <summary>Starts a saved pipeline's run, by the current caller; <paramref name="scheduledFor"/> when its schedule started it.</summary>
    internal async Task<PipelineRun> StartSavedAsync(SavedPipeline pipeline, DateTimeOffset? scheduledFor, CancellationToken cancellationToken)
    {
        pipeline.Options.EnsureValid();
        var run = await StartCoreAsync(new PipelineJob(pipeline.Options, PipelineId: pipeline.Id, ScheduledFor: scheduledFor), null, cancellationToken).ConfigureAwait(false);
        await store.SetLastRunAsync(pipeline.Id, run.Id, cancellationToken).ConfigureAwait(false);
        return run;
    }

    private async Task<PipelineRun> StartCoreAsync(PipelineJob job, Guid? retryOf, CancellationToken cancellationToken)
    {
        var run = jobs.Start(job, retryOf);

        // The handler records the run too when it starts (it may start before this line runs); whichever is first
        // writes the same pending steps, and the other changes nothing.
        await store.CreateRunAsync(run.Id, job, run.QueuedAt, cancellationToken).ConfigureAwait(false);
        return await GetAsync(run.Id, cancellationToken).ConfigureAwait(false) ?? Compose(run, null, false);
    }

    private async Task SaveAsync(SavedPipeline pipeline, CancellationToken cancellationToken)
    {
        if (!await store.SavePipelineAsync(pipeline, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"A saved pipeline is already called '{pipeline.Name}'; pick another name, or change that one.");
        }
    }

    // Kept as a full path: a retry or a schedule may run in another process, started from another folder.
    private static PipelineOptions WithFullPaths(PipelineOptions options) =>
        options.SourceFolder is { } folder ? options with { SourceFolder = Path.GetFullPath(folder) } : options;

    private static (string Name, string? Cron, string Zone) Check(SavedPipelineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new ArgumentException("A saved pipeline needs a name.");
        }

        request.Options.EnsureValid();
        var cron = string.IsNullOrWhiteSpace(request.Cron) ? null : request.Cron.Trim();
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        if (cron is not null)
        {
            _ = PipelineSchedule.ParseCron(cron);
        }

        _ = PipelineSchedule.FindZone(zone);
        return (request.Name.Trim(), cron, zone);
    }

    /// <summary>Failed, cancelled or interrupted runs that a later retry (of them or of a retry of them) made succeed.</summary>
    private static HashSet<Guid> FixedIds(IReadOnlyList<JobRun> all, IReadOnlyDictionary<Guid, Guid?> links)
    {
        var status = all.ToDictionary(r => r.Id, r => r.Status);
        var fixedIds = new HashSet<Guid>();
        foreach (var succeeded in all.Where(r => r.Status == JobStatus.Succeeded))
        {
            // Walk back the retry chain from each success; the guard stops on a (corrupt) cycle.
            var at = links.GetValueOrDefault(succeeded.Id);
            for (var guard = 0; at is { } id && guard < 10_000; guard++)
            {
                if (status.GetValueOrDefault(id, JobStatus.Succeeded) != JobStatus.Succeeded)
                {
                    fixedIds.Add(id);
                }

                at = links.GetValueOrDefault(id);
            }
        }

        return fixedIds;
    }

    /// <summary>
    /// The run as people read it: the job run's status and times with the steps the pipeline tables recorded. Steps a
    /// finished run never reached are skipped; a step it was in when it stopped ends with it.
    /// </summary>
    private static PipelineRun Compose(JobRun job, StoredRun? stored, bool fixedByRetry)
    {
        var parameters = stored is null && job.ParametersJson is { } json
            ? JsonSerializer.Deserialize<PipelineJob>(json, JobRunner.ParametersJson)
            : null;
        var options = stored?.Options ?? parameters?.Options ?? new PipelineOptions();
        IReadOnlyList<PipelineStepRun> steps = stored?.Steps is { Count: > 0 } recorded
            ? recorded
            : [.. options.EffectiveSteps.Select(s => new PipelineStepRun(s, PipelineStepStatus.Pending, null, null, []))];
        if (job.IsFinished)
        {
            steps =
            [
                .. steps.Select(s => s.Status switch
                {
                    PipelineStepStatus.Pending => s with { Status = PipelineStepStatus.Skipped },
                    PipelineStepStatus.Running => s with
                    {
                        Status = job.Status == JobStatus.Cancelled ? PipelineStepStatus.Cancelled : PipelineStepStatus.Failed,
                        EndedAt = s.EndedAt ?? job.EndedAt,
                        Error = s.Error ?? job.Error,
                    },
                    _ => s,
                }),
            ];
        }

        return new PipelineRun(
            job.Id,
            job.Status,
            job.StartedBy,
            job.QueuedAt,
            job.StartedAt,
            job.EndedAt,
            options,
            steps,
            job.Error,
            stored?.RetryOf ?? parameters?.RetryOf ?? job.RetryOf,
            stored?.PipelineId ?? parameters?.PipelineId,
            fixedByRetry);
    }
}
