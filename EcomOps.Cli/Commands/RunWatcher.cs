using System.Globalization;
using EcomOps.Core.Jobs;

namespace EcomOps.Cli.Commands;

/// <summary>Follows runs started from the command line: progress on stderr about once a second, Ctrl+C cancels.</summary>
internal static class RunWatcher
{
    public static Task<IReadOnlyList<JobRun>> WaitAsync(IJobRunner runner, IReadOnlyList<JobRun> runs, TextWriter stderr, CancellationToken cancellationToken) =>
        WaitAsync(runner, runs, stderr, "", cancellationToken);

    /// <param name="prefix">Put before each line, for runs that need telling apart (a pipeline's steps).</param>
    public static async Task<IReadOnlyList<JobRun>> WaitAsync(IJobRunner runner, IReadOnlyList<JobRun> runs, TextWriter stderr, string prefix, CancellationToken cancellationToken)
    {
        var gate = new Lock();

        // Ctrl+C cancels the runs; they then finish as Cancelled and leave the previous output as it was.
        await using var registration = cancellationToken.Register(() =>
        {
            foreach (var run in runs)
            {
                _ = runner.CancelAsync(run.Id, CancellationToken.None);
            }
        });
        return await Task.WhenAll(runs.Select(run => FollowAsync(runner, run, stderr, gate, prefix)));
    }

    private static async Task<JobRun> FollowAsync(IJobRunner runner, JobRun run, TextWriter stderr, Lock gate, string prefix)
    {
        var printed = new Dictionary<string, (JobStatus Status, DateTimeOffset At)>();
        var last = run;
        await foreach (var snapshot in runner.WatchAsync(run.Id, CancellationToken.None))
        {
            last = snapshot;
            lock (gate)
            {
                foreach (var step in snapshot.Steps.Where(s => s.Status != JobStatus.Queued))
                {
                    var now = DateTimeOffset.UtcNow;
                    if (printed.TryGetValue(step.Name, out var seen) && seen.Status == step.Status && now - seen.At < TimeSpan.FromSeconds(1))
                    {
                        continue;
                    }

                    printed[step.Name] = (step.Status, now);
                    stderr.WriteLine(prefix + Describe(step));
                }
            }
        }

        return last;
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
