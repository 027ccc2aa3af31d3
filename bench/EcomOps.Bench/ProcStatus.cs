using System.Globalization;

namespace EcomOps.Bench;

/// <summary>
/// Figures about another process from Linux's <c>/proc</c> (such as the s3rver node process, which the
/// benchmark does not run in-process). Every method returns null where <c>/proc</c> is missing or the
/// process has gone, so the report says "unknown" instead of failing the run.
/// </summary>
internal static class ProcStatus
{
    /// <summary>A "kB" field of <c>/proc/PID/status</c> (VmRSS, VmHWM), in bytes.</summary>
    public static long? ReadBytes(int processId, string field)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/status");
        var lines = TryReadLines(path);
        var line = lines?.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        // "VmHWM:	  123456 kB": the kernel always reports kB (KiB).
        var value = line[field.Length..].Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return long.TryParse(space < 0 ? value : value[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
    }

    /// <summary>
    /// CPU time (user + system) the process has used so far, all its threads, from <c>/proc/PID/stat</c>.
    /// Its unit is USER_HZ, which Linux fixes at 100 per second on every architecture .NET runs on.
    /// </summary>
    public static TimeSpan? CpuTime(int processId)
    {
        const double TicksPerSecond = 100;
        var path = string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/stat");
        var line = TryReadLines(path)?.FirstOrDefault();

        // The name in parentheses (field 2) may hold spaces; count fields after its closing ')', where field 3 is first.
        var fields = line?[(line.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: > 12 }
            || !long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return TimeSpan.FromSeconds((user + system) / TicksPerSecond);
    }

    private static string[]? TryReadLines(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited between two readings, or /proc is not mounted: the figure is unknown.
            return null;
        }
    }
}
