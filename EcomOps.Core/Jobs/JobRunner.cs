using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Jobs;

/// <summary>
/// The job runner. Each run is a job kind's handler (registered in DI) applied to a parameters record that is
/// stored with the run, so any run can be started again and a remote run re-attached after a restart. Runs
/// start in order of arrival when the resources they hold are under their limits (<see cref="JobsOptions"/>),
/// and work on the thread pool with their own cancellation. Every snapshot goes to the ops database through one
/// ordered writer; finished runs leave memory and are read back from there. Runs of a crashed process become
/// Interrupted, except remote ones, which are followed again; a cancel asked for by another process (the CLI)
/// reaches the run within about a second.
/// </summary>
public sealed partial class JobRunner : IJobRunner, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan NotifyInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CancelPollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ForeignPollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    internal const string InterruptedMessage = "EcomOps stopped while this run was in progress (crash or kill). Its output was not committed; run it again.";
    internal const string StoppedMessage = "EcomOps was stopped while this run was in progress. Its output was not committed; run it again.";

    /// <summary>How parameters records are stored: web casing, enums by name.</summary>
    internal static readonly JsonSerializerOptions ParametersJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly ConcurrentDictionary<Guid, RunState> _runs = new();
    private readonly List<Action<JobRun>> _subscribers = [];
    private readonly Lock _subscribersLock = new();
    private readonly Lock _scheduleLock = new();
    private readonly List<Waiter> _waiting = [];
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private readonly IServiceProvider _services;
    private readonly IJobHistory _history;
    private readonly JobHistoryWriter _writer;
    private readonly JobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;
    private readonly Lazy<Task> _initialized;
    private readonly Lazy<Handlers> _handlers;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _cancelPoll;
    private int _polling;
    private int _disposed;

    public JobRunner(IServiceProvider services, IJobHistory history, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobRunner> logger)
    {
        _services = services;
        _history = history;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _writer = new JobHistoryWriter(history, logger);

        // Handlers are resolved on first use: they depend on services (lake, conversion) that depend on the runner.
        _handlers = new Lazy<Handlers>(() => new Handlers(_services.GetServices<IJobHandler>()));
        _initialized = new Lazy<Task>(() => Task.Run(InitializeCoreAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Runs of this process that are still in memory (unfinished, or finishing now).</summary>
    internal int LiveRunCount => _runs.Count;

    /// <summary>
    /// Registers this runner as an owner of runs, marks runs left by stopped processes Interrupted and re-attaches
    /// remote ones. Runs once; every other method waits for it. The dashboard calls it at start-up.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _initialized.Value.WaitAsync(cancellationToken);

    public JobRun Start(IJobParameters parameters, string startedBy, Guid? retryOf = null) => StartCore(parameters, startedBy, retryOf, null);

    public async Task<JobRun> RetryAsync(Guid id, string startedBy, CancellationToken cancellationToken = default)
    {
        var run = await GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No run {id}.");
        if (!run.IsFinished)
        {
            throw new InvalidOperationException($"Run {id} ({run.Title}) is still {run.Status}; wait for it to end, or cancel it, before running it again.");
        }

        if (run.ParametersJson is null)
        {
            throw new InvalidOperationException(
                $"Run {id} ({run.Title}) was recorded by an earlier EcomOps that did not keep its parameters, so it cannot be run again; start it again from its page or command.");
        }

        var handler = _handlers.Value.ForKind(run.Kind);
        var parameters = Deserialize(handler, run.ParametersJson, run.Id);
        _logger.LogInformation("Run {RunId} ({Kind}) started again by {StartedBy}", id, run.Kind, startedBy);
        return Start(parameters, startedBy, id);
    }

    public async Task<JobRun?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (_runs.TryGetValue(id, out var state))
        {
            return state.Snapshot;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return _runs.TryGetValue(id, out state) ? state.Snapshot : await _history.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobRun>> ListAsync(JobRunFilter filter, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var stored = await _history.ListAsync(filter, cancellationToken).ConfigureAwait(false);

        // Live snapshots are newer than stored ones (saves of progress lag by up to two seconds).
        var live = _runs.Values.Select(s => s.Snapshot).Where(filter.Matches).ToDictionary(r => r.Id);
        return stored.Where(r => !live.ContainsKey(r.Id)).Concat(live.Values)
            .OrderByDescending(r => r.QueuedAt)
            .Take(filter.Limit)
            .ToArray();
    }

    public async Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (!_runs.TryGetValue(id, out var state))
        {
            // Another process's run: ask it through the ops database.
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            return await _history.RequestCancelAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return CancelLocal(state);
    }

    public async IAsyncEnumerable<JobRun> WatchAsync(Guid id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (_runs.TryGetValue(id, out var state))
        {
            // The snapshot is read and the watcher added under the lock every change is published under, so
            // nothing can happen in between.
            var (first, changes) = state.Watch();
            try
            {
                yield return first;
                if (changes is null)
                {
                    yield break;
                }

                await foreach (var run in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return run;
                }
            }
            finally
            {
                state.Unwatch(changes);
            }

            yield break;
        }

        // Not in memory: finished (its final snapshot is saved before it leaves memory), or another process's.
        var stored = await _history.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            yield break;
        }

        yield return stored;
        while (!stored.IsFinished)
        {
            await Task.Delay(ForeignPollInterval, _time, cancellationToken).ConfigureAwait(false);
            var next = await GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                yield break;
            }

            if (!SameState(stored, next))
            {
                yield return next;
            }

            stored = next;
        }
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
        if (_runs.TryGetValue(id, out var state))
        {
            return await state.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        JobRun? last = null;
        await foreach (var run in WatchAsync(id, cancellationToken).ConfigureAwait(false))
        {
            last = run;
        }

        return last ?? throw new KeyNotFoundException($"No run {id}.");
    }

    /// <summary>
    /// Stops: local runs are cancelled and end Interrupted ("EcomOps was stopped"); remote runs are left running
    /// remotely, so the next start re-attaches them. Waits up to 10 seconds for runs to record how they ended.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _cancelPoll?.Dispose();
        _stopping.Cancel();
        var live = _runs.Values.ToList();
        foreach (var state in live)
        {
            state.CancelQuietly();
        }

        try
        {
            await Task.WhenAll(live.Select(s => s.Done.Task)).WaitAsync(ShutdownGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Count} run(s) did not stop within {Grace}; they will be marked Interrupted at the next start", live.Count(s => !s.Done.Task.IsCompleted), ShutdownGrace);
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        if (_initialized.IsValueCreated && _initialized.Value.IsCompletedSuccessfully)
        {
            _history.ReleaseOwner();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal JobRun StartChild(RunState parent, IJobParameters parameters) => StartCore(parameters, parent.Snapshot.StartedBy, null, parent);

    private JobRun StartCore(IJobParameters parameters, string startedBy, Guid? retryOf, RunState? parent)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var handler = _handlers.Value.ForParameters(parameters.GetType());
        var plan = handler.Plan(parameters);
        var run = new JobRun(
            Guid.NewGuid(),
            handler.Kind,
            plan.Title,
            plan.Dataset,
            plan.Parameters,
            startedBy,
            JobStatus.Queued,
            _time.GetUtcNow(),
            null,
            null,
            plan.Steps.Select(s => new JobStep(s, JobStatus.Queued, default)).ToArray(),
            [],
            null,
            ParametersJson: JsonSerializer.Serialize(parameters, handler.ParametersType, ParametersJson),
            ParentId: parent?.Id,
            RetryOf: retryOf);
        var state = new RunState(run, handler, parameters, plan.AllResources, null);
        lock (_scheduleLock)
        {
            var queued = _runs.Values.Count(s => s.Snapshot.Status == JobStatus.Queued);
            if (queued >= _options.MaxQueuedRuns)
            {
                throw new InvalidOperationException($"The job queue is full ({_options.MaxQueuedRuns} runs waiting, EcomOps:Jobs:MaxQueuedRuns). Wait for some to finish, or cancel some on the Jobs page.");
            }

            _runs[run.Id] = state;
        }

        parent?.AdoptChild(state);
        Publish(state, run, save: true);

        // In line now, not when its task gets a thread: runs start in the order they were started.
        var waiter = Enqueue(state, priority: false);
        _ = Task.Run(() => ExecuteAsync(state, waiter));
        return run;
    }

    private async Task ExecuteAsync(RunState state, Waiter? waiter)
    {
        var token = state.Cancellation.Token;
        var started = state.ResumeExternalId is not null;
        JobStatus status;
        string? error;
        try
        {
            await InitializeAsync(token).ConfigureAwait(false);
            if (state.ResumeExternalId is { } externalId)
            {
                // Already running remotely: it holds its resources again without waiting for them.
                Acquire(state, force: true);
                _logger.LogInformation("Run {RunId} ({Kind}) re-attached to remote work {ExternalId}", state.Id, state.Handler.Kind, externalId);
                await state.Handler.ResumeAsync(new JobContext(this, state), state.Parameters, externalId, token).ConfigureAwait(false);
            }
            else
            {
                await WaitGrantedAsync(waiter!, token).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                started = true;
                Update(state, r => r with { Status = JobStatus.Running, StartedAt = _time.GetUtcNow() }, force: true);
                _logger.LogInformation("Run {RunId} started: {Kind} {Title}", state.Id, state.Handler.Kind, state.Snapshot.Title);
                await state.Handler.RunAsync(new JobContext(this, state), state.Parameters, token).ConfigureAwait(false);
            }

            (status, error) = (JobStatus.Succeeded, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            (status, error) = _stopping.IsCancellationRequested ? (JobStatus.Interrupted, StoppedMessage)
                : started ? (JobStatus.Cancelled, "Cancelled by the user.")
                : (JobStatus.Cancelled, "Cancelled by the user before it started.");
        }
        catch (Exception e)
        {
            // EcomOps' own exceptions are refusals whose message says what was wrong and what to do (bad rows,
            // a refused upload); anything else is unexpected, and its stack trace belongs in the log.
            if (e.GetType().Assembly == typeof(JobRunner).Assembly)
            {
                _logger.LogWarning("Run {RunId} ({Kind}) failed: {Error}", state.Id, state.Handler.Kind, e.Message);
            }
            else
            {
                _logger.LogError(e, "Run {RunId} ({Kind}) failed", state.Id, state.Handler.Kind);
            }

            (status, error) = (JobStatus.Failed, e.Message);
        }

        Release(state);
        if (status == JobStatus.Interrupted && state.Snapshot.ExternalId is not null && state.Handler.CanResume)
        {
            // Stopping, not cancelled: the remote work goes on and the next start follows it again.
            await LeaveRemoteAsync(state).ConfigureAwait(false);
            return;
        }

        await FinishAsync(state, status, error).ConfigureAwait(false);
    }

    private async Task FinishAsync(RunState state, JobStatus status, string? error)
    {
        var final = Update(state, r => r with
        {
            Status = status,
            EndedAt = _time.GetUtcNow(),
            Error = error,
            Steps = r.Steps.Select(s => s.Status is JobStatus.Running or JobStatus.Queued && status != JobStatus.Succeeded
                ? s with { Status = status }
                : s).ToArray(),
        }, force: true, last: true);

        // The final snapshot is in the ops database before the run leaves memory, so readers never miss its end.
        await _writer.FlushAsync().ConfigureAwait(false);
        _logger.LogInformation(
            "Run {RunId} {Status} after {Duration}: {Rows} rows, {Bytes} bytes written",
            final.Id, final.Status, final.Duration(_time.GetUtcNow()), final.RowsWritten, final.BytesWritten);
        _runs.TryRemove(state.Id, out _);
        state.Done.TrySetResult(final);
        state.Dispose();
    }

    private async Task LeaveRemoteAsync(RunState state)
    {
        await _writer.FlushAsync().ConfigureAwait(false);
        _logger.LogInformation("Run {RunId} left running remotely ({ExternalId}); the next start re-attaches it", state.Id, state.Snapshot.ExternalId);
        _runs.TryRemove(state.Id, out _);
        state.EndWatches();
        state.Done.TrySetResult(state.Snapshot);
        state.Dispose();
    }

    internal async Task SetExternalIdAsync(RunState state, string externalId, CancellationToken cancellationToken)
    {
        Update(state, r => r with { ExternalId = externalId }, force: true);
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task<IReadOnlyList<JobRun>> WaitForChildrenAsync(RunState state, IReadOnlyList<Guid> children, CancellationToken cancellationToken)
    {
        Release(state);
        var finished = await Task.WhenAll(children.Select(id => WaitAsync(id, cancellationToken))).ConfigureAwait(false);
        await AcquireAsync(state, priority: true, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    private bool CancelLocal(RunState state)
    {
        if (state.Snapshot.IsFinished)
        {
            return false;
        }

        _logger.LogInformation("Cancelling run {RunId} ({Kind})", state.Id, state.Snapshot.Kind);
        state.CancelQuietly();
        return true;
    }

    internal void UpdateStep(RunState state, string stepName, Func<JobStep, JobStep> change)
    {
        var now = _time.GetUtcNow();
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

            steps[index] = after with { Progress = WithRate(after.Progress, state.StepStarted.GetValueOrDefault(stepName, now), now) };
            return run with { Steps = steps };
        }, force: false);
    }

    private static JobProgress WithRate(JobProgress progress, DateTimeOffset started, DateTimeOffset now)
    {
        var seconds = (now - started).TotalSeconds;
        var rate = seconds > 0 ? progress.Done / seconds : 0;
        TimeSpan? eta = progress.Total is { } total && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - progress.Done) / rate) : progress.Eta;
        return progress with { RatePerSecond = rate, Eta = eta };
    }

    /// <summary>
    /// Applies a change to a run's snapshot. Status changes (of the run or a step) are published and saved at
    /// once; progress at most every 250 ms to watchers and every 2 s to the history.
    /// </summary>
    internal JobRun Update(RunState state, Func<JobRun, JobRun> change, bool force, bool last = false)
    {
        var now = _time.GetUtcNow();
        JobRun after;
        bool save;
        lock (state.Gate)
        {
            var before = state.Snapshot;
            after = change(before);
            state.Snapshot = after;
            force |= before.Status != after.Status || !before.Steps.Select(s => s.Status).SequenceEqual(after.Steps.Select(s => s.Status));
            if (!force && now - state.LastPublished < NotifyInterval)
            {
                return after;
            }

            state.LastPublished = now;
            save = force || now - state.LastSaved >= SaveInterval;
            if (save)
            {
                state.LastSaved = now;
            }

            state.Notify(after, last);
        }

        Publish(state, after, save);
        return after;
    }

    private void Publish(RunState state, JobRun snapshot, bool save)
    {
        if (save)
        {
            _writer.Enqueue(snapshot);
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
                _logger.LogWarning(e, "A subscriber to run {RunId} threw", state.Id);
            }
        }
    }

    private static bool SameState(JobRun a, JobRun b) =>
        a.Status == b.Status && a.Error == b.Error && a.Counts == b.Counts && a.ExternalId == b.ExternalId
        && a.Outputs.Count == b.Outputs.Count && a.Steps.SequenceEqual(b.Steps);

    private static IJobParameters Deserialize(IJobHandler handler, string json, Guid runId) =>
        JsonSerializer.Deserialize(json, handler.ParametersType, ParametersJson) as IJobParameters
        ?? throw new InvalidOperationException($"The parameters of run {runId} ({handler.Kind}) could not be read back.");

    private sealed class Handlers
    {
        private readonly Dictionary<Type, IJobHandler> _byType = [];
        private readonly Dictionary<string, IJobHandler> _byKind = new(StringComparer.Ordinal);

        public Handlers(IEnumerable<IJobHandler> handlers)
        {
            foreach (var handler in handlers)
            {
                if (!_byKind.TryAdd(handler.Kind, handler) || !_byType.TryAdd(handler.ParametersType, handler))
                {
                    throw new InvalidOperationException($"Two job handlers for kind '{handler.Kind}' or parameters {handler.ParametersType.Name}; register each once.");
                }
            }
        }

        public IJobHandler ForParameters(Type type) =>
            _byType.GetValueOrDefault(type) ?? throw new InvalidOperationException($"No job handler runs {type.Name}; register one with AddJobHandler.");

        public IJobHandler ForKind(string kind) =>
            _byKind.GetValueOrDefault(kind) ?? throw new InvalidOperationException($"This EcomOps has no job handler for runs of kind '{kind}'.");

        public IJobHandler? FindKind(string kind) => _byKind.GetValueOrDefault(kind);
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    /// <summary>One run of this process while it is in memory.</summary>
    internal sealed class RunState(JobRun run, IJobHandler handler, IJobParameters parameters, IReadOnlyList<string> resources, string? resumeExternalId) : IDisposable
    {
        private readonly List<Channel<JobRun>> _watchers = [];
        private readonly List<CancellationTokenRegistration> _children = [];
        private bool _ended;

        public Lock Gate { get; } = new();

        public Guid Id { get; } = run.Id;

        public JobRun Snapshot { get; set; } = run;

        public IJobHandler Handler { get; } = handler;

        public IJobParameters Parameters { get; } = parameters;

        public IReadOnlyList<string> Resources { get; } = resources;

        public string? ResumeExternalId { get; } = resumeExternalId;

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource<JobRun> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Dictionary<string, DateTimeOffset> StepStarted { get; } = [];

        public DateTimeOffset LastPublished { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastSaved { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Whether it holds its resources now (guarded by the runner's schedule lock).</summary>
        public bool Holding { get; set; }

        public (JobRun First, Channel<JobRun>? Changes) Watch()
        {
            lock (Gate)
            {
                if (_ended)
                {
                    return (Snapshot, null);
                }

                // Only the latest snapshot matters to a watcher that falls behind; the final one is never dropped.
                var channel = Channel.CreateBounded<JobRun>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
                _watchers.Add(channel);
                return (Snapshot, channel);
            }
        }

        public void Unwatch(Channel<JobRun>? channel)
        {
            if (channel is null)
            {
                return;
            }

            lock (Gate)
            {
                _watchers.Remove(channel);
            }
        }

        /// <summary>Hands a published snapshot to the watchers; called under <see cref="Gate"/>.</summary>
        public void Notify(JobRun snapshot, bool last)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(snapshot);
                if (last)
                {
                    watcher.Writer.TryComplete();
                }
            }

            if (last)
            {
                _watchers.Clear();
                _ended = true;
            }
        }

        public void EndWatches()
        {
            lock (Gate)
            {
                Notify(Snapshot, last: true);
            }
        }

        /// <summary>A child is cancelled with its parent.</summary>
        public void AdoptChild(RunState child)
        {
            lock (Gate)
            {
                _children.Add(Cancellation.Token.Register(child.CancelQuietly));
            }
        }

        public void CancelQuietly()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It has just finished.
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                foreach (var registration in _children)
                {
                    registration.Dispose();
                }

                _children.Clear();
            }

            Cancellation.Dispose();
        }
    }
}
