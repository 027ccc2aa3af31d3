using System.Diagnostics;
using System.Text;
using EcomOps.Core.Storage;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Storage;

/// <summary>
/// Unfinished writes stay in the staging folder, never visible; the cleanup at start-up removes those of
/// processes that died, and leaves those of writes still in flight (the CLI and the dashboard share a data root).
/// </summary>
public sealed class LocalObjectStoreCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Staging => _dir.Combine("lake", ".staging");

    private LocalObjectStore Open() => new(_dir.Combine("lake", "bucket"), Staging);

    [Fact]
    public async Task CrashBetweenWriteAndRename_LeavesNoVisibleObject_AndTheNextStartCleansUp()
    {
        var store = Open();
        await PutAsync(store, "raw/a.csv", "old");

        // A process died after writing but before commit: its staging file names it, and it is gone.
        var dead = await DeadProcessAsync();
        var leftover = Path.Combine(Staging, LocalObjectStore.StagingFileName(dead.Pid, dead.StartedMs, Guid.NewGuid()));
        await File.WriteAllTextAsync(leftover, "new content that never finished");

        var restarted = Open();
        Assert.Equal(["raw/a.csv"], (await restarted.ListAsync()).Objects.Select(o => o.Key));
        Assert.Equal("old", await ReadAsync(restarted, "raw/a.csv"));

        restarted.CleanStaging();

        Assert.Empty(Directory.EnumerateFiles(Staging));
        Assert.Equal("old", await ReadAsync(restarted, "raw/a.csv"));
    }

    [Fact]
    public async Task CleanStaging_ByAnotherStoreInstance_KeepsAWriteInFlight_WhichThenCommits()
    {
        var writer = Open();
        await using var write = await writer.OpenWriteAsync("raw/b.csv");
        await write.Stream.WriteAsync("first half, "u8.ToArray());
        await write.Stream.FlushAsync();

        Open().CleanStaging();

        Assert.Single(Directory.EnumerateFiles(Staging));
        await write.Stream.WriteAsync("second half"u8.ToArray());
        await write.CommitAsync();
        Assert.Equal("first half, second half", await ReadAsync(writer, "raw/b.csv"));
    }

    [Fact]
    public async Task CleanStaging_AtStartUp_KeepsAnUploadInFlightInAnotherProcess()
    {
        // The CLI uploads from a named pipe that this test feeds: past the header check, its write is open
        // in the shared staging folder and waiting for more bytes.
        var dataRoot = _dir.Combine("data");
        var fifo = _dir.Combine("people.csv");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var rows = Enumerable.Range(1, 400_000).Select(i => $"{i},Name {i},e{i}@x.com,Chile,2024-01-01").ToList();
        var content = Encoding.UTF8.GetBytes(CsvCorpus.CustomersHeader + "\n" + string.Join('\n', rows) + "\n");
        using var upload = CliBinary.Start(["--data-root", dataRoot, "lake", "upload", fifo]);
        var stdout = upload.StandardOutput.ReadToEndAsync();
        var stderr = upload.StandardError.ReadToEndAsync();
        var staging = Path.Combine(dataRoot, "lake", ".staging");
        await using (var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            // More than the part the upload checks before it opens its write.
            var first = 9 * 1024 * 1024;
            await pipe.WriteAsync(content.AsMemory(0, first));
            await pipe.FlushAsync();
            var inFlight = await WaitForFileAsync(staging, upload);

            // The dashboard (or another CLI) starts on the same data root meanwhile.
            new LocalObjectStore(Path.Combine(dataRoot, "lake", "ecomops-lake"), staging).CleanStaging();

            Assert.True(File.Exists(inFlight), "The cleanup removed the staging file of an upload still in flight.");
            await pipe.WriteAsync(content.AsMemory(first));
        }

        await upload.WaitForExitAsync();
        Assert.True(upload.ExitCode == 0, await stderr);
        Assert.Contains("raw/customer_data/people.csv", await stdout);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(dataRoot, "lake", "ecomops-lake", "raw", "customer_data", "people.csv")));
    }

    /// <summary>The id and start time of a process that has exited.</summary>
    private static async Task<(int Pid, long StartedMs)> DeadProcessAsync()
    {
        using var process = Process.Start("sleep", ["60"]);
        var owner = (process.Id, LocalObjectStore.StartedMs(process));
        process.Kill();
        await process.WaitForExitAsync();
        return owner;
    }

    /// <summary>The first staging file to appear; fails if the process ends first.</summary>
    private static async Task<string> WaitForFileAsync(string folder, Process owner)
    {
        while (true)
        {
            if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.tmp").FirstOrDefault() is { } file)
            {
                return file;
            }

            Assert.False(owner.HasExited, "The upload ended before it opened its write.");
            await Task.Delay(20);
        }
    }

    private static async Task PutAsync(LocalObjectStore store, string key, string text)
    {
        await using var write = await store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await write.CommitAsync();
    }

    private static async Task<string> ReadAsync(LocalObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
