namespace EcomOps.Core.Jobs;

/// <summary>
/// The one runner for long work (generation, upload, conversion, crawl, query, load). Work runs in the
/// background, independent of the page or command that started it; callers watch snapshots.
/// </summary>
public interface IJobRunner
{
    /// <summary>Queues a run and returns its first snapshot; it starts as soon as a slot is free.</summary>
    JobRun Start(JobDefinition definition);

    /// <summary>The latest snapshot of a run, or null if unknown.</summary>
    JobRun? Get(Guid id);

    /// <summary>Runs, newest first: live ones and the run history.</summary>
    IReadOnlyList<JobRun> List();

    /// <summary>Runs matching <paramref name="filter"/>, newest first.</summary>
    IReadOnlyList<JobRun> List(JobRunFilter filter);

    /// <summary>
    /// Asks a queued or running run to stop, also one running in another process on the same data root.
    /// Returns false when it had already finished or is unknown.
    /// </summary>
    bool Cancel(Guid id);

    /// <summary>
    /// Calls <paramref name="onChanged"/> with each new snapshot of any run: at once on status changes,
    /// at most about 4 times a second per run for progress. Called on a background thread; dispose to stop.
    /// </summary>
    IDisposable Subscribe(Action<JobRun> onChanged);

    /// <summary>Completes when the run has finished, with its final snapshot.</summary>
    Task<JobRun> WaitAsync(Guid id, CancellationToken cancellationToken = default);
}
