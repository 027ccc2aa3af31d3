using System.Collections.Concurrent;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.Hosting;

namespace EcomOps.Core.Telemetry;

/// <summary>
/// Counts runs started, succeeded and failed by kind, and the rows conversions and loads wrote, from the runner's
/// snapshots: every status change is published, so the counts need no call inside the runner or the handlers.
/// </summary>
internal sealed class JobMetricsRecorder(IJobRunner runner, EcomOpsMetrics metrics) : IHostedService
{
    private readonly ConcurrentDictionary<Guid, JobStatus> _seen = new();
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = runner.Subscribe(OnRunChanged);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private void OnRunChanged(JobRun run)
    {
        var before = _seen.TryGetValue(run.Id, out var status) ? status : (JobStatus?)null;
        if (before == run.Status)
        {
            return;
        }

        _seen[run.Id] = run.Status;
        if (run.Status == JobStatus.Running)
        {
            metrics.JobStarted(run.Kind);
        }

        if (!run.IsFinished)
        {
            return;
        }

        // A finished run publishes nothing more; its entry is no longer needed.
        _seen.TryRemove(run.Id, out _);
        if (run.Status == JobStatus.Succeeded)
        {
            metrics.JobSucceeded(run.Kind);
            if (run.Kind == JobKinds.Convert)
            {
                metrics.RowsConverted(run.Dataset, run.RowsWritten);
            }
            else if (run.Kind == JobKinds.Load)
            {
                metrics.RowsLoaded(run.Dataset ?? run.Parameters.GetValueOrDefault("table"), run.RowsWritten);
            }
        }
        else if (run.Status == JobStatus.Failed)
        {
            metrics.JobFailed(run.Kind);
        }
    }
}
