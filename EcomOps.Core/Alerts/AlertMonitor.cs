using System.Collections.Concurrent;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Alerts;

/// <summary>
/// Watches the runs of this process and raises one alert for each that fails, a pipeline's failed step (a child run)
/// included: to the dashboard's connections at once, and to the webhook in the background, so a slow or broken
/// webhook never holds up the runner that reported it.
/// </summary>
internal sealed class AlertMonitor(IJobRunner runner, AlertStream stream, AlertWebhook webhook, ILogger<AlertMonitor> logger) : IHostedService
{
    // Enough to recognise a run's final snapshot if it were published twice; older ids are forgotten in order.
    private const int Remembered = 1000;

    private readonly ConcurrentDictionary<Guid, byte> _alerted = new();
    private readonly ConcurrentQueue<Guid> _alertedOrder = new();
    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = runner.Subscribe(OnRunChanged);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        try
        {
            // Alerts already on their way get the host's shutdown time to arrive.
            await Task.WhenAll(_sending.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the webhook POSTs started so far have ended (for tests and shutdown).</summary>
    internal Task SendingAsync() => Task.WhenAll(_sending.Keys);

    private void OnRunChanged(JobRun run)
    {
        if (run.Status != JobStatus.Failed || !_alerted.TryAdd(run.Id, 0))
        {
            return;
        }

        _alertedOrder.Enqueue(run.Id);
        while (_alertedOrder.Count > Remembered && _alertedOrder.TryDequeue(out var old))
        {
            _alerted.TryRemove(old, out _);
        }

        var alert = ToAlert(run);
        logger.LogInformation("Alert: {Summary}", alert.Summary);
        stream.Publish(alert);
        if (webhook.Enabled)
        {
            var sending = Task.Run(async () =>
            {
                try
                {
                    await webhook.SendAsync(alert, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The sender reports its own failures; this is for the unforeseen, which must not go unobserved.
                    logger.LogError(e, "Alert for run {RunId}: posting to the webhook failed unexpectedly", alert.RunId);
                }
            });
            _sending.TryAdd(sending, 0);
            _ = sending.ContinueWith(t => _sending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    internal static RunAlert ToAlert(JobRun run) => new(
        run.Id,
        run.Kind,
        run.Title,
        run.Steps.FirstOrDefault(s => s.Status == JobStatus.Failed)?.Name,
        run.Dataset ?? run.Parameters.GetValueOrDefault("table"),
        run.Error ?? "(no message)",
        run.EndedAt ?? run.QueuedAt,
        run.ParentId);
}
