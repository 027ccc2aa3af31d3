using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EcomOps.Core;
using EcomOps.Core.Datasets;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Bench;

/// <summary>
/// The measuring side of <c>upload</c>: one process per target and file size, started by
/// <see cref="UploadBenchmark"/> with the hidden option <c>--child</c>, so each gets its own idle and peak
/// memory instead of inheriting the previous run's heap. It builds Core's services the way the app does
/// (<c>AddEcomOpsCore</c> over a configuration), uploads the file through <see cref="ILakeService.UploadAsync"/>
/// K times, reads each result back to hash it, and writes its figures to a JSON file for the parent.
/// </summary>
internal static class UploadChild
{
    public const string Local = "local";

    public const string S3rver = "s3rver";

    /// <summary>The lake bucket: the local folder's name, and the bucket s3rver is started with.</summary>
    public const string Bucket = "ecomops-bench-lake";

    /// <summary>A region to sign for; s3rver accepts any.</summary>
    private const string SigningRegion = "us-east-1";

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string target, BenchArguments args, CancellationToken cancellationToken)
    {
        var file = Required(args, "--file");
        var expectedSha256 = Required(args, "--sha256");
        var dataRoot = Required(args, "--data-root");
        var resultPath = Required(args, "--result");
        var repeat = (int)args.Long("--repeat", 3, 1, 100);
        var serviceUrl = args.String("--s3-url");
        var serverProcessId = (int)args.Long("--s3-pid", 0, 0, int.MaxValue);
        args.EnsureAllUsed();
        if (target is not (Local or S3rver) || (target == S3rver && serviceUrl is null))
        {
            throw new BenchArgumentException($"--child is '{target}'; it takes {Local}, or {S3rver} with --s3-url.");
        }

        var size = new FileInfo(file).Length;
        await using var services = BuildServices(target, dataRoot, size, serviceUrl);
        var lake = services.GetRequiredService<ILakeService>();
        var store = services.GetRequiredService<IObjectStore>();
        var partSizeMB = target == S3rver ? services.GetRequiredService<IOptions<S3StoreOptions>>().Value.PartSizeMB : (int?)null;

        // Idle is the app as it would sit waiting for an upload: runtime and Core's services loaded, the
        // store (and for S3 its client) built, nothing uploaded yet. What the upload adds is above this.
        Collect();
        var idle = PeakMemory.CurrentWorkingSet();
        var idleFileBacked = ProcStatus.ReadBytes(Environment.ProcessId, "RssFile:");

        var request = new UploadRequest(Path.GetFileName(file), DatasetRegistry.Transactions.Name, Overwrite: true, Size: size);
        var repeats = new List<UploadRepeatResult>();
        string? key = null;
        using var self = Process.GetCurrentProcess();
        for (var r = 1; r <= repeat; r++)
        {
            // The previous repeat's garbage is collected first, so it is not counted in this one's peak.
            Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            var serverCpuBefore = serverProcessId > 0 ? ProcStatus.CpuTime(serverProcessId) : null;

            ObjectInfo info;
            TimeSpan elapsed;
            MemoryPeak peak;
            var progress = new LastByteProgress(size);
            using (var memory = PeakMemory.Start())
            {
                // Opened as the CLI opens it (File.OpenRead), and inside the measured section, as it is there.
                await using (var content = File.OpenRead(file))
                {
                    progress.Start();
                    info = await lake.UploadAsync(request, content, progress, cancellationToken).ConfigureAwait(false);
                    elapsed = progress.Elapsed;
                }

                peak = memory.Stop();
            }

            // File-backed pages are mostly assemblies' code mapped on first use (HTTP, XML, the SDK): a one-time
            // cost that the first upload pays, told apart here from the buffers an upload holds.
            var fileBacked = ProcStatus.ReadBytes(Environment.ProcessId, "RssFile:");

            self.Refresh();
            var cpu = self.TotalProcessorTime - cpuBefore;
            var serverCpu = serverCpuBefore is { } before && ProcStatus.CpuTime(serverProcessId) is { } after ? after - before : (TimeSpan?)null;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            key = info.Key;

            // Read back outside the measured section: the target is about uploading, and this read is only the proof.
            var reading = Stopwatch.StartNew();
            string sha256;
            await using (var back = await store.OpenReadAsync(info.Key, null, cancellationToken).ConfigureAwait(false))
            {
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(back, cancellationToken).ConfigureAwait(false));
            }

            var result = new UploadRepeatResult(
                r, elapsed.TotalSeconds, progress.StreamedAt.TotalSeconds, peak.WorkingSetBytes, peak.ManagedHeapBytes, peak.SectionOnly,
                allocated, fileBacked, cpu.TotalSeconds, serverCpu?.TotalSeconds, reading.Elapsed.TotalSeconds, info.Size, sha256);
            repeats.Add(result);
            Console.Out.WriteLine(BenchReport.Text(
                $"{target} {size / 1e6:N1} MB repeat {r}/{repeat}: {result.Seconds:N2} s (streamed {result.StreamedSeconds:N2} s + commit {result.CommitSeconds:N2} s) = {size / 1e6 / result.Seconds:N1} MB/s; peak RSS {peak.WorkingSetBytes / 1e6:N1} MB ({(peak.WorkingSetBytes - idle) / 1e6:+0.0;-0.0} MB above idle {idle / 1e6:N1} MB), managed heap peak {peak.ManagedHeapBytes / 1e6:N1} MB, allocated {allocated / 1e6:N1} MB, code pages {(fileBacked - idleFileBacked) / 1e6:+0.0;-0.0} MB; CPU {cpu.TotalSeconds:N2} s{(serverCpu is { } s ? BenchReport.Text($", s3rver CPU {s.TotalSeconds:N2} s") : "")}; read back in {reading.Elapsed.TotalSeconds:N2} s, SHA-256 {(sha256 == expectedSha256 ? "matches" : "DIFFERS")}"));
        }

        var processPeak = PeakMemory.ProcessPeakWorkingSet();

        // The object is only the benchmark's: removing it keeps disk use to one copy per target at a time.
        if (key is not null)
        {
            await lake.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var childResult = new UploadChildResult(target, lake.StoreName, size, idle, idleFileBacked, processPeak, partSizeMB, repeats);
        await File.WriteAllTextAsync(resultPath, JsonSerializer.Serialize(childResult, Json), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static ServiceProvider BuildServices(string target, string dataRoot, long fileBytes, string? serviceUrl)
    {
        var settings = new Dictionary<string, string?>
        {
            ["EcomOps:DataRoot"] = dataRoot,
            ["EcomOps:LakeBucket"] = Bucket,
            ["EcomOps:SeedSampleData"] = "false",

            // The default limit (2 GiB) stays unless the file is larger: the limit is checked while streaming either way.
            ["EcomOps:MaxUploadBytes"] = Math.Max(new EcomOpsOptions().MaxUploadBytes, fileBytes).ToString(CultureInfo.InvariantCulture),
        };
        if (target == S3rver)
        {
            // As a deployment against an S3-compatible server is configured. Credentials come from the AWS default
            // chain, which the parent pointed at s3rver's account through AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
            settings["EcomOps:Backend"] = nameof(Backend.Aws);
            settings["EcomOps:S3:ServiceUrl"] = serviceUrl;
            settings["EcomOps:S3:Region"] = SigningRegion;
            settings["EcomOps:S3:ForcePathStyle"] = "true";

            // s3rver stores aws-chunked framing as data (TOOLING.md); the byte-exact check would catch it.
            settings["EcomOps:S3:DisableChunkedEncoding"] = "true";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddEcomOpsCore(configuration)
            .BuildServiceProvider();
    }

    private static string Required(BenchArguments args, string name) =>
        args.String(name) ?? throw new BenchArgumentException($"The upload child process needs {name}; it is started by 'upload', not by hand.");

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// Times an upload and notes when its last byte was handed to the store, so the figures can tell
    /// streaming apart from the commit (fsync and rename locally; last part, completion and HEAD on S3).
    /// Reports arrive on the uploading thread, synchronously, unlike <see cref="Progress{T}"/>.
    /// </summary>
    private sealed class LastByteProgress(long size) : IProgress<UploadProgress>
    {
        private readonly Stopwatch _stopwatch = new();

        public TimeSpan Elapsed => _stopwatch.Elapsed;

        public TimeSpan StreamedAt { get; private set; }

        public void Start() => _stopwatch.Start();

        public void Report(UploadProgress value)
        {
            if (value.Bytes >= size && StreamedAt == TimeSpan.Zero)
            {
                StreamedAt = _stopwatch.Elapsed;
            }
        }
    }
}

/// <summary>What one child process measured: one target, one file, every repeat.</summary>
/// <param name="IdleWorkingSetBytes">Resident set with Core's services built, before the first upload.</param>
/// <param name="IdleFileBackedBytes">The file-backed part of it (Linux RssFile), or null where unknown.</param>
/// <param name="ProcessPeakWorkingSetBytes">The process's peak resident set over its whole life, read-backs included.</param>
/// <param name="PartSizeMB">The S3 multipart part size in MiB, or null for the local store.</param>
internal sealed record UploadChildResult(
    string Target,
    string StoreName,
    long FileBytes,
    long IdleWorkingSetBytes,
    long? IdleFileBackedBytes,
    long ProcessPeakWorkingSetBytes,
    int? PartSizeMB,
    IReadOnlyList<UploadRepeatResult> Repeats);

/// <summary>One upload.</summary>
/// <param name="Seconds">The whole <see cref="ILakeService.UploadAsync"/> call, commit included.</param>
/// <param name="StreamedSeconds">When the last byte had been handed to the store.</param>
/// <param name="PeakWorkingSetBytes">Peak resident set during the upload (VmHWM, reset at its start on Linux).</param>
/// <param name="FileBackedBytes">File-backed resident memory (Linux RssFile) after the upload, or null where unknown.</param>
/// <param name="CpuSeconds">CPU time of the uploading process, all threads.</param>
/// <param name="ServerCpuSeconds">CPU time of the s3rver process meanwhile, or null.</param>
/// <param name="StoredBytes">The size the store reports for the committed object.</param>
/// <param name="Sha256">Of the object as read back from the store.</param>
internal sealed record UploadRepeatResult(
    int Repeat,
    double Seconds,
    double StreamedSeconds,
    long PeakWorkingSetBytes,
    long ManagedHeapPeakBytes,
    bool PeakSectionOnly,
    long AllocatedBytes,
    long? FileBackedBytes,
    double CpuSeconds,
    double? ServerCpuSeconds,
    double ReadBackSeconds,
    long StoredBytes,
    string Sha256)
{
    public double CommitSeconds => Seconds - StreamedSeconds;
}
