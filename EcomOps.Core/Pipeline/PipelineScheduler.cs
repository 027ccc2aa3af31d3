using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using EcomOps.Core.Security;

namespace EcomOps.Core.Pipeline;

/// <summary>
/// Fires the saved pipelines' schedules in the dashboard's process. At start-up a schedule that was missed while
/// EcomOps was down fires once (for its latest missed occurrence), not once per missed occurrence. Each fired
/// occurrence is claimed in the ops database first, so a restart or a second process never fires it again.
/// </summary>
internal sealed class PipelineScheduler(PipelineStore store, PipelineService pipelines, TimeProvider time, IAccess access, ILogger<PipelineScheduler> logger) : BackgroundService
{
    /// <summary>The longest wait between looks at the schedules: edits made by another process are seen within it.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    /// <summary>Who schedule-started runs are started by.</summary>
    internal const string StartedBy = "schedule";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunDueAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A busy or unreadable ops database must not stop the dashboard; the next look tries again.
                    logger.LogWarning(e, "The pipeline schedules could not be read; trying again in {Interval}", PollInterval);
                }

                await Task.Delay(await NextWaitAsync(stoppingToken).ConfigureAwait(false), time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Starts a run for each schedule that owes one now; returns the runs started.</summary>
    internal async Task<IReadOnlyList<PipelineRun>> RunDueAsync(CancellationToken cancellationToken)
    {
        // A schedule was set by someone allowed to; its runs are started by the app, recorded as "schedule".
        using var asSchedule = access.Use(Caller.System(StartedBy));
        var started = new List<PipelineRun>();
        var now = time.GetUtcNow();
        foreach (var pipeline in await store.PipelinesAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (!pipeline.Enabled || pipeline.Cron is null)
            {
                continue;
            }

            try
            {
                if (PipelineSchedule.Due(pipeline.Cron, pipeline.TimeZone, pipeline.LastFiredAt ?? pipeline.UpdatedAt, now) is not { } occurrence
                    || !await store.ClaimOccurrenceAsync(pipeline.Id, occurrence, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                // A run still going when its next occurrence comes is not doubled: the occurrence is spent, and logged.
                if (pipeline.LastRunId is { } last && await pipelines.GetAsync(last, cancellationToken).ConfigureAwait(false) is { IsFinished: false })
                {
                    logger.LogWarning("Pipeline {Name}: the run for {Occurrence} was not started, its previous run {RunId} is still going", pipeline.Name, occurrence, last);
                    continue;
                }

                var run = await pipelines.StartSavedAsync(pipeline, occurrence, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Pipeline {Name}: run {RunId} started for its schedule's {Occurrence}", pipeline.Name, run.Id, occurrence);
                started.Add(run);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // One broken schedule (an expression or zone no longer valid here, a full queue) does not stop the others.
                logger.LogWarning("Pipeline {Name}: its schedule could not start a run: {Error}", pipeline.Name, Security.SecretRedactor.Redact(e.Message));
            }
        }

        return started;
    }

    private async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wait = PollInterval;
        foreach (var pipeline in await store.PipelinesAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (!pipeline.Enabled || pipeline.Cron is null)
            {
                continue;
            }

            try
            {
                if (PipelineSchedule.NextOccurrences(pipeline.Cron, pipeline.TimeZone, now, 1) is [var next] && next - now < wait)
                {
                    wait = next - now;
                }
            }
            catch (ArgumentException)
            {
                // Logged when it is due; nothing to wait for.
            }
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
