using System.Diagnostics;

namespace EcomOps.Bench;

/// <summary>What a measured section used at most.</summary>
/// <param name="WorkingSetBytes">Peak resident set of the whole process during the section.</param>
/// <param name="ManagedHeapBytes">Largest managed heap size seen by sampling every <see cref="PeakMemory.SampleInterval"/>.</param>
/// <param name="SectionOnly">
/// True when the OS peak could be reset at the start of the section (Linux); otherwise the working set
/// figure is the process's peak since it started, which may come from an earlier section.
/// </param>
internal readonly record struct MemoryPeak(long WorkingSetBytes, long ManagedHeapBytes, bool SectionOnly);

/// <summary>
/// Measures peak memory of a section of code. On Linux it reads VmHWM from <c>/proc/self/status</c>, the
/// kernel's own high-water mark of resident memory, so even a spike between two samples is counted, and
/// resets it through <c>/proc/self/clear_refs</c> so each section gets its own peak. Elsewhere it falls back
/// to <see cref="Process.PeakWorkingSet64"/>. The managed heap has no OS peak, so a background thread samples it.
/// </summary>
internal sealed class PeakMemory : IDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(10);

    // The highest VmHWM seen just before a reset, so the whole run's peak survives the per-section resets.
    private static long s_peakBeforeResets;

    private readonly bool _sectionOnly;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _sampler;
    private long _managedPeak;

    private PeakMemory()
    {
        _sectionOnly = TryResetPeak();
        _managedPeak = GC.GetTotalMemory(forceFullCollection: false);

        // A dedicated thread, not the thread pool: the generator keeps both cores' pool threads busy, and a
        // starved sampler would miss the peak it is there to catch.
        _sampler = new Thread(Sample) { IsBackground = true, Name = "peak-memory sampler" };
        _sampler.Start();
    }

    /// <summary>Resident set now (VmRSS on Linux).</summary>
    public static long CurrentWorkingSet() => ReadStatusBytes("VmRSS:") ?? CurrentProcessValue(p => p.WorkingSet64);

    /// <summary>Peak resident set since start or the last reset (VmHWM on Linux).</summary>
    public static long PeakWorkingSet() => ReadStatusBytes("VmHWM:") ?? CurrentProcessValue(p => p.PeakWorkingSet64);

    /// <summary>Peak resident set of the process over its whole life so far, across section resets.</summary>
    public static long ProcessPeakWorkingSet() => Math.Max(Interlocked.Read(ref s_peakBeforeResets), PeakWorkingSet());

    /// <summary>Starts measuring; dispose or call <see cref="Stop"/> to end.</summary>
    public static PeakMemory Start() => new();

    public MemoryPeak Stop()
    {
        _stop.Set();
        _sampler.Join();
        var managed = Math.Max(Interlocked.Read(ref _managedPeak), GC.GetTotalMemory(forceFullCollection: false));
        return new MemoryPeak(PeakWorkingSet(), managed, _sectionOnly);
    }

    public void Dispose()
    {
        if (!_stop.IsSet)
        {
            _stop.Set();
            _sampler.Join();
        }

        _stop.Dispose();
    }

    private void Sample()
    {
        while (!_stop.Wait(SampleInterval))
        {
            var now = GC.GetTotalMemory(forceFullCollection: false);
            if (now > Interlocked.Read(ref _managedPeak))
            {
                Interlocked.Exchange(ref _managedPeak, now);
            }
        }
    }

    // Writing 5 to clear_refs resets the peak RSS to the current RSS (Linux 4.0+). A process may do this to itself.
    private static bool TryResetPeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var before = PeakWorkingSet();
        if (before > Interlocked.Read(ref s_peakBeforeResets))
        {
            Interlocked.Exchange(ref s_peakBeforeResets, before);
        }

        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatusBytes(string field)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB": the kernel always reports kB (KiB).
                var value = line[field.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    private static long CurrentProcessValue(Func<Process, long> read)
    {
        using var process = Process.GetCurrentProcess();
        return read(process);
    }
}
