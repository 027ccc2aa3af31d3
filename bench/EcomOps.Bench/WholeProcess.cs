using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EcomOps.Bench;

/// <summary>One whole process as the OS saw it: wall time from spawn to reaped, peak resident set, CPU time.</summary>
internal sealed record ProcessRun(double Seconds, long PeakRssBytes, double UserSeconds, double SystemSeconds);

/// <summary>
/// Runs a program as a new process and measures it from the outside, start-up and exit included. Linux only:
/// the process is spawned with <c>posix_spawn</c> (its output redirected to files, read back when it fails)
/// and reaped with <c>wait4</c>, which gives its CPU time. Its peak resident set is the kernel's high-water mark
/// (<c>VmHWM</c> in <c>/proc/PID/status</c>), read every <see cref="SampleInterval"/> by a dedicated thread while it
/// runs: a high-water mark, so a sample taken any time after the peak holds it, and only growth in the last
/// couple of milliseconds before exit could be missed. Not <c>ru_maxrss</c>: glibc's <c>posix_spawn</c> shares the
/// parent's memory until the <c>exec</c>, and the kernel then counts the parent's peak as the child's.
/// </summary>
internal static class WholeProcess
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(2);

    private const int EINTR = 4;
    private const int ORdOnly = 0;
    private const int OWrOnly = 1;
    private const int OCreat = 0x40;
    private const int OTrunc = 0x200;

    // glibc's posix_spawn_file_actions_t is 80 bytes on 64-bit Linux; more is harmless.
    private const int FileActionsBytes = 256;

    public static bool IsSupported => OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    /// <summary>Runs <paramref name="program"/> to its end; throws when it exits other than 0, with its error output.</summary>
    public static ProcessRun Run(string program, IReadOnlyList<string> arguments, string logPrefix)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("Whole-process measurement needs Linux (posix_spawn, wait4 and /proc).");
        }

        var stdout = logPrefix + ".out";
        var stderr = logPrefix + ".err";
        string?[] argv = [program, .. arguments, null];
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").Append(null).ToArray();
        var actions = Marshal.AllocHGlobal(FileActionsBytes);
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ORdOnly, 0), "posix_spawn_file_actions_addopen");
            Check(posix_spawn_file_actions_addopen(actions, 1, stdout, OWrOnly | OCreat | OTrunc, 0x1A4), "posix_spawn_file_actions_addopen");
            Check(posix_spawn_file_actions_addopen(actions, 2, stderr, OWrOnly | OCreat | OTrunc, 0x1A4), "posix_spawn_file_actions_addopen");

            var stopwatch = Stopwatch.StartNew();
            var error = posix_spawn(out var pid, program, actions, IntPtr.Zero, argv, environment);
            if (error != 0)
            {
                throw new InvalidOperationException($"Could not start {program}: posix_spawn returned errno {error}.");
            }

            using var sampler = new PeakSampler(pid);
            int status;
            RUsage usage;
            while (wait4(pid, out status, 0, out usage) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    throw new InvalidOperationException($"Could not wait for {program} (pid {pid}): wait4 failed with errno {errno}.");
                }
            }

            var elapsed = stopwatch.Elapsed;
            var peak = sampler.Stop();
            var exited = (status & 0x7f) == 0;
            var code = exited ? (status >> 8) & 0xff : -1;
            if (code != 0)
            {
                var detail = File.Exists(stderr) ? File.ReadAllText(stderr) : "";
                throw new InvalidOperationException(
                    $"{program} {string.Join(' ', arguments)} {(exited ? $"exited with code {code}" : $"was killed by signal {status & 0x7f}")}: {detail}");
            }

            return new ProcessRun(
                elapsed.TotalSeconds,
                peak,
                usage.UserSeconds + (usage.UserMicroseconds / 1e6),
                usage.SystemSeconds + (usage.SystemMicroseconds / 1e6));
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            Marshal.FreeHGlobal(actions);
        }
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{call} failed with errno {result}.");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_spawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, string?[] argv, string?[] envp);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr fileActions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(IntPtr fileActions, int fd, string path, int flags, int mode);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr fileActions);

    [DllImport("libc", SetLastError = true)]
    private static extern int wait4(int pid, out int status, int options, out RUsage usage);

    // struct rusage on 64-bit Linux: two timevals, then 14 longs.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKilobytes;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    /// <summary>Follows a child's VmHWM until it is reaped; a dedicated thread, so a busy thread pool cannot starve it.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly string _status;
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private long _peak;

        public PeakSampler(int pid)
        {
            _status = $"/proc/{pid}/status";
            _thread = new Thread(Sample) { IsBackground = true, Name = "child peak-memory sampler" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop.Set();
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose()
        {
            _stop.Set();
            _thread.Join();
            _stop.Dispose();
        }

        private void Sample()
        {
            do
            {
                try
                {
                    foreach (var line in File.ReadLines(_status))
                    {
                        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        {
                            var kilobytes = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                            if (kilobytes * 1024 > _peak)
                            {
                                Interlocked.Exchange(ref _peak, kilobytes * 1024);
                            }

                            break;
                        }
                    }
                }
                catch (IOException)
                {
                    // The child has exited (a zombie has no status to read, or the file is gone): nothing more to see.
                }
            }
            while (!_stop.Wait(SampleInterval));
        }
    }
}
