namespace EcomOps.Core.Jobs;

/// <summary>What running work uses to report progress and outputs; handed to <see cref="JobDefinition.Work"/>.</summary>
public sealed class JobContext
{
    private readonly Action<string, Func<JobStep, JobStep>> _updateStep;
    private readonly Action<JobOutput> _addOutput;
    private readonly Action<Func<JobCounts, JobCounts>> _updateCounts;

    internal JobContext(Guid runId, Action<string, Func<JobStep, JobStep>> updateStep, Action<JobOutput> addOutput, Action<Func<JobCounts, JobCounts>> updateCounts, TimeProvider time)
    {
        RunId = runId;
        _updateStep = updateStep;
        _addOutput = addOutput;
        _updateCounts = updateCounts;
        Time = time;
    }

    public Guid RunId { get; }

    internal TimeProvider Time { get; }

    /// <summary>Marks a step running and sets its total, counted in <paramref name="unit"/> (see <see cref="JobUnits"/>).</summary>
    public void BeginStep(string step, long? total, string unit = JobUnits.Rows) =>
        _updateStep(step, s => s with { Status = JobStatus.Running, Progress = new JobProgress(0, total, 0, 0, null), Unit = unit });

    /// <summary>Reports how far a step is; rate and ETA are derived by the runner.</summary>
    public void Report(string step, long done, long bytes = 0) =>
        _updateStep(step, s => s with { Progress = s.Progress with { Done = done, Bytes = bytes } });

    /// <summary>Marks a step finished with its final counts.</summary>
    public void CompleteStep(string step, long done, long bytes = 0) =>
        _updateStep(step, s => s with { Status = JobStatus.Succeeded, Progress = s.Progress with { Done = done, Bytes = bytes, Total = s.Progress.Total ?? done, Eta = TimeSpan.Zero } });

    /// <summary>Records something the run produced; its rows and bytes count as written.</summary>
    public void AddOutput(JobOutput output) => _addOutput(output);

    /// <summary>Sets what the run has read, written and rejected so far (shown in the run history).</summary>
    public void SetCounts(Func<JobCounts, JobCounts> change) => _updateCounts(change);
}
