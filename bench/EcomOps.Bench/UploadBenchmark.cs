using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Lake;
using EcomOps.Tools;

namespace EcomOps.Bench;

/// <summary>
/// <c>upload</c>: throughput and peak memory of uploading a large CSV through <see cref="ILakeService.UploadAsync"/>
/// to the Local store and to s3rver, and whether every upload arrives byte-exact. This process generates the
/// files, runs s3rver and prints the report; each target and size is measured in a child process of its own
/// (<see cref="UploadChild"/>), so one measurement's heap cannot raise another's peak.
/// </summary>
internal static class UploadBenchmark
{
    public const string Command = "upload";

    public const string Usage = """
          upload [--size-mb N[,N...]] [--repeat K] [--targets local,s3rver]
            Uploads a generated transactions CSV of about N MB through the lake service (ILakeService.UploadAsync)
            K times to each target: the Local store, and s3rver (tools/s3rver, started on 127.0.0.1). Reports MB/s
            and peak memory above idle, each target and size measured in a process of its own, and checks every
            upload byte-exact (SHA-256). Defaults: 100,500 MB, 3 repeats, local,s3rver; everything in a temporary
            folder deleted afterwards (about 3 times the largest size of disk while running).
        """;

    private const string DefaultSizes = "100,500";
    private const int DefaultRepeat = 3;
    private const int MaxSizeMegabytes = 10_000;

    /// <summary>A first guess at a transactions_data row with its newline; <see cref="GenerateAsync"/> corrects it.</summary>
    private const double BytesPerTransactionRow = 55;

    /// <summary>The issue's target: memory flat and at most this much above idle, whatever the file size.</summary>
    private const long PeakAboveIdleTargetBytes = 100_000_000;

    /// <summary>
    /// "Flat": from the smallest to the largest file, the peak above idle may grow by at most this share of the
    /// added bytes, or <see cref="FlatToleranceBytes"/> if that is more. A store that held the file would grow by
    /// all of it; one that streams through fixed buffers grows by nothing but noise (GC timing, a retained buffer).
    /// </summary>
    private const double FlatToleranceShare = 0.05;

    /// <summary>One default S3 part (16 MiB): the unit the S3 store buffers in, so the coarsest noise that can show.</summary>
    private const long FlatToleranceBytes = 16 * 1024 * 1024;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        if (args.String("--child") is { } child)
        {
            return await UploadChild.RunAsync(child, args, cancellationToken).ConfigureAwait(false);
        }

        var sizes = ParseSizes(args.String("--size-mb") ?? DefaultSizes);
        var repeat = (int)args.Long("--repeat", DefaultRepeat, 1, 100);
        var targets = ParseTargets(args.String("--targets") ?? $"{UploadChild.Local},{UploadChild.S3rver}");
        var allowDebug = args.Flag("--allow-debug");
        args.EnsureAllUsed();

        // Ctrl+C is handled by Program; SIGTERM and SIGHUP (kill, timeout, a closed terminal) would otherwise end
        // the process at once, leaving s3rver running and gigabytes in the temporary folder.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? signalled = null;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        var token = stop.Token;

        var loadAtStart = MachineInfo.LoadAverage();
        var work = Directory.CreateTempSubdirectory("ecomops-upload-bench-");
        S3rverProcess? server = null;
        try
        {
            report.Heading(BenchReport.Text($"Files: transactions_data CSVs of about {string.Join(", ", sizes)} MB, generated once"));
            report.Line($"In {work.FullName}");
            var sources = new List<SourceFile>();
            foreach (var megabytes in sizes)
            {
                sources.Add(await GenerateAsync(megabytes, work.FullName, report, token).ConfigureAwait(false));
            }

            if (targets.Contains(UploadChild.S3rver))
            {
                server = await S3rverProcess.StartAsync(Path.Combine(work.FullName, "s3rver"), UploadChild.Bucket, token).ConfigureAwait(false);
                report.Line($"s3rver {S3rverVersion(server)} at {server.ServiceUrl} (process {server.ProcessId}), bucket {UploadChild.Bucket}");
            }

            var measured = new List<Measurement>();
            foreach (var target in targets)
            {
                foreach (var source in sources)
                {
                    report.Heading(BenchReport.Text($"{target}: {source.Bytes / 1e6:N1} MB, {repeat} uploads, in a process of its own"));
                    var result = await MeasureInChildAsync(target, source, repeat, work.FullName, server, allowDebug, report, token).ConfigureAwait(false);
                    if (result is not null)
                    {
                        measured.Add(new Measurement(source, result));
                    }
                }
            }

            if (measured.Count > 0)
            {
                PrintSummary(sizes, repeat, targets, measured, server, loadAtStart, report);
            }

            return report.AllChecksPassed ? 0 : 1;
        }
        catch (OperationCanceledException) when (signalled is not null)
        {
            report.Line($"Stopped by {signalled}: s3rver and the child process were stopped and the temporary folder removed.");
            return 1;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            RemoveFolder(work, report);
        }

        void Stop(PosixSignalContext context)
        {
            // Keep running long enough to clean up; the cancellation ends the work in progress.
            context.Cancel = true;
            signalled = context.Signal.ToString();
            stop.Cancel();
        }
    }

    private static IReadOnlyList<int> ParseSizes(string text)
    {
        var sizes = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var digits = part.Replace("_", "", StringComparison.Ordinal);
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) || megabytes is < 1 or > MaxSizeMegabytes)
            {
                throw new BenchArgumentException(BenchReport.Text(
                    $"--size-mb takes whole numbers of MB from 1 to {MaxSizeMegabytes:N0}, separated by commas (such as 100,500); got '{text}'."));
            }

            sizes.Add(megabytes);
        }

        return [.. sizes];
    }

    private static IReadOnlyList<string> ParseTargets(string text)
    {
        var targets = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part is not (UploadChild.Local or UploadChild.S3rver))
            {
                throw new BenchArgumentException($"--targets takes {UploadChild.Local}, {UploadChild.S3rver} or both, separated by a comma; got '{part}'.");
            }

            if (!targets.Contains(part))
            {
                targets.Add(part);
            }
        }

        return targets.Count > 0 ? targets : throw new BenchArgumentException("--targets names no target; use local, s3rver or local,s3rver.");
    }

    private static async Task<SourceFile> GenerateAsync(int megabytes, string work, BenchReport report, CancellationToken cancellationToken)
    {
        var target = megabytes * 1_000_000L;
        var rows = (long)Math.Round(target / BytesPerTransactionRow);
        var path = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"transactions_{megabytes}mb.csv"));
        var stopwatch = Stopwatch.StartNew();
        var bytes = await WriteTransactionsAsync(path, rows, cancellationToken).ConfigureAwait(false);

        // Rows get longer as ids gain digits, so the average differs between sizes; one corrected try lands
        // within a percent, which keeps "N MB" in the report true without generating in a loop.
        if (Math.Abs(bytes - target) > target / 50)
        {
            rows = (long)Math.Round(rows * (double)target / bytes);
            File.Delete(path);
            bytes = await WriteTransactionsAsync(path, rows, cancellationToken).ConfigureAwait(false);
        }

        var generated = stopwatch.Elapsed;
        await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken).ConfigureAwait(false));
        report.Line($"{Path.GetFileName(path)}: {rows:N0} rows, {bytes:N0} bytes ({bytes / 1e6:N1} MB), generated in {generated.TotalSeconds:N1} s, SHA-256 {sha256}");
        return new SourceFile(megabytes, path, bytes, sha256);
    }

    private static async Task<long> WriteTransactionsAsync(string path, long rows, CancellationToken cancellationToken)
    {
        var generator = new RowGenerator(new GenerationOptions(Transactions: rows));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        return await GeneratedCsv.WriteAsync(generator, DatasetRegistry.Transactions, rows, file, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one child process and returns what it measured, or null (with a FAIL) when it did not finish.</summary>
    private static async Task<UploadChildResult?> MeasureInChildAsync(
        string target, SourceFile source, int repeat, string work, S3rverProcess? server, bool allowDebug, BenchReport report, CancellationToken cancellationToken)
    {
        var name = BenchReport.Text($"{target} {source.Megabytes} MB");
        var resultPath = Path.Combine(work, $"result-{target}-{source.Megabytes}.json");
        var start = ChildStartInfo();
        foreach (var argument in new[]
        {
            Command, "--child", target, "--file", source.Path, "--sha256", source.Sha256,
            "--data-root", Path.Combine(work, $"{target}-{source.Megabytes}"), "--result", resultPath,
            "--repeat", repeat.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (target == UploadChild.S3rver)
        {
            start.ArgumentList.Add("--s3-url");
            start.ArgumentList.Add(server!.ServiceUrl);
            start.ArgumentList.Add("--s3-pid");
            start.ArgumentList.Add(server.ProcessId.ToString(CultureInfo.InvariantCulture));

            // The store takes credentials only from the AWS default chain, whose first link is these variables;
            // a session token, profile or instance role from the machine must not be mixed in.
            start.Environment["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey;
            start.Environment.Remove("AWS_SESSION_TOKEN");
            start.Environment.Remove("AWS_PROFILE");
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        }

        if (allowDebug)
        {
            start.ArgumentList.Add("--allow-debug");
        }

        // The child writes its progress lines straight to this console.
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the child process {start.FileName}.");
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C reaches the child too, but SIGTERM or a failure here does not: do not leave it uploading.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (process.ExitCode != 0 || !File.Exists(resultPath))
        {
            var why = process.ExitCode != 0 ? BenchReport.Text($"exited with code {process.ExitCode}") : "wrote no result";
            var serverOutput = target == UploadChild.S3rver ? Environment.NewLine + "s3rver's last lines:" + Environment.NewLine + server!.RecentOutput() : "";
            report.Check($"{name} measured", false, $"the child process {why}; its messages are above.{serverOutput}");
            return null;
        }

        var result = JsonSerializer.Deserialize<UploadChildResult>(await File.ReadAllTextAsync(resultPath, cancellationToken).ConfigureAwait(false), UploadChild.Json)
            ?? throw new InvalidDataException($"{resultPath} holds no result.");
        foreach (var upload in result.Repeats)
        {
            var exact = upload.Sha256 == source.Sha256 && upload.StoredBytes == source.Bytes;
            report.Check(
                BenchReport.Text($"{name} upload {upload.Repeat}/{repeat} byte-exact"),
                exact,
                exact
                    ? BenchReport.Text($"{upload.StoredBytes:N0} bytes, SHA-256 {upload.Sha256}")
                    : BenchReport.Text($"stored {upload.StoredBytes:N0} bytes with SHA-256 {upload.Sha256}; the file has {source.Bytes:N0} bytes, SHA-256 {source.Sha256}"));
        }

        return result;
    }

    /// <summary>This benchmark again: the apphost when run as one, else <c>dotnet EcomOps.Bench.dll</c>.</summary>
    private static ProcessStartInfo ChildStartInfo()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running, so cannot start a child process.");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(UploadBenchmark).Assembly.Location);
        }

        return start;
    }

    private static string S3rverVersion(S3rverProcess server)
    {
        var manifest = Path.Combine(server.Package, "node_modules", "s3rver", "package.json");
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        return json.RootElement.TryGetProperty("version", out var version) ? version.GetString() ?? "(unknown version)" : "(unknown version)";
    }

    private static void PrintSummary(
        IReadOnlyList<int> sizes, int repeat, IReadOnlyList<string> targets, List<Measurement> measured, S3rverProcess? server, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Upload benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(ILakeService).Assembly, loadAtStart).Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();
        var partSize = measured.Select(m => m.Result.PartSizeMB).FirstOrDefault(p => p is not null);
        report.Line($"`dotnet run -c Release --project bench/EcomOps.Bench -- upload --size-mb {string.Join(',', sizes)} --repeat {repeat} --targets {string.Join(',', targets)}`: a generated transactions_data CSV uploaded {repeat} times through `ILakeService.UploadAsync` (overwriting), each target and size in a process of its own. Local: the lake folder on this disk, fsync and rename at commit. s3rver: {(server is null ? "not run" : $"s3rver {S3rverVersion(server)} on 127.0.0.1")}, multipart with {(partSize is null ? "default" : BenchReport.Text($"{partSize} MiB"))} parts, chunked encoding off, path-style. The source file is read from the OS cache (just generated). MB/s covers the whole call, commit included; \"commit\" is the time after the last byte was handed to the store. Memory is the resident set (Linux VmHWM, reset before each upload): idle is the process with Core's services built, before uploading; \"above idle\" is the largest of the uploads, listed one by one after it (later ones also carry what the runtime kept from earlier ones). \"Code pages added\" is the growth of file-backed resident memory (RssFile), mostly assemblies mapped on first use: a one-time cost, inside \"above idle\". MB = 1,000,000 bytes.");
        report.Line();
        report.Table(
            [
                new("Target", Numeric: false), new("File MB"), new("Best MB/s"), new("Median MB/s"), new("Median s"), new("Median commit s"),
                new("Idle RSS MB"), new("Peak RSS MB"), new("Peak above idle MB"), new("Each upload above idle MB", Numeric: false),
                new("Code pages added MB"), new("Managed heap peak MB"), new("Median CPU s"),
                new("Median s3rver CPU s"), new("Byte-exact", Numeric: false),
            ],
            measured.Select(m =>
            {
                var uploads = m.Result.Repeats;
                var serverCpu = uploads.Where(u => u.ServerCpuSeconds is not null).Select(u => u.ServerCpuSeconds!.Value).ToArray();
                return (IReadOnlyList<string>)
                [
                    m.Result.Target,
                    BenchReport.Megabytes(m.Source.Bytes),
                    BenchReport.Fixed(uploads.Max(u => m.Source.Bytes / 1e6 / u.Seconds), 1),
                    BenchReport.Fixed(BenchReport.Median(uploads.Select(u => m.Source.Bytes / 1e6 / u.Seconds)), 1),
                    BenchReport.Fixed(BenchReport.Median(uploads.Select(u => u.Seconds)), 2),
                    BenchReport.Fixed(BenchReport.Median(uploads.Select(u => u.CommitSeconds)), 2),
                    BenchReport.Megabytes(m.Result.IdleWorkingSetBytes),
                    BenchReport.Megabytes(m.PeakWorkingSet),
                    BenchReport.Megabytes(m.PeakAboveIdle),
                    string.Join(" / ", uploads.Select(u => BenchReport.Megabytes(u.PeakWorkingSetBytes - m.Result.IdleWorkingSetBytes))),
                    m.FileBackedGrowth is { } code ? BenchReport.Megabytes(code) : "-",
                    BenchReport.Megabytes(uploads.Max(u => u.ManagedHeapPeakBytes)),
                    BenchReport.Fixed(BenchReport.Median(uploads.Select(u => u.CpuSeconds)), 2),
                    serverCpu.Length == 0 ? "-" : BenchReport.Fixed(BenchReport.Median(serverCpu), 2),
                    m.ByteExact ? BenchReport.Text($"{uploads.Count}/{uploads.Count}") : BenchReport.Text($"**{uploads.Count(u => u.Sha256 == m.Source.Sha256)}/{uploads.Count}**"),
                ];
            }));
        report.Line();
        if ((server is null ? null : ProcStatus.ReadBytes(server.ProcessId, "VmHWM:")) is { } serverPeak)
        {
            report.Line($"s3rver itself (node, not EcomOps, so outside the target) peaked at {BenchReport.Megabytes(serverPeak)} MB resident over the run.");
            report.Line();
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var group in measured.GroupBy(m => m.Result.Target))
        {
            var bySize = group.OrderBy(m => m.Source.Bytes).ToList();
            var worst = bySize.Max(m => m.PeakAboveIdle);
            rows.Add(
            [
                BenchReport.Text($"{group.Key}: peak memory above idle, every size"),
                "<= " + BenchReport.Count(PeakAboveIdleTargetBytes / 1_000_000) + " MB",
                string.Join(", ", bySize.Select(m => BenchReport.Text($"{BenchReport.Megabytes(m.PeakAboveIdle)} MB at {BenchReport.Count(m.Source.Megabytes)} MB"))),
                Verdict(worst <= PeakAboveIdleTargetBytes),
            ]);

            if (bySize.Count < 2)
            {
                rows.Add([BenchReport.Text($"{group.Key}: flat across sizes"), "one size only", "not judged", "-"]);
                continue;
            }

            var smallest = bySize[0];
            var largest = bySize[^1];
            var growth = largest.PeakAboveIdle - smallest.PeakAboveIdle;
            var allowed = Math.Max(FlatToleranceBytes, (long)(FlatToleranceShare * (largest.Source.Bytes - smallest.Source.Bytes)));
            rows.Add(
            [
                BenchReport.Text($"{group.Key}: flat across sizes"),
                BenchReport.Text($"grows <= {BenchReport.Megabytes(allowed)} MB from {BenchReport.Count(smallest.Source.Megabytes)} to {BenchReport.Count(largest.Source.Megabytes)} MB"),
                BenchReport.Text($"{(growth >= 0 ? "+" : "")}{BenchReport.Megabytes(growth)} MB"),
                Verdict(growth <= allowed),
            ]);
        }

        var uploadsTotal = measured.Sum(m => m.Result.Repeats.Count);
        var exactTotal = measured.Sum(m => m.Result.Repeats.Count(u => u.Sha256 == m.Source.Sha256 && u.StoredBytes == m.Source.Bytes));
        rows.Add(["Every upload byte-exact (SHA-256 read back)", "all", BenchReport.Text($"{exactTotal}/{uploadsTotal}"), Verdict(exactTotal == uploadsTotal)]);
        report.Table(
            [new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Result", Numeric: false)],
            rows);
    }

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static void RemoveFolder(DirectoryInfo folder, BenchReport report)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not worth failing a finished run for, but the user must know gigabytes were left behind.
            report.Line($"WARNING: could not remove the temporary folder {folder.FullName} ({e.Message}); delete it by hand.");
        }
    }

    private sealed record SourceFile(int Megabytes, string Path, long Bytes, string Sha256);

    private sealed record Measurement(SourceFile Source, UploadChildResult Result)
    {
        public long PeakWorkingSet => Result.Repeats.Max(u => u.PeakWorkingSetBytes);

        public long PeakAboveIdle => PeakWorkingSet - Result.IdleWorkingSetBytes;

        /// <summary>How much file-backed memory (mostly code) the uploads mapped beyond idle, or null where unknown.</summary>
        public long? FileBackedGrowth =>
            Result.IdleFileBackedBytes is { } idle && Result.Repeats.Max(u => u.FileBackedBytes) is { } most ? most - idle : null;

        public bool ByteExact => Result.Repeats.All(u => u.Sha256 == Source.Sha256 && u.StoredBytes == Source.Bytes);
    }
}
