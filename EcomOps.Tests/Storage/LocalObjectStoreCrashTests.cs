using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Storage;

public sealed class LocalObjectStoreCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CrashBetweenWriteAndRename_LeavesNoVisibleObject_AndTheNextStartCleansUp()
    {
        var store = new LocalObjectStore(_dir.Combine("lake", "bucket"), _dir.Combine("lake", ".staging"));
        await PutAsync(store, "raw/a.csv", "old");

        // The process "dies" after writing but before commit: the write is never committed nor disposed.
        var write = await store.OpenWriteAsync("raw/a.csv");
        await write.Stream.WriteAsync("new content that never finished"u8.ToArray());
        await write.Stream.FlushAsync();

        var restarted = new LocalObjectStore(_dir.Combine("lake", "bucket"), _dir.Combine("lake", ".staging"));
        Assert.Equal(["raw/a.csv"], (await restarted.ListAsync()).Objects.Select(o => o.Key));
        Assert.Equal("old", await ReadAsync(restarted, "raw/a.csv"));
        Assert.Single(Directory.EnumerateFiles(_dir.Combine("lake", ".staging")));

        restarted.CleanStaging();

        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("lake", ".staging")));
        Assert.Equal("old", await ReadAsync(restarted, "raw/a.csv"));
        write.Stream.Dispose();
    }

    private static async Task PutAsync(LocalObjectStore store, string key, string text)
    {
        await using var write = await store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
        await write.CommitAsync();
    }

    private static async Task<string> ReadAsync(LocalObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
