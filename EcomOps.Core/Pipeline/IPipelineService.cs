using EcomOps.Core.Jobs;

namespace EcomOps.Core.Pipeline;

/// <summary>
/// Runs of the whole chain (generate → upload → convert → crawl → load, any subset in that order) and saved
/// pipelines with their schedules. A run is a job run of kind <c>pipeline</c> whose steps are child runs of
/// their own kinds: watch the run and its children with <see cref="IJobRunner.WatchAsync"/> or
/// <see cref="IJobRunner.Subscribe"/> (children carry the run's id as <see cref="JobRun.ParentId"/>; a step's
/// live status is <see cref="PipelineStepRun.StatusOf"/> of its children). Runs, steps and saved pipelines are
/// kept in the ops database, shared by the dashboard and the CLI.
/// </summary>
public interface IPipelineService
{
    /// <summary>Starts a run; its steps start one after the other as the runner's limits allow.</summary>
    /// <exception cref="PipelineOptionsException">The options cannot run (each problem is listed); nothing was started.</exception>
    Task<PipelineRun> StartAsync(PipelineOptions options, CancellationToken cancellationToken = default);

    /// <summary>A run with its steps (status, start, end, child runs, error), or null for an unknown id.</summary>
    Task<PipelineRun?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Runs matching <paramref name="filter"/>, newest first.</summary>
    Task<IReadOnlyList<PipelineRun>> ListAsync(PipelineRunFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a new run of a failed, cancelled or interrupted run's options (its <see cref="PipelineRun.RetryOf"/> is
    /// <paramref name="id"/>): the steps that had succeeded are marked <see cref="PipelineStepStatus.Reused"/> and
    /// not run again, and it runs from the failed step on.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No pipeline run has that id.</exception>
    /// <exception cref="InvalidOperationException">The run has not ended, or it succeeded (nothing to retry).</exception>
    Task<PipelineRun> RetryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a queued or running run: its running step's runs are cancelled and the steps after it are skipped.
    /// Returns false when it had already ended or is not a pipeline run.
    /// </summary>
    Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The saved pipelines, by name.</summary>
    Task<IReadOnlyList<SavedPipeline>> ListPipelinesAsync(CancellationToken cancellationToken = default);

    /// <summary>One saved pipeline, or null.</summary>
    Task<SavedPipeline?> GetPipelineAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Saves a new pipeline. A schedule fires first at its next occurrence after now (no catch-up of earlier ones).</summary>
    /// <exception cref="ArgumentException">An empty or taken name, options that cannot run, a bad cron expression or time zone.</exception>
    Task<SavedPipeline> CreatePipelineAsync(SavedPipelineRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes a saved pipeline; a changed schedule starts afresh from now.</summary>
    /// <exception cref="KeyNotFoundException">No saved pipeline has that id.</exception>
    /// <exception cref="ArgumentException">As for <see cref="CreatePipelineAsync"/>.</exception>
    Task<SavedPipeline> UpdatePipelineAsync(Guid id, SavedPipelineRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a saved pipeline and its schedule; its past runs stay. False when there was none.</summary>
    Task<bool> DeletePipelineAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Runs a saved pipeline now, outside its schedule.</summary>
    /// <exception cref="KeyNotFoundException">No saved pipeline has that id.</exception>
    Task<PipelineRun> StartPipelineAsync(Guid pipelineId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The next <paramref name="count"/> times (default 5) a cron expression fires in <paramref name="timeZone"/>
    /// after now, each with the zone's offset at that time: what the schedule editor shows.
    /// </summary>
    /// <exception cref="ArgumentException">The expression or the time zone is not valid; the message says what to write.</exception>
    IReadOnlyList<DateTimeOffset> NextOccurrences(string cron, string timeZone, int count = 5);
}
