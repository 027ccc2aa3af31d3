using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Jobs;

/// <summary>
/// The one writer of run snapshots to the history: saves are applied in the order they were made, off the
/// caller's thread (never on a Blazor circuit), a burst of snapshots of one run is written once (the latest),
/// and a batch goes in one transaction.
/// </summary>
internal sealed class JobHistoryWriter : IAsyncDisposable
{
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IJobHistory _history;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public JobHistoryWriter(IJobHistory history, ILogger logger)
    {
        _history = history;
        _logger = logger;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues a snapshot to be saved after every snapshot queued before it.</summary>
    public void Enqueue(JobRun run) => _queue.Writer.TryWrite(new Item(run, null));

    /// <summary>Completes when everything queued before the call has been written (or failed to be, logged).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item(null, done)))
        {
            return Task.CompletedTask;
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<JobRun>();
        var index = new Dictionary<Guid, int>();
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var item))
            {
                if (item.Flushed is { } flushed)
                {
                    flushes.Add(flushed);
                }
                else if (index.TryGetValue(item.Run!.Id, out var at))
                {
                    // A later snapshot of the same run replaces the earlier one: the order of saves is kept.
                    batch[at] = item.Run;
                }
                else
                {
                    index[item.Run.Id] = batch.Count;
                    batch.Add(item.Run);
                }
            }

            if (batch.Count > 0)
            {
                try
                {
                    await _history.SaveAsync(batch).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The runs go on; only their records are late. The next status change saves them again.
                    _logger.LogWarning(e, "Could not save {Count} run snapshot(s) to the ops database", batch.Count);
                }

                batch.Clear();
                index.Clear();
            }

            foreach (var flushed in flushes)
            {
                flushed.TrySetResult();
            }

            flushes.Clear();
        }
    }

    private readonly record struct Item(JobRun? Run, TaskCompletionSource? Flushed);
}
