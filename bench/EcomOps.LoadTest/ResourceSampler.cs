using System.Diagnostics;
using System.Globalization;
using EcomOps.Bench;

namespace EcomOps.LoadTest;

/// <summary>One reading: when (on the run's clock), CPU used so far by the server, by this process and by its
/// child processes (the browsers), and the server's resident memory.</summary>
/// <param name="ServerHeap">The server's managed heap after its last collection (from <see cref="StartupHook"/>), or 0 if unknown.</param>
internal readonly record struct ResourceSample(TimeSpan At, TimeSpan ServerCpu, TimeSpan OwnCpu, TimeSpan BrowsersCpu, long ServerRss, long ServerHeap, int Gen2Collections);

/// <summary>Reads <c>/proc</c> every second until stopped: the server's CPU and RSS, the load generator's own CPU.</summary>
internal sealed class ResourceSampler(int serverProcessId, string gcFile, Stopwatch clock)
{
    private readonly List<ResourceSample> _samples = [];

    public IReadOnlyList<ResourceSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public ResourceSample Take()
    {
        var (heap, gen2) = LastHeapReading();
        var sample = new ResourceSample(
            clock.Elapsed,
            ProcStatus.CpuTime(serverProcessId) ?? TimeSpan.Zero,
            ProcStatus.CpuTime(Environment.ProcessId) ?? TimeSpan.Zero,
            DescendantsCpu(Environment.ProcessId),
            ProcStatus.ReadBytes(serverProcessId, "VmRSS:") ?? 0,
            heap,
            gen2);
        lock (_samples)
        {
            _samples.Add(sample);
        }

        return sample;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                Take();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: the last reading is taken by the caller.
        }
    }

    /// <summary>The reading nearest to <paramref name="at"/>.</summary>
    public ResourceSample At(TimeSpan at) => Samples.MinBy(s => (s.At - at).Duration());

    /// <summary>Has the server collect fully and returns its live managed bytes (see <see cref="StartupHook"/>), or null.</summary>
    public async Task<long?> LiveHeapAsync(CancellationToken cancellationToken)
    {
        var answers = StartupHook.LiveAnswers(gcFile);
        var before = File.Exists(answers) ? (await File.ReadAllLinesAsync(answers, cancellationToken)).Length : 0;
        await File.WriteAllTextAsync(StartupHook.LiveRequest(gcFile), "", cancellationToken);
        for (var waited = 0; waited < 200; waited++)
        {
            await Task.Delay(100, cancellationToken);
            var lines = File.Exists(answers) ? await File.ReadAllLinesAsync(answers, cancellationToken) : [];
            if (lines.Length > before)
            {
                return long.Parse(lines[^1], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private (long Heap, int Gen2) LastHeapReading()
    {
        try
        {
            using var stream = new FileStream(gcFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - 512), SeekOrigin.Begin);
            var lines = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var fields = lines.Length > 0 ? lines[^1].Split(' ') : [];
            return fields.Length >= 6 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var heap) && int.TryParse(fields[5], CultureInfo.InvariantCulture, out var gen2)
                ? (heap, gen2)
                : (0, 0);
        }
        catch (IOException)
        {
            // Not written yet (the hook starts with the app).
            return (0, 0);
        }
    }

    // The browsers (Chromium and Playwright's driver) are this process's descendants; the server is not (it is
    // excluded by id, since it is a child too).
    private TimeSpan DescendantsCpu(int root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return TimeSpan.Zero;
        }

        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var total = TimeSpan.Zero;
        foreach (var pid in parents.Keys)
        {
            if (pid != serverProcessId && IsDescendant(pid))
            {
                total += ProcStatus.CpuTime(pid) ?? TimeSpan.Zero;
            }
        }

        return total;

        bool IsDescendant(int pid)
        {
            for (var depth = 0; depth < 16 && parents.TryGetValue(pid, out var parent); depth++)
            {
                if (parent == serverProcessId)
                {
                    return false;
                }

                if (parent == root)
                {
                    return true;
                }

                pid = parent;
            }

            return false;
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
