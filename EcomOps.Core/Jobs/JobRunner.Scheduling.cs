using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Jobs;

// Resources and their limits, start-up recovery and cancel requests from other processes.
public sealed partial class JobRunner
{
    /// <summary>Waits until every resource the run holds is under its limit, then holds them.</summary>
    /// <param name="priority">A parent taking back what it gave up while its children ran goes before new runs.</param>
    private Task AcquireAsync(RunState state, bool priority, CancellationToken cancellationToken) =>
        WaitGrantedAsync(Enqueue(state, priority), cancellationToken);

    /// <summary>Puts the run in line for its resources; runs are granted in the order they were put in line.</summary>
    private Waiter Enqueue(RunState state, bool priority)
    {
        var waiter = new Waiter(this, state, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), priority);
        lock (_scheduleLock)
        {
            var at = priority ? _waiting.FindIndex(w => !w.Priority) : -1;
            _waiting.Insert(at < 0 ? _waiting.Count : at, waiter);
        }

        Schedule();
        return waiter;
    }

    private static async Task WaitGrantedAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() =>
        {
            if (waiter.Runner.Withdraw(waiter))
            {
                waiter.Granted.TrySetCanceled(cancellationToken);
            }
        });
        await waiter.Granted.Task.ConfigureAwait(false);
    }

    private bool Withdraw(Waiter waiter)
    {
        lock (_scheduleLock)
        {
            return _waiting.Remove(waiter);
        }
    }

    /// <summary>Holds the run's resources at once, over their limits if need be (a remote run being re-attached).</summary>
    private void Acquire(RunState state, bool force)
    {
        lock (_scheduleLock)
        {
            if (force || CanHold(state))
            {
                Hold(state);
            }
        }
    }

    private void Release(RunState state)
    {
        lock (_scheduleLock)
        {
            if (!state.Holding)
            {
                return;
            }

            foreach (var resource in state.Resources)
            {
                _held[resource]--;
            }

            state.Holding = false;
        }

        Schedule();
    }

    // Grants waiting runs, in order, every one whose resources are all under their limits: a run blocked on
    // its dataset does not hold up a run of another dataset behind it.
    private void Schedule()
    {
        var granted = new List<Waiter>();
        lock (_scheduleLock)
        {
            foreach (var waiter in _waiting.ToList())
            {
                if (CanHold(waiter.State))
                {
                    Hold(waiter.State);
                    _waiting.Remove(waiter);
                    granted.Add(waiter);
                }
            }
        }

        foreach (var waiter in granted)
        {
            waiter.Granted.TrySetResult();
        }
    }

    private bool CanHold(RunState state) => state.Resources.All(r => _held.GetValueOrDefault(r) < _options.LimitOf(r));

    private void Hold(RunState state)
    {
        foreach (var resource in state.Resources)
        {
            _held[resource] = _held.GetValueOrDefault(resource) + 1;
        }

        state.Holding = true;
    }

    private async Task InitializeCoreAsync()
    {
        await _history.RegisterOwnerAsync().ConfigureAwait(false);
        var orphans = await _history.OrphansAsync().ConfigureAwait(false);
        int interrupted = 0, reattached = 0;
        foreach (var orphan in orphans)
        {
            var handler = _handlers.Value.FindKind(orphan.Kind);
            var resumable = orphan.ExternalId is not null && handler is { CanResume: true } && orphan.ParametersJson is not null;
            if (resumable && !_options.ReattachRemoteRuns)
            {
                // Left for a process that follows remote runs (the dashboard).
                continue;
            }

            if (!await _history.AdoptAsync(orphan.Id).ConfigureAwait(false))
            {
                continue;
            }

            if (resumable && TryReattach(orphan, handler!))
            {
                reattached++;
                continue;
            }

            var now = _time.GetUtcNow();
            var error = orphan.ExternalId is null
                ? InterruptedMessage
                : $"EcomOps stopped while following remote work {orphan.ExternalId}, and cannot follow it again here; check its outcome in the engine's console.";
            await _history.SaveAsync(
            [
                orphan with
                {
                    Status = JobStatus.Interrupted,
                    EndedAt = now,
                    Error = error,
                    Steps = orphan.Steps.Select(s => s.Status is JobStatus.Running or JobStatus.Queued ? s with { Status = JobStatus.Interrupted } : s).ToArray(),
                },
            ]).ConfigureAwait(false);
            interrupted++;
        }

        if (interrupted > 0)
        {
            _logger.LogWarning("{Count} run(s) left running by a stopped process were marked Interrupted", interrupted);
        }

        if (reattached > 0)
        {
            _logger.LogInformation("{Count} remote run(s) started before a restart are followed again", reattached);
        }

        _cancelPoll = _time.CreateTimer(_ => _ = PollCancelRequestsAsync(), null, CancelPollInterval, CancelPollInterval);
    }

    private bool TryReattach(JobRun orphan, IJobHandler handler)
    {
        IJobParameters parameters;
        try
        {
            parameters = Deserialize(handler, orphan.ParametersJson!, orphan.Id);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            _logger.LogWarning(e, "Run {RunId} cannot be re-attached: its parameters do not read back", orphan.Id);
            return false;
        }

        var plan = handler.Plan(parameters);
        var state = new RunState(orphan with { Status = JobStatus.Running }, handler, parameters, plan.AllResources, orphan.ExternalId);
        _runs[orphan.Id] = state;
        _ = Task.Run(() => ExecuteAsync(state, null));
        return true;
    }

    private async Task PollCancelRequestsAsync()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var live = _runs.Values.Where(s => !s.Snapshot.IsFinished).Select(s => s.Id).ToList();
            if (live.Count == 0)
            {
                return;
            }

            foreach (var id in await _history.CancelRequestsAsync(live, _stopping.Token).ConfigureAwait(false))
            {
                if (_runs.TryGetValue(id, out var state))
                {
                    CancelLocal(state);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not read cancel requests from the ops database");
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private sealed record Waiter(JobRunner Runner, RunState State, TaskCompletionSource Granted, bool Priority);
}
