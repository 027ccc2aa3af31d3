using System.Text.Json;
using EcomOps.Core.Security;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Jobs;

// A run's life in this process: queued, running, its snapshots published and saved, finished.
public sealed partial class JobRunner
{
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
            RetryOf: retryOf).Redacted();
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
        // Every line logged while the run works, by the runner or its handler, carries its id. The runner's own
        // start-up (its timers, the runs it re-attaches) is set off first, so it does not inherit this run's scope.
        _ = _initialized.Value;

        // Whoever started the run was checked then; its work runs as the app on their behalf, also when it is
        // re-attached after a restart with nobody signed in.
        using var asApp = _access.Use(Caller.ForRun(state.Snapshot.StartedBy));
        using var runScope = _logger.BeginScope("Run {RunId} ({Kind})", state.Id, state.Handler.Kind);
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
        catch (Exception e) when (_stopping.IsCancellationRequested && state.Snapshot.ExternalId is not null && state.Handler.CanResume)
        {
            // EcomOps is stopping under a remote run, and what it was following with went away first (an HTTP client
            // disposed mid-poll): the remote work did not fail, so it is left to be followed again at the next start.
            _logger.LogInformation("Run {RunId} ({Kind}) stopped following {ExternalId} as EcomOps stops: {Error}", state.Id, state.Handler.Kind, state.Snapshot.ExternalId, SecretRedactor.Redact(e.Message));
            (status, error) = (JobStatus.Interrupted, StoppedMessage);
        }
        catch (Exception e)
        {
            // A failed COPY or request may echo its text, keys and all: only the redacted message is kept, shown and logged.
            var reason = SecretRedactor.Redact(e.Message);

            // EcomOps' own exceptions are refusals whose message says what was wrong and what to do (bad rows,
            // a refused upload); anything else is unexpected, and its stack trace belongs in the log.
            if (e.GetType().Assembly == typeof(JobRunner).Assembly)
            {
                _logger.LogWarning("Run {RunId} ({Kind}) failed: {Error}", state.Id, state.Handler.Kind, reason);
            }
            else
            {
                _logger.LogError(SecretRedactor.ForLog(e), "Run {RunId} ({Kind}) failed", state.Id, state.Handler.Kind);
            }

            (status, error) = (JobStatus.Failed, reason);
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
}
