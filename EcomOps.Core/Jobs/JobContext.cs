namespace EcomOps.Core.Jobs;

/// <summary>What running work uses to report progress, outputs and remote ids, and to run child jobs.</summary>
public sealed class JobContext
{
    private readonly JobRunner _runner;
    private readonly JobRunner.RunState _state;

    internal JobContext(JobRunner runner, JobRunner.RunState state)
    {
        _runner = runner;
        _state = state;
    }

    public Guid RunId => _state.Id;

    /// <summary>
    /// True once EcomOps is stopping (the runner is disposed), as opposed to a user's cancel: both cancel the run's
    /// token, but remote work must be stopped on a cancel and left running on a stop, since a run that recorded an
    /// external id is re-attached at the next start (<see cref="IJobHandler.CanResume"/>).
    /// </summary>
    public bool IsStopping => _runner.IsStopping;

    /// <summary>Who started the run; child runs are started by the same.</summary>
    public string StartedBy => _state.Snapshot.StartedBy;

    /// <summary>Marks a step running and sets its total, counted in <paramref name="unit"/> (see <see cref="JobUnits"/>).</summary>
    public void BeginStep(string step, long? total, string unit = JobUnits.Rows) =>
        _runner.UpdateStep(_state, step, s => s with { Status = JobStatus.Running, Progress = new JobProgress(0, total, 0, 0, null), Unit = unit });

    /// <summary>Reports how far a step is; rate and ETA are derived by the runner.</summary>
    public void Report(string step, long done, long bytes = 0) =>
        _runner.UpdateStep(_state, step, s => s with { Progress = s.Progress with { Done = done, Bytes = bytes } });

    /// <summary>Marks a step finished with its final counts.</summary>
    public void CompleteStep(string step, long done, long bytes = 0) =>
        _runner.UpdateStep(_state, step, s => s with { Status = JobStatus.Succeeded, Progress = s.Progress with { Done = done, Bytes = bytes, Total = s.Progress.Total ?? done, Eta = TimeSpan.Zero } });

    /// <summary>Records something the run produced; its rows and bytes count as written.</summary>
    public void AddOutput(JobOutput output) => _runner.Update(_state, r => r with
    {
        Outputs = [.. r.Outputs, output],
        Counts = r.Counts with { RowsWritten = r.Counts.RowsWritten + output.Rows, BytesWritten = r.Counts.BytesWritten + output.Bytes },
    }, force: true);

    /// <summary>Sets what the run has read, written and rejected so far (shown in the run history).</summary>
    public void SetCounts(Func<JobCounts, JobCounts> change) => _runner.Update(_state, r => r with { Counts = change(r.Counts) }, force: false);

    /// <summary>Sets what the run found or did, shown with its details and kept in the history.</summary>
    public void SetResults(IReadOnlyList<JobResult> results) => _runner.Update(_state, r => r with { Results = Security.RunRedaction.Redacted(results) }, force: true);

    /// <summary>
    /// Records the remote engine's id of the work this run started (a Glue JobRunId, an Athena
    /// QueryExecutionId...). It is in the ops database when this returns, so if EcomOps stops now, the next
    /// start re-attaches to the remote work instead of marking the run Interrupted.
    /// </summary>
    public Task SetExternalIdAsync(string externalId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(externalId);
        return _runner.SetExternalIdAsync(_state, externalId, cancellationToken);
    }

    /// <summary>
    /// Queues a child run (a pipeline's step); it belongs to this run, is cancelled with it, and is listed
    /// with <see cref="JobRunFilter.ParentId"/>. Wait for it with <see cref="WaitForChildrenAsync"/>.
    /// </summary>
    public JobRun StartChild(IJobParameters parameters) => _runner.StartChild(_state, parameters);

    /// <summary>
    /// Waits until the runs have finished and returns their final snapshots, in the order given. While it
    /// waits, this run gives up the resources it holds, so its children can use them: a parent waiting on its
    /// children never holds up the queue. It takes them back before this returns.
    /// </summary>
    public Task<IReadOnlyList<JobRun>> WaitForChildrenAsync(IReadOnlyList<Guid> children, CancellationToken cancellationToken = default) =>
        _runner.WaitForChildrenAsync(_state, children, cancellationToken);
}
