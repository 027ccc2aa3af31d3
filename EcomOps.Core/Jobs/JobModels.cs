namespace EcomOps.Core.Jobs;

/// <summary>Where a run is in its life. Interrupted: it was running when the process stopped.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

/// <summary>What to run: a kind (generate, convert, ...), a title for people, and the work itself.</summary>
/// <param name="Kind">Machine name of the kind of work, such as <c>generate</c>.</param>
/// <param name="Title">What the run does, for lists and headings.</param>
/// <param name="Steps">Names of the steps that report progress separately (for example one per dataset), in order.</param>
/// <param name="Work">The work; it reports through the context and must honour the token.</param>
/// <param name="Parameters">Options the run was started with, shown in its details.</param>
/// <param name="Dataset">The dataset it works on, if one.</param>
/// <param name="StartedBy">Who started it (user, <c>cli</c>, <c>system</c>).</param>
public sealed record JobDefinition(
    string Kind,
    string Title,
    IReadOnlyList<string> Steps,
    Func<JobContext, CancellationToken, Task> Work,
    IReadOnlyDictionary<string, string>? Parameters = null,
    string? Dataset = null,
    string StartedBy = "system");

/// <summary>Progress of one step: rows or items done of a total, bytes, and the rate derived from them.</summary>
public readonly record struct JobProgress(long Done, long? Total, long Bytes, double RatePerSecond, TimeSpan? Eta)
{
    /// <summary>0..100, or null when the total is unknown.</summary>
    public double? Percent => Total is > 0 ? Math.Min(100.0, 100.0 * Done / Total.Value) : null;
}

/// <summary>One step of a run, with its own status and progress.</summary>
/// <param name="Unit">What <see cref="JobProgress.Done"/> counts: <see cref="JobUnits.Rows"/> or <see cref="JobUnits.Bytes"/>.</param>
public sealed record JobStep(string Name, JobStatus Status, JobProgress Progress, string Unit = JobUnits.Rows);

/// <summary>Units of step progress.</summary>
public static class JobUnits
{
    public const string Rows = "rows";
    public const string Bytes = "bytes";
}

/// <summary>Something a run produced: a file or object, with its size and rows.</summary>
/// <param name="Location">A lake key (<c>raw/...</c>) or, for output outside the lake, a file path.</param>
public sealed record JobOutput(string Step, string Location, long Bytes, long Rows, bool InLake);

/// <summary>What a run read, wrote and rejected, as the run history records it.</summary>
public readonly record struct JobCounts(long RowsRead, long RowsWritten, long RowsRejected, long BytesRead, long BytesWritten);

/// <summary>Which runs to list; null members match everything.</summary>
/// <param name="FailedOnly">Only Failed and Interrupted runs.</param>
/// <param name="Limit">At most this many, newest first.</param>
public sealed record JobRunFilter(JobStatus? Status = null, string? Kind = null, string? Dataset = null, bool FailedOnly = false, int Limit = 200)
{
    public static JobRunFilter All { get; } = new();

    public bool Matches(JobRun run) =>
        (Status is null || run.Status == Status)
        && (Kind is null || run.Kind == Kind)
        && (Dataset is null || run.Dataset == Dataset)
        && (!FailedOnly || run.Status is JobStatus.Failed or JobStatus.Interrupted);
}

/// <summary>A snapshot of one run; runs are immutable snapshots, replaced as the run moves on.</summary>
public sealed record JobRun(
    Guid Id,
    string Kind,
    string Title,
    string? Dataset,
    IReadOnlyDictionary<string, string> Parameters,
    string StartedBy,
    JobStatus Status,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<JobStep> Steps,
    IReadOnlyList<JobOutput> Outputs,
    string? Error,
    JobCounts Counts = default)
{
    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;

    /// <summary>Time from start to end (or to <paramref name="now"/> while running).</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (EndedAt ?? now) - s : null;

    public long RowsWritten => Counts.RowsWritten;

    public long BytesWritten => Counts.BytesWritten;
}
