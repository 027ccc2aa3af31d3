using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Jobs;

/// <summary>
/// In-process job runner: runs start in order of arrival, at most <see cref="MaxConcurrentRuns"/> at once,
/// each on the thread pool with its own cancellation. History is kept in memory for the life of the process.
/// </summary>
public sealed class JobRunner : IJobRunner, IDisposable
{
    /// <summary>Runs that may execute at the same time; each run uses both cores anyway.</summary>
    public const int MaxConcurrentRuns = 2;

    private static readonly TimeSpan NotifyInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<Guid, RunState> _runs = new();
    private readonly List<Action<JobRun>> _subscribers = [];
    private readonly Lock _subscribersLock = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRuns);
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;

    public JobRunner(TimeProvider time, ILogger<JobRunner> logger)
    {
        _time = time;
        _logger = logger;
    }

    public JobRun Start(JobDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var id = Guid.NewGuid();
        var run = new JobRun(
            id,
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
        var state = new RunState(run);
        _runs[id] = state;
        Publish(state, force: true);
        state.Task = Task.Run(() => ExecuteAsync(state, definition));
        return run;
    }

    public JobRun? Get(Guid id) => _runs.TryGetValue(id, out var state) ? state.Snapshot : null;

    public IReadOnlyList<JobRun> List() =>
        _runs.Values.Select(s => s.Snapshot).OrderByDescending(r => r.QueuedAt).ToArray();

    public bool Cancel(Guid id)
    {
        if (!_runs.TryGetValue(id, out var state) || state.Snapshot.IsFinished)
        {
            return false;
        }

        _logger.LogInformation("Cancelling run {RunId} ({Kind})", id, state.Snapshot.Kind);
        state.Cancellation.Cancel();
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
            throw new KeyNotFoundException($"No run {id}.");
        }

        await state.Task!.WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.Snapshot;
    }

    public void Dispose()
    {
        foreach (var state in _runs.Values)
        {
            state.Cancellation.Cancel();
        }
    }

    private async Task ExecuteAsync(RunState state, JobDefinition definition)
    {
        var token = state.Cancellation.Token;
        var acquired = false;
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            acquired = true;
            Update(state, r => r with { Status = JobStatus.Running, StartedAt = _time.GetUtcNow() }, force: true);
            _logger.LogInformation("Run {RunId} started: {Kind} {Title}", state.Snapshot.Id, definition.Kind, definition.Title);

            var context = new JobContext(state.Snapshot.Id, (step, change) => UpdateStep(state, step, change), output => AddOutput(state, output), _time);
            await definition.Work(context, token).ConfigureAwait(false);
            Finish(state, JobStatus.Succeeded, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Finish(state, JobStatus.Cancelled, "Cancelled by the user.");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Run {RunId} ({Kind}) failed", state.Snapshot.Id, definition.Kind);
            Finish(state, JobStatus.Failed, e.Message);
        }
        finally
        {
            if (acquired)
            {
                _slots.Release();
            }
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
            "Run {RunId} {Status} after {Duration}: {Rows} rows, {Bytes} bytes",
            run.Id, run.Status, run.Duration(_time.GetUtcNow()), run.RowsWritten, run.BytesWritten);
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

    private void AddOutput(RunState state, JobOutput output) =>
        Update(state, r => r with { Outputs = [.. r.Outputs, output] }, force: true);

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
        lock (state)
        {
            if (!force && now - state.LastPublished < NotifyInterval)
            {
                return;
            }

            state.LastPublished = now;
        }

        Action<JobRun>[] subscribers;
        lock (_subscribersLock)
        {
            subscribers = [.. _subscribers];
        }

        var snapshot = state.Snapshot;
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

    private sealed class RunState(JobRun run)
    {
        public JobRun Snapshot { get; set; } = run;

        public CancellationTokenSource Cancellation { get; } = new();

        public Dictionary<string, DateTimeOffset> StepStarted { get; } = [];

        public DateTimeOffset LastPublished { get; set; } = DateTimeOffset.MinValue;

        public Task? Task { get; set; }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
