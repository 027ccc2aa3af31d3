using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using EcomOps.Core.Security;
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
    private readonly IAccess _access;
    private readonly Lazy<Task> _initialized;
    private readonly Lazy<Handlers> _handlers;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _cancelPoll;
    private int _polling;
    private int _disposed;

    public JobRunner(IServiceProvider services, IJobHistory history, IOptions<JobsOptions> options, TimeProvider time, IAccess access, ILogger<JobRunner> logger)
    {
        _services = services;
        _history = history;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _access = access;
        _writer = new JobHistoryWriter(history, logger);

        // Handlers are resolved on first use: they depend on services (lake, conversion) that depend on the runner.
        _handlers = new Lazy<Handlers>(() => new Handlers(_services.GetServices<IJobHandler>()));
        _initialized = new Lazy<Task>(() => Task.Run(InitializeCoreAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The runner is being disposed: runs' tokens are cancelled because EcomOps stops, not by a user.</summary>
    internal bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Runs of this process that are still in memory (unfinished, or finishing now).</summary>
    internal int LiveRunCount => _runs.Count;

    /// <summary>
    /// Registers this runner as an owner of runs, marks runs left by stopped processes Interrupted and re-attaches
    /// remote ones. Runs once; every other method waits for it. The dashboard calls it at start-up.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _initialized.Value.WaitAsync(cancellationToken);

    public JobRun Start(IJobParameters parameters, Guid? retryOf = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var caller = _access.Demand(AccessPolicy.ForJobKind(_handlers.Value.ForParameters(parameters.GetType()).Kind));
        return StartCore(parameters, caller.Name, retryOf, null);
    }

    public async Task<JobRun> RetryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var caller = _access.Demand(CoreAction.RetryRun);
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
        _access.Demand(AccessPolicy.ForJobKind(run.Kind));
        _logger.LogInformation("Run {RunId} ({Kind}) started again by {StartedBy}", id, run.Kind, caller.Name);
        return StartCore(parameters, caller.Name, id, null);
    }

    public async Task<JobRun?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        _access.Demand(CoreAction.View);
        if (_runs.TryGetValue(id, out var state))
        {
            return state.Snapshot;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return _runs.TryGetValue(id, out state) ? state.Snapshot : await _history.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobRun>> ListAsync(JobRunFilter filter, CancellationToken cancellationToken = default)
    {
        _access.Demand(CoreAction.View);
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
        _access.Demand(CoreAction.CancelRun);
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
        _access.Demand(CoreAction.View);
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
        _access.Demand(CoreAction.View);
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
}
