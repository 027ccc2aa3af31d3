using System.Diagnostics;
using System.Globalization;
using System.Text;
using EcomOps.Tests.Support;
using Xunit.Abstractions;

namespace EcomOps.Tests.Reliability;

/// <summary>Where a kill landed, as seen from outside the process.</summary>
public enum KillPhase
{
    /// <summary>Before the run said it was running: start-up, the ops database, the run being recorded.</summary>
    BeforeRunning,

    /// <summary>While the run was working (its progress said Running).</summary>
    Running,

    /// <summary>The process had already ended: the kill came just after the run.</summary>
    AfterExit,
}

/// <summary>One kill: when, where it landed, and the last progress line the process printed before it.</summary>
public sealed record KillReport(int Number, TimeSpan AfterStart, KillPhase Phase, double RunFraction, string LastLine)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"kill {Number}: {AfterStart.TotalMilliseconds:0} ms after start, {Phase}{(Phase == KillPhase.Running ? $" at {RunFraction:P0} of the run" : "")}, last line '{LastLine}'");
}

/// <summary>How long a run of the command takes here: to its first Running line, and to its end.</summary>
public sealed record RunTiming(TimeSpan ToRunning, TimeSpan ToExit, int ExitCode, string Stderr)
{
    /// <summary>The run's working time: from its first Running line to the process's end.</summary>
    public TimeSpan Working => ToExit - ToRunning;
}

/// <summary>
/// Starts a process, SIGKILLs it at a seeded random moment of its run, and says where the kill landed. The seed
/// is printed (and read from <c>ECOMOPS_CRASH_SEED</c>) so a failure can be replayed. Each kind has a CI test with
/// <see cref="CiKills"/> kills and a heavy one (<see cref="HeavyFactAttribute"/>, run by <c>tests/reliability.sh</c>)
/// with <see cref="HeavyKills"/>. Kill moments are spread over the whole run: one
/// in eight before the run says it is running (start-up, the run being recorded), the rest from its first
/// Running line to a little after the time a whole run took when measured here first (mid-write, the commit,
/// just after the end).
/// </summary>
public sealed class CrashHarness
{
    /// <summary>Kills per kind in the CI tests: each costs a process start and a run (3-10 s here), so a few.</summary>
    public const int CiKills = 3;

    private readonly ITestOutputHelper _output;
    private readonly Random _random;

    public CrashHarness(ITestOutputHelper output, string kind, int kills)
    {
        _output = output;
        Seed = int.TryParse(Environment.GetEnvironmentVariable("ECOMOPS_CRASH_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();
        Kills = kills;
        _random = new Random(Seed);
        Log($"{kind}: seed {Seed} (replay with ECOMOPS_CRASH_SEED={Seed}), {Kills} kills");
    }

    /// <summary>Kills per kind in the heavy tests: <c>ECOMOPS_CRASH_KILLS</c>, at least 10 by default.</summary>
    public static int HeavyKills => int.TryParse(Environment.GetEnvironmentVariable("ECOMOPS_CRASH_KILLS"), CultureInfo.InvariantCulture, out var kills) && kills > 0 ? kills : 10;

    public int Seed { get; }

    public int Kills { get; }

    /// <summary>Every kill made so far, for the summary and failure messages.</summary>
    public List<KillReport> Reports { get; } = [];

    public void Log(string line) => _output.WriteLine(line);

    /// <summary>Runs the process to its end once, timing its first Running line and its exit.</summary>
    public static async Task<RunTiming> TimeAsync(Func<Process> start, Func<string, bool> running)
    {
        var clock = Stopwatch.StartNew();
        using var process = start();
        var watch = Watch(process, running, clock);
        await process.WaitForExitAsync();
        await watch.Drained;
        var toRunning = watch.Running.Task.IsCompletedSuccessfully ? watch.Running.Task.Result : clock.Elapsed;
        return new RunTiming(toRunning, clock.Elapsed, process.ExitCode, watch.Text);
    }

    /// <summary>Starts the process and SIGKILLs it at the next seeded moment of a run timed like <paramref name="timing"/>.</summary>
    public async Task<KillReport> KillAsync(Func<Process> start, Func<string, bool> running, RunTiming timing)
    {
        var number = Reports.Count + 1;
        var early = _random.Next(8) == 0;
        var fraction = early ? 0.3 + (_random.NextDouble() * 0.7) : _random.NextDouble() * 1.1;
        var clock = Stopwatch.StartNew();
        using var process = start();
        var watch = Watch(process, running, clock);
        try
        {
            if (early)
            {
                // Before its first Running line (as measured): start-up, the run recorded as Queued, the ops database opened.
                await WaitOrExitAsync(process, timing.ToRunning * fraction - clock.Elapsed);
            }
            else
            {
                var seen = await Task.WhenAny(watch.Running.Task, process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120)));
                if (seen == watch.Running.Task)
                {
                    await WaitOrExitAsync(process, timing.Working * fraction);
                }
            }
        }
        finally
        {
            // Process.Kill is SIGKILL on Unix: no finally blocks, no disposal, no flush in the killed process.
            var exited = process.HasExited;
            var at = clock.Elapsed;
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            await watch.Drained;
            var phase = exited ? KillPhase.AfterExit : watch.Running.Task.IsCompletedSuccessfully ? KillPhase.Running : KillPhase.BeforeRunning;
            var ranFor = watch.Running.Task.IsCompletedSuccessfully ? at - watch.Running.Task.Result : TimeSpan.Zero;
            var report = new KillReport(number, at, phase, timing.Working > TimeSpan.Zero ? ranFor / timing.Working : 0, watch.LastLine);
            Reports.Add(report);
            Log(report.ToString());
        }

        return Reports[^1];
    }

    /// <summary>The next seeded kill moment, as a fraction of a run's working time (0 to 1.1: a little past its end).</summary>
    public double NextFraction() => _random.NextDouble() * 1.1;

    /// <summary>Records a kill made by the test itself (a process this harness did not start).</summary>
    public KillReport Record(TimeSpan afterStart, KillPhase phase, double fraction, string lastLine)
    {
        var report = new KillReport(Reports.Count + 1, afterStart, phase, fraction, lastLine);
        Reports.Add(report);
        Log(report.ToString());
        return report;
    }

    /// <summary>How many kills landed in each phase, for the test's output.</summary>
    public string Summary() => string.Join(", ", Enum.GetValues<KillPhase>().Select(p => $"{Reports.Count(r => r.Phase == p)} {p}"));

    private static async Task WaitOrExitAsync(Process process, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(delay), process.WaitForExitAsync());
        }
    }

    private static Watcher Watch(Process process, Func<string, bool> running, Stopwatch clock)
    {
        var watcher = new Watcher();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var open = 2;
        DataReceivedEventHandler handler = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                if (Interlocked.Decrement(ref open) == 0)
                {
                    ended.TrySetResult();
                }

                return;
            }

            watcher.Add(line);
            if (running(line))
            {
                watcher.Running.TrySetResult(clock.Elapsed);
            }
        };
        process.OutputDataReceived += handler;
        process.ErrorDataReceived += handler;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        watcher.Drained = ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return watcher;
    }

    private sealed class Watcher
    {
        private readonly StringBuilder _text = new();

        public TaskCompletionSource<TimeSpan> Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Drained { get; set; } = Task.CompletedTask;

        public string LastLine { get; private set; } = "";

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public void Add(string line)
        {
            lock (_text)
            {
                _text.AppendLine(line);
                LastLine = line;
            }
        }
    }
}

/// <summary>
/// A test that runs only when <c>ECOMOPS_HEAVY=1</c> (as <c>tests/reliability.sh</c> sets it), reported as skipped
/// otherwise: the crash tests' many-kill variants, too slow for every CI run.
/// </summary>
public sealed class HeavyFactAttribute : FactAttribute
{
    public HeavyFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ECOMOPS_HEAVY") != "1")
        {
            Skip = "Heavy (many kills): run tests/reliability.sh, or set ECOMOPS_HEAVY=1";
        }
    }
}

/// <summary>The CLI on a data root, started as its own process for a kill.</summary>
public static class CrashCli
{
    public static Func<Process> On(string dataRoot, params string[] args) => () => CliBinary.Start(["--data-root", dataRoot, .. args]);

    /// <summary>A progress line of the run's step saying it is running (the CLI prints one about once a second).</summary>
    public static Func<string, bool> StepRunning(string step) =>
        line => line.StartsWith(step + ":", StringComparison.Ordinal) && line.Contains("(Running)", StringComparison.Ordinal);
}
