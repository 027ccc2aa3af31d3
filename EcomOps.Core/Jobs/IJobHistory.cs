namespace EcomOps.Core.Jobs;

/// <summary>
/// Where runs are kept after they finish and across restarts (the ops database). Shared by every process
/// on the same data root, so the CLI sees and cancels the dashboard's runs and the other way round.
/// </summary>
public interface IJobHistory
{
    /// <summary>Inserts or replaces a run's snapshot, owned by this process.</summary>
    void Save(JobRun run);

    /// <summary>Runs matching <paramref name="filter"/>, newest first.</summary>
    IReadOnlyList<JobRun> List(JobRunFilter filter);

    JobRun? Get(Guid id);

    /// <summary>
    /// Marks Queued and Running runs whose owning process is gone (a crash, a kill) as Interrupted.
    /// Returns how many were marked. Runs of live processes are left alone.
    /// </summary>
    int MarkInterrupted(DateTimeOffset now);

    /// <summary>Asks the process that owns a run to cancel it. False when the run is unknown or finished.</summary>
    bool RequestCancel(Guid id);

    /// <summary>Which of <paramref name="ids"/> someone asked to cancel.</summary>
    IReadOnlyList<Guid> CancelRequests(IReadOnlyCollection<Guid> ids);
}
