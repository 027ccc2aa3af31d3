using System.Globalization;
using EcomOps.Core.Jobs;

namespace EcomOps.Cli.Commands;

/// <summary>Follows runs started from the command line: progress on stderr about once a second, Ctrl+C cancels.</summary>
internal static class RunWatcher
{
    public static async Task<IReadOnlyList<JobRun>> WaitAsync(IJobRunner runner, IReadOnlyList<JobRun> runs, TextWriter stderr, CancellationToken cancellationToken)
    {
        var ids = runs.Select(r => r.Id).ToHashSet();
        var printed = new Dictionary<(Guid, string), (JobStatus Status, DateTimeOffset At)>();
        var gate = new Lock();
        using var subscription = runner.Subscribe(run =>
        {
            if (!ids.Contains(run.Id))
            {
                return;
            }

            lock (gate)
            {
                foreach (var step in run.Steps.Where(s => s.Status != JobStatus.Queued))
                {
                    var key = (run.Id, step.Name);
                    var now = DateTimeOffset.UtcNow;
                    if (printed.TryGetValue(key, out var last) && last.Status == step.Status && now - last.At < TimeSpan.FromSeconds(1))
                    {
                        continue;
                    }

                    printed[key] = (step.Status, now);
                    stderr.WriteLine(Describe(step));
                }
            }
        });

        // Ctrl+C cancels the runs; they then finish as Cancelled and leave the previous output as it was.
        await using var registration = cancellationToken.Register(() =>
        {
            foreach (var id in ids)
            {
                runner.Cancel(id);
            }
        });
        var finished = new List<JobRun>();
        foreach (var run in runs)
        {
            finished.Add(await runner.WaitAsync(run.Id, CancellationToken.None));
        }

        return finished;
    }

    private static string Describe(JobStep step)
    {
        var p = step.Progress;
        var total = p.Total is { } t ? string.Create(CultureInfo.InvariantCulture, $" / {t:N0}") : "";
        var rate = step.Status == JobStatus.Running ? string.Create(CultureInfo.InvariantCulture, $", {p.RatePerSecond:N0} {step.Unit}/s") : "";
        var bytes = step.Unit == JobUnits.Rows && p.Bytes > 0 ? string.Create(CultureInfo.InvariantCulture, $", {p.Bytes / 1e6:0.0} MB") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{step.Name}: {p.Done:N0}{total} {step.Unit}{bytes}{rate} ({step.Status})");
    }
}
