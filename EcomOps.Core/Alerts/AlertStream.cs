using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Alerts;

/// <summary>The in-process fan-out of alerts to the dashboard's connections.</summary>
internal sealed class AlertStream(ILogger<AlertStream> logger) : IAlertStream
{
    private readonly Lock _gate = new();
    private readonly List<Action<RunAlert>> _subscribers = [];

    public IDisposable Subscribe(Action<RunAlert> onAlert)
    {
        ArgumentNullException.ThrowIfNull(onAlert);
        lock (_gate)
        {
            _subscribers.Add(onAlert);
        }

        return new Subscription(this, onAlert);
    }

    public void Publish(RunAlert alert)
    {
        Action<RunAlert>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(alert);
            }
            catch (Exception e)
            {
                // A connection that went away mid-call must not keep the alert from the others.
                logger.LogWarning(e, "An alert subscriber threw on the alert for run {RunId}", alert.RunId);
            }
        }
    }

    private void Unsubscribe(Action<RunAlert> onAlert)
    {
        lock (_gate)
        {
            _subscribers.Remove(onAlert);
        }
    }

    private sealed class Subscription(AlertStream stream, Action<RunAlert> onAlert) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                stream.Unsubscribe(onAlert);
            }
        }
    }
}
