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
/// <param name="ParentId">Only the children of this run.</param>
/// <param name="Limit">At most this many, newest first.</param>
/// <param name="QueuedSince">Only runs queued at or after this time (the Overview's "today" and "last 24 h").</param>
public sealed record JobRunFilter(JobStatus? Status = null, string? Kind = null, string? Dataset = null, bool FailedOnly = false, int Limit = 200, Guid? ParentId = null, DateTimeOffset? QueuedSince = null)
{
    public static JobRunFilter All { get; } = new();

    public bool Matches(JobRun run) =>
        (Status is null || run.Status == Status)
        && (Kind is null || run.Kind == Kind)
        && (Dataset is null || run.Dataset == Dataset)
        && (ParentId is null || run.ParentId == ParentId)
        && (QueuedSince is null || run.QueuedAt >= QueuedSince)
        && (!FailedOnly || run.Status is JobStatus.Failed or JobStatus.Interrupted);
}

/// <summary>A snapshot of one run; runs are immutable snapshots, replaced as the run moves on.</summary>
/// <param name="Parameters">The options it was started with, as people read them (shown in its details).</param>
/// <param name="ParametersJson">
/// The same options as the job kind's parameters record, serialised: what <see cref="IJobRunner.RetryAsync"/>
/// starts again. Null for runs recorded before runs kept their parameters.
/// </param>
/// <param name="ParentId">The run that started this one and waits for it (a pipeline's step), if any.</param>
/// <param name="ExternalId">
/// The remote engine's id for work that runs elsewhere (a Glue JobRunId, an Athena QueryExecutionId, a
/// Redshift Data statement id), once it has one. A run with one is re-attached after a restart.
/// </param>
/// <param name="RetryOf">The run this one is a new attempt of, if any.</param>
/// <param name="Results">What the run found or did, for people (a crawl's tables created and updated...), in order.</param>
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
    JobCounts Counts = default,
    string? ParametersJson = null,
    Guid? ParentId = null,
    string? ExternalId = null,
    Guid? RetryOf = null,
    IReadOnlyList<JobResult>? Results = null)
{
    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;

    /// <summary>Whether <see cref="IJobRunner.RetryAsync"/> can start it again: it has ended and kept its parameters.</summary>
    public bool CanRetry => IsFinished && ParametersJson is not null;

    /// <summary>Time from start to end (or to <paramref name="now"/> while running).</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (EndedAt ?? now) - s : null;

    public long RowsWritten => Counts.RowsWritten;

    public long BytesWritten => Counts.BytesWritten;
}

/// <summary>One line of what a run found or did: "tables created" = "3".</summary>
public sealed record JobResult(string Name, string Value);
