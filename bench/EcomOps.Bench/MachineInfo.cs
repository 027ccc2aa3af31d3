using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace EcomOps.Bench;

/// <summary>What a result was measured on: figures mean little without the machine beside them.</summary>
internal static class MachineInfo
{
    /// <param name="loadAtStart">From <see cref="LoadAverage"/> before the benchmark ran, if known.</param>
    public static IReadOnlyList<(string Name, string Value)> Describe(Assembly measured, string? loadAtStart) =>
    [
        ("CPU", CpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString()),
        ("Processor count", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Memory available to .NET", BenchReport.Text($"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9:N1} GB")),
        ("OS", RuntimeInformation.OSDescription),
        (".NET", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})"),
        ("GC", $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode}"),
        ("Load average before the run (1/5/15 min)", loadAtStart ?? "unknown"),
        ("Measured build", $"{measured.GetName().Name} {VersionOf(measured)}, {(BuildCheck.IsOptimized(measured) ? "Release" : "Debug")}"),
    ];

    // The SDK appends the commit to the informational version (1.0.0+<sha>), which ties a result to the code.
    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown version";

    /// <summary>
    /// The 1, 5 and 15 minute load averages (Linux), or null. Read before a run: on a shared machine a load
    /// near the core count means other work competed for the CPU and the rates are low.
    /// </summary>
    public static string? LoadAverage()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/loadavg"))
        {
            return null;
        }

        var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3 ? string.Join(" / ", fields.Take(3)) : null;
    }

    private static string? CpuModel()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo"))
        {
            return null;
        }

        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
