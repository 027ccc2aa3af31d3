using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Jobs;

/// <summary>
/// In-process job runner. Runs start in order of arrival, at most <see cref="MaxConcurrentRuns"/> at once
/// and one per dataset; the rest wait Queued (at most <see cref="MaxQueuedRuns"/>). Each run works on the
/// thread pool with its own cancellation. With an <see cref="IJobHistory"/>, every run is kept in the ops
/// database: finished runs survive restarts, runs of a crashed process become Interrupted, and a cancel
/// asked for by another process (the CLI) reaches the run within about a second.
/// </summary>
public sealed class JobRunner : IJobRunner, IDisposable
{
    /// <summary>Runs that may execute at the same time; each run uses both cores anyway.</summary>
    public const int MaxConcurrentRuns = 2;

    /// <summary>Runs that may wait; one more is refused with a message.</summary>
    public const int MaxQueuedRuns = 100;

    private static readonly TimeSpan NotifyInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CancelPollInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, RunState> _runs = new();
    private readonly List<Action<JobRun>> _subscribers = [];
    private readonly Lock _subscribersLock = new();
    private readonly Lock _scheduleLock = new();
    private readonly List<RunState> _queue = [];
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;
    private readonly IJobHistory? _history;
    private readonly ITimer? _cancelPoll;

    public JobRunner(TimeProvider time, ILogger<JobRunner> logger, IJobHistory? history = null)
    {
        _time = time;
        _logger = logger;
        _history = history;
        if (history is not null)
        {
            var interrupted = history.MarkInterrupted(time.GetUtcNow());
            if (interrupted > 0)
            {
                _logger.LogWarning("{Count} run(s) left running by a stopped process were marked Interrupted", interrupted);
            }

            _cancelPoll = time.CreateTimer(_ => PollCancelRequests(), null, CancelPollInterval, CancelPollInterval);
        }
    }

    public JobRun Start(JobDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var run = new JobRun(
            Guid.NewGuid(),
            definition.Kind,
            definition.Title,
            definition.Dataset,
            definition.Parameters ?? new Dictionary<string, string>(),
            definition.StartedBy,
            JobStatus.Queued,
            _time.GetUtcNow(),
            null,
            null,
            definition.Steps.Select(s => new JobStep(s, JobStatus.Queued, default)).ToArray(),
            [],
            null);
        var state = new RunState(run, definition);
        lock (_scheduleLock)
        {
            if (_queue.Count >= MaxQueuedRuns)
            {
                throw new InvalidOperationException($"The job queue is full ({MaxQueuedRuns} runs waiting). Wait for some to finish, or cancel some on the Jobs page.");
            }

            _runs[run.Id] = state;
            _queue.Add(state);
        }

        Publish(state, force: true);
        Schedule();
        return run;
    }

    public JobRun? Get(Guid id) => _runs.TryGetValue(id, out var state) ? state.Snapshot : _history?.Get(id);

    public IReadOnlyList<JobRun> List() => List(JobRunFilter.All);

    /// <summary>Runs matching the filter, newest first: this process's live runs and the history.</summary>
    public IReadOnlyList<JobRun> List(JobRunFilter filter)
    {
        var live = _runs.Values.Select(s => s.Snapshot).Where(filter.Matches).ToDictionary(r => r.Id);
        var stored = _history?.List(filter) ?? [];
        return stored.Where(r => !live.ContainsKey(r.Id)).Concat(live.Values)
            .OrderByDescending(r => r.QueuedAt)
            .Take(filter.Limit)
            .ToArray();
    }

    public bool Cancel(Guid id)
    {
        if (!_runs.TryGetValue(id, out var state))
        {
            // Another process's run: ask it through the ops database.
            return _history?.RequestCancel(id) ?? false;
        }

        if (state.Snapshot.IsFinished)
        {
            return false;
        }

        _logger.LogInformation("Cancelling run {RunId} ({Kind})", id, state.Snapshot.Kind);
        state.Cancellation.Cancel();
        bool wasQueued;
        lock (_scheduleLock)
        {
            wasQueued = _queue.Remove(state);
        }

        if (wasQueued)
        {
            Finish(state, JobStatus.Cancelled, "Cancelled by the user before it started.");
        }

        return true;
    }

    public IDisposable Subscribe(Action<JobRun> onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        lock (_subscribersLock)
        {
            _subscribers.Add(onChanged);
        }

        return new Unsubscriber(() =>
        {
            lock (_subscribersLock)
            {
                _subscribers.Remove(onChanged);
            }
        });
    }

    public async Task<JobRun> WaitAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (!_runs.TryGetValue(id, out var state))
        {
            return _history?.Get(id) is { IsFinished: true } stored ? stored : throw new KeyNotFoundException($"No run {id} in this process.");
        }

        await state.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.Snapshot;
    }

    public void Dispose()
    {
        _cancelPoll?.Dispose();
        foreach (var state in _runs.Values)
        {
            state.Cancellation.Cancel();
        }
    }

    // Starts queued runs, oldest first, while slots are free and their dataset is not busy.
    private void Schedule()
    {
        var toStart = new List<RunState>();
        lock (_scheduleLock)
        {
            var running = _runs.Values.Where(s => s.Snapshot.Status == JobStatus.Running || s.Starting).ToList();
            foreach (var candidate in _queue.ToList())
            {
                if (running.Count >= MaxConcurrentRuns)
                {
                    break;
                }

                if (candidate.Snapshot.Dataset is { } dataset && running.Any(r => r.Snapshot.Dataset == dataset))
                {
                    continue;
                }

                _queue.Remove(candidate);
                candidate.Starting = true;
                running.Add(candidate);
                toStart.Add(candidate);
            }
        }

        foreach (var state in toStart)
        {
            _ = Task.Run(() => ExecuteAsync(state));
        }
    }

    private async Task ExecuteAsync(RunState state)
    {
        var token = state.Cancellation.Token;
        try
        {
            token.ThrowIfCancellationRequested();
            Update(state, r => r with { Status = JobStatus.Running, StartedAt = _time.GetUtcNow() }, force: true);
            state.Starting = false;
            _logger.LogInformation("Run {RunId} started: {Kind} {Title}", state.Snapshot.Id, state.Definition.Kind, state.Definition.Title);

            var context = new JobContext(
                state.Snapshot.Id,
                (step, change) => UpdateStep(state, step, change),
                output => Update(state, r => r with
                {
                    Outputs = [.. r.Outputs, output],
                    Counts = r.Counts with { RowsWritten = r.Counts.RowsWritten + output.Rows, BytesWritten = r.Counts.BytesWritten + output.Bytes },
                }, force: true),
                change => Update(state, r => r with { Counts = change(r.Counts) }, force: false),
                _time);
            await state.Definition.Work(context, token).ConfigureAwait(false);
            Finish(state, JobStatus.Succeeded, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Finish(state, JobStatus.Cancelled, "Cancelled by the user.");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Run {RunId} ({Kind}) failed", state.Snapshot.Id, state.Definition.Kind);
            Finish(state, JobStatus.Failed, e.Message);
        }
        finally
        {
            state.Starting = false;
            Schedule();
        }
    }

    private void Finish(RunState state, JobStatus status, string? error)
    {
        Update(state, r => r with
        {
            Status = status,
            EndedAt = _time.GetUtcNow(),
            Error = error,
            Steps = r.Steps.Select(s => s.Status is JobStatus.Running or JobStatus.Queued && status != JobStatus.Succeeded
                ? s with { Status = status }
                : s).ToArray(),
        }, force: true);
        var run = state.Snapshot;
        _logger.LogInformation(
            "Run {RunId} {Status} after {Duration}: {Rows} rows, {Bytes} bytes written",
            run.Id, run.Status, run.Duration(_time.GetUtcNow()), run.RowsWritten, run.BytesWritten);
        state.Done.TrySetResult();
    }

    private void UpdateStep(RunState state, string stepName, Func<JobStep, JobStep> change)
    {
        var now = _time.GetUtcNow();
        var statusChanged = false;
        Update(state, run =>
        {
            var steps = run.Steps.ToArray();
            var index = Array.FindIndex(steps, s => s.Name == stepName);
            if (index < 0)
            {
                throw new ArgumentException($"Run {run.Id} has no step '{stepName}'.", nameof(stepName));
            }

            var before = steps[index];
            var after = change(before);
            if (after.Status == JobStatus.Running && before.Status != JobStatus.Running)
            {
                state.StepStarted[stepName] = now;
            }

            statusChanged = after.Status != before.Status;
            steps[index] = after with { Progress = WithRate(after.Progress, state.StepStarted.GetValueOrDefault(stepName, now), now) };
            return run with { Steps = steps };
        }, force: false, statusChanged: () => statusChanged);
    }

    private static JobProgress WithRate(JobProgress progress, DateTimeOffset started, DateTimeOffset now)
    {
        var seconds = (now - started).TotalSeconds;
        var rate = seconds > 0 ? progress.Done / seconds : 0;
        TimeSpan? eta = progress.Total is { } total && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - progress.Done) / rate) : progress.Eta;
        return progress with { RatePerSecond = rate, Eta = eta };
    }

    private void Update(RunState state, Func<JobRun, JobRun> change, bool force, Func<bool>? statusChanged = null)
    {
        lock (state)
        {
            state.Snapshot = change(state.Snapshot);
        }

        Publish(state, force || (statusChanged?.Invoke() ?? false));
    }

    private void Publish(RunState state, bool force)
    {
        var now = _time.GetUtcNow();
        bool save;
        lock (state)
        {
            if (!force && now - state.LastPublished < NotifyInterval)
            {
                return;
            }

            state.LastPublished = now;
            save = force || now - state.LastSaved >= SaveInterval;
            if (save)
            {
                state.LastSaved = now;
            }
        }

        var snapshot = state.Snapshot;
        if (save)
        {
            SaveToHistory(snapshot);
        }

        Action<JobRun>[] subscribers;
        lock (_subscribersLock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(snapshot);
            }
            catch (Exception e)
            {
                // A broken subscriber (a page whose circuit died) must not stop the run or the others.
                _logger.LogWarning(e, "A subscriber to run {RunId} threw", snapshot.Id);
            }
        }
    }

    private void SaveToHistory(JobRun snapshot)
    {
        if (_history is null)
        {
            return;
        }

        try
        {
            _history.Save(snapshot);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // The run goes on; only its record is late. The next status change saves it again.
            _logger.LogWarning(e, "Could not save run {RunId} to the ops database", snapshot.Id);
        }
    }

    private void PollCancelRequests()
    {
        var live = _runs.Values.Where(s => !s.Snapshot.IsFinished).Select(s => s.Snapshot.Id).ToList();
        if (live.Count == 0 || _history is null)
        {
            return;
        }

        try
        {
            foreach (var id in _history.CancelRequests(live))
            {
                Cancel(id);
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _logger.LogWarning(e, "Could not read cancel requests from the ops database");
        }
    }

    private sealed class RunState(JobRun run, JobDefinition definition)
    {
        public JobRun Snapshot { get; set; } = run;

        public JobDefinition Definition { get; } = definition;

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Dictionary<string, DateTimeOffset> StepStarted { get; } = [];

        public DateTimeOffset LastPublished { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastSaved { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Taken off the queue, not yet Running: counts against the concurrency limit.</summary>
        public bool Starting { get; set; }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
