namespace EcomOps.Core.Jobs;

/// <summary>
/// Where runs are kept after they finish and across restarts (the ops database). Shared by every process
/// on the same data root, so the CLI sees and cancels the dashboard's runs and the other way round. Each
/// instance is one owner of runs: a runner's, identified by its process and an instance id.
/// </summary>
public interface IJobHistory
{
    /// <summary>Records that this owner is alive; runs it saves are owned by it.</summary>
    Task RegisterOwnerAsync(CancellationToken cancellationToken = default);

    /// <summary>Records that this owner has stopped: its unfinished runs are orphans from now on.</summary>
    void ReleaseOwner();

    /// <summary>Inserts or replaces runs' snapshots, in the order given, in one transaction, owned by this owner.</summary>
    Task SaveAsync(IReadOnlyList<JobRun> runs, CancellationToken cancellationToken = default);

    /// <summary>Runs matching <paramref name="filter"/>, newest first.</summary>
    Task<IReadOnlyList<JobRun>> ListAsync(JobRunFilter filter, CancellationToken cancellationToken = default);

    Task<JobRun?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queued and Running runs whose owner is gone (its process died or its runner stopped). Runs of live
    /// owners are left out.
    /// </summary>
    Task<IReadOnlyList<JobRun>> OrphansAsync(CancellationToken cancellationToken = default);

    /// <summary>Makes this owner the owner of an orphan; false when another owner took it first.</summary>
    Task<bool> AdoptAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Asks the owner of a run to cancel it. False when the run is unknown or finished.</summary>
    Task<bool> RequestCancelAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Which of <paramref name="ids"/> someone asked to cancel.</summary>
    Task<IReadOnlyList<Guid>> CancelRequestsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);
}
