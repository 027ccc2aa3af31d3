using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops lake ...</c>: list, upload, preview, download and delete lake objects.</summary>
internal static class LakeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => new("lake", "Browse and change the lake (local folder or S3)")
    {
        List(stdout, stderr),
        Upload(stdout, stderr),
        Preview(stdout, stderr),
        Get(stdout, stderr),
        Remove(stdout, stderr),
    };

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "Folder to list, such as raw/ or raw/customer_data/", DefaultValueFactory = _ => "" };
        var command = new Command("ls", "List one folder level: sub-folders with their total size, then objects") { prefix };
        command.SetAction((parsed, token) => RunAsync(parsed, stderr, async services =>
        {
            var folder = await services.GetRequiredService<ILakeService>().BrowseAsync(parsed.GetValue(prefix) ?? "", token);
            foreach (var sub in folder.Folders)
            {
                await stdout.WriteLineAsync(Invariant($"{"PRE",-19} {sub.TotalBytes,14:N0}  {sub.Prefix}  ({sub.ObjectCount:N0} objects)"));
            }

            foreach (var item in folder.Objects)
            {
                await stdout.WriteLineAsync(Invariant($"{item.LastModified.UtcDateTime:yyyy-MM-dd HH:mm:ss} {item.Size,14:N0}  {item.Key}"));
            }

            await stderr.WriteLineAsync(Invariant($"{folder.TotalObjects:N0} objects, {folder.TotalBytes:N0} bytes under '{folder.Prefix}' in {services.GetRequiredService<ILakeService>().StoreName}"));
            return 0;
        }));
        return command;
    }

    private static Command Upload(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("FILE") { Description = "CSV files to upload", Arity = ArgumentArity.OneOrMore };
        var dataset = new Option<string?>("--dataset") { Description = "customer_data, catalog_data or transactions_data (default: recognized from the header)" };
        var key = new Option<string?>("--key") { Description = "Object key (one file only); default raw/<dataset>/<file name>" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing object" };
        var acceptBadRows = new Option<bool>("--accept-bad-rows") { Description = "Upload even if some of the first 1,000 rows have bad values (they are quarantined at conversion)" };
        var command = new Command("upload", "Upload CSVs into the lake, after checking header and first rows") { files, dataset, key, overwrite, acceptBadRows };
        command.SetAction((parsed, token) => RunAsync(parsed, stderr, async services =>
        {
            var paths = parsed.GetValue(files) ?? [];
            if (paths.Length > 1 && parsed.GetValue(key) is not null)
            {
                await stderr.WriteLineAsync("error: --key names one object; upload one file at a time with it.");
                return CliApp.UsageError;
            }

            var lake = services.GetRequiredService<ILakeService>();

            // The files of one command are one upload: too many, or too large together, and none is sent.
            lake.CheckUploadBatch(paths.Where(File.Exists).Select(p => new UploadRequest(Path.GetFileName(p), Size: new FileInfo(p).Length)).ToList());
            var failed = false;
            var workFailed = false;
            var cancelled = false;
            foreach (var path in paths)
            {
                if (!File.Exists(path))
                {
                    await stderr.WriteLineAsync($"error: no file '{path}'.");
                    failed = true;
                    continue;
                }

                var request = new UploadRequest(Path.GetFileName(path), parsed.GetValue(dataset), parsed.GetValue(key), parsed.GetValue(overwrite), parsed.GetValue(acceptBadRows), new FileInfo(path).Length);
                try
                {
                    // A regular file is refused before a run starts, as the dashboard refuses before its upload run.
                    // A pipe (<(gunzip -c f.gz), a named pipe) can be read only once: the run checks it as it reads,
                    // and this handle stays open until then, so the writer never sees the pipe closed.
                    await using var source = File.OpenRead(path);
                    if (source.CanSeek)
                    {
                        var check = await lake.CheckUploadAsync(request, source, token);
                        if (check.RefusalFor(request) is { } refusal)
                        {
                            throw new UploadRejectedException(refusal, check.Inspection);
                        }
                    }

                    var run = lake.StartUpload(source.CanSeek ? request : request with { Size = null }, path);
                    var finished = (await RunWatcher.WaitAsync(services.GetRequiredService<IJobRunner>(), [run], stderr, token))[0];
                    if (finished.Status != JobStatus.Succeeded)
                    {
                        await stderr.WriteLineAsync($"error: {TerminalText.Visible(finished.Error, keepLines: true)} (run {finished.Id})");
                        cancelled |= finished.Status == JobStatus.Cancelled;
                        workFailed = true;
                        continue;
                    }

                    var output = finished.Outputs.Single();
                    await stdout.WriteLineAsync(Invariant($"{output.Location}\t{output.Bytes} bytes"));
                }
                catch (UploadRejectedException e)
                {
                    await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                    foreach (var problem in e.Inspection?.BadRows.Skip(5) ?? [])
                    {
                        await stderr.WriteLineAsync($"  {problem}");
                    }

                    failed = true;
                }
            }

            if (cancelled)
            {
                return CliApp.Cancelled;
            }

            if (workFailed)
            {
                return CliApp.Failure;
            }

            return failed ? CliApp.UsageError : 0;
        }));
        return command;
    }

    private static Command Preview(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("KEY") { Description = "Object key, such as raw/customer_data/customer_data.csv" };
        var rows = new Option<int>("--rows") { Description = "Rows to show (1..1000)", DefaultValueFactory = _ => 20 };
        var command = new Command("preview", "Show the first rows of a CSV or Parquet object with column types") { key, rows };
        command.SetAction((parsed, token) => RunAsync(parsed, stderr, async services =>
        {
            var count = parsed.GetValue(rows);
            if (count is < 1 or > 1000)
            {
                await stderr.WriteLineAsync($"error: --rows must be between 1 and 1000; got {count}.");
                return CliApp.UsageError;
            }

            var preview = await services.GetRequiredService<ILakeService>().PreviewAsync(parsed.GetValue(key)!, count, token);
            var table = new List<IReadOnlyList<string>> { preview.Columns.Select(c => c.Name).ToArray(), preview.Columns.Select(c => c.Type).ToArray() };
            table.AddRange(preview.Rows);
            var widths = preview.Columns.Select((_, i) => table.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
            foreach (var row in table)
            {
                await stdout.WriteLineAsync(string.Join("  ", row.Select((v, i) => i < widths.Length ? v.PadRight(widths[i]) : v)).TrimEnd());
            }

            var rowsText = preview.RowCount is { } total ? Invariant($"{total:N0} rows") : "row count not known yet (counting in the background)";
            await stderr.WriteLineAsync(Invariant($"{preview.Object.Key}: {preview.Format}, {preview.Object.Size:N0} bytes, {rowsText}, modified {preview.Object.LastModified.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"));
            if (preview.Note is not null)
            {
                await stderr.WriteLineAsync(preview.Note);
            }

            return 0;
        }));
        return command;
    }

    private static Command Get(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("KEY") { Description = "Object key" };
        var output = new Option<string?>("--out") { Description = "File to write (default: the object's name in the current folder; - for stdout)" };
        var command = new Command("get", "Download an object") { key, output };
        command.SetAction((parsed, token) => RunAsync(parsed, stderr, async services =>
        {
            var store = services.GetRequiredService<IObjectStore>();
            var name = parsed.GetValue(key)!;
            await using var source = await store.OpenReadAsync(name, null, token);
            var target = parsed.GetValue(output) ?? name.Split('/')[^1];
            if (target == "-")
            {
                await using var console = Console.OpenStandardOutput();
                await source.CopyToAsync(console, token);
                return 0;
            }

            var temp = target + ".part";
            await using (var file = File.Create(temp))
            {
                await source.CopyToAsync(file, token);
            }

            File.Move(temp, target, overwrite: true);
            await stdout.WriteLineAsync(Invariant($"{Path.GetFullPath(target)}\t{new FileInfo(target).Length} bytes"));
            return 0;
        }));
        return command;
    }

    private static Command Remove(TextWriter stdout, TextWriter stderr)
    {
        var key = new Argument<string>("KEY") { Description = "Object key" };
        var command = new Command("rm", "Delete an object") { key };
        command.SetAction((parsed, token) => RunAsync(parsed, stderr, async services =>
        {
            var name = parsed.GetValue(key)!;
            if (await services.GetRequiredService<IObjectStore>().HeadAsync(name, token) is null)
            {
                await stderr.WriteLineAsync($"error: no object '{name}' in the lake; nothing deleted.");
                return CliApp.UsageError;
            }

            await services.GetRequiredService<ILakeService>().DeleteAsync(name, token);
            await stdout.WriteLineAsync($"deleted {name}");
            return 0;
        }));
        return command;
    }

    /// <summary>Runs a lake command with Core's services; bad keys and missing objects are usage errors.</summary>
    private static async Task<int> RunAsync(ParseResult parsed, TextWriter stderr, Func<IServiceProvider, Task<int>> action)
    {
        await using var services = CliApp.Services(parsed);
        try
        {
            return await action(services);
        }
        catch (Exception e) when (e is ArgumentException or ObjectNotFoundException or UploadRejectedException)
        {
            await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
            return CliApp.UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
            return CliApp.Failure;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Upload progress on stderr, at most once a second and at the end.</summary>
    private sealed class ByteProgress(TextWriter stderr, string file) : IProgress<UploadProgress>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private TimeSpan? _last;

        public void Report(UploadProgress value)
        {
            var now = _clock.Elapsed;
            var done = value.TotalBytes == value.Bytes;
            if (!done && _last is { } last && now - last < TimeSpan.FromSeconds(1))
            {
                return;
            }

            _last = now;
            var percent = value.TotalBytes is > 0 ? Invariant($" ({100.0 * value.Bytes / value.TotalBytes.Value:0}%)") : "";
            stderr.WriteLine(Invariant($"{file}: {value.Bytes / 1e6:0.0} MB{percent}, {value.Bytes / 1e6 / Math.Max(now.TotalSeconds, 1e-3):0.0} MB/s"));
        }
    }
}
