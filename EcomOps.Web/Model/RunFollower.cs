using EcomOps.Core.Jobs;

namespace EcomOps.Web.Model;

/// <summary>
/// Follows one run for a component through <see cref="IJobRunner.WatchAsync"/>: its current snapshot, then each
/// change, so the component cannot miss the run's end. Following another run stops the previous one; dispose
/// with the component.
/// </summary>
public sealed class RunFollower(IJobRunner runner, Func<JobRun, Task> onChanged, ILogger logger) : IDisposable
{
    private CancellationTokenSource? _current;

    /// <summary>The run being followed, if any.</summary>
    public Guid? RunId { get; private set; }

    public void Follow(Guid id)
    {
        if (RunId == id)
        {
            return;
        }

        Stop();
        RunId = id;
        var cancellation = _current = new CancellationTokenSource();
        _ = FollowAsync(id, cancellation.Token);
    }

    public void Stop()
    {
        RunId = null;
        var previous = Interlocked.Exchange(ref _current, null);
        previous?.Cancel();
        previous?.Dispose();
    }

    public void Dispose() => Stop();

    private async Task FollowAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var run in runner.WatchAsync(id, cancellationToken).ConfigureAwait(false))
            {
                await onChanged(run).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the component.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Following run {RunId} stopped", id);
        }
    }
}
