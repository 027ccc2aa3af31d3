namespace EcomOps.Core.Jobs;

/// <summary>
/// The one runner for long work (generation, upload, conversion, crawl, query, load). Work runs in the
/// background, independent of the page or command that started it; callers watch snapshots. Runs of every
/// process on the same data root share one history, so the CLI sees, cancels and retries the dashboard's runs.
/// Every method checks the caller's role (<see cref="Security.IAccess"/>): reading needs Viewer, starting a run its
/// kind's role, cancelling and retrying Operator. A run's work itself executes as the app on behalf of its starter.
/// </summary>
public interface IJobRunner
{
    /// <summary>
    /// Queues a run of the job kind whose handler runs <paramref name="parameters"/> and returns its first
    /// snapshot; it starts as soon as the resources it needs are free. The caller (<see cref="Security.IAccess"/>) must
    /// have the role the job kind needs (<see cref="Security.AccessPolicy.ForJobKind"/>), and is recorded as who started it.
    /// </summary>
    /// <exception cref="Security.AccessDeniedException">The caller's role does not allow this kind of run; nothing was queued.</exception>
    /// <exception cref="ArgumentException">The parameters cannot be run; nothing was queued.</exception>
    /// <exception cref="InvalidOperationException">The queue is full, or no handler runs these parameters.</exception>
    JobRun Start(IJobParameters parameters, Guid? retryOf = null);

    /// <summary>Starts a finished run again with the parameters it was started with; returns the new run, started by the caller.</summary>
    /// <exception cref="Security.AccessDeniedException">The caller may not run runs again, or not this kind.</exception>
    /// <exception cref="KeyNotFoundException">No run has that id.</exception>
    /// <exception cref="InvalidOperationException">The run has not finished, or did not keep its parameters.</exception>
    Task<JobRun> RetryAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot of a run, or null if unknown.</summary>
    Task<JobRun?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Runs matching <paramref name="filter"/>, newest first: this process's live runs and the history.</summary>
    Task<IReadOnlyList<JobRun>> ListAsync(JobRunFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks a queued or running run to stop, also one running in another process on the same data root
    /// (it stops within about a second). Returns false when it had already finished or is unknown.
    /// </summary>
    Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The run's current snapshot, then every change until it has finished (the last item is its final
    /// snapshot), with no gap between the two: a run that ends right after the call is seen ending.
    /// Progress arrives at most about 4 times a second. Runs of another process are followed through the
    /// history, about twice a second. Ends at once for an unknown run.
    /// </summary>
    IAsyncEnumerable<JobRun> WatchAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="onChanged"/> with each new snapshot of any run of this process: at once on status
    /// changes, at most about 4 times a second per run for progress. Called on a background thread; dispose
    /// to stop. For one run, <see cref="WatchAsync"/> is the way that cannot miss its end. Not checked: the app's own
    /// monitors (alerts, metrics) subscribe with nobody signed in, and pages read what they show through the checked reads.
    /// </summary>
    IDisposable Subscribe(Action<JobRun> onChanged);

    /// <summary>Completes when the run has finished, with its final snapshot.</summary>
    /// <exception cref="KeyNotFoundException">No run has that id.</exception>
    Task<JobRun> WaitAsync(Guid id, CancellationToken cancellationToken = default);
}
