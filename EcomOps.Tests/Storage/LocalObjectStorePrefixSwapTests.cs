using System.Text;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Storage;

public sealed class LocalObjectStorePrefixSwapTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private LocalObjectStore _store;

    public LocalObjectStorePrefixSwapTests() => _store = Open();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Swap_ReplacesEveryObjectOfTheTarget_AndLeavesNothingStaged(bool exchange)
    {
        _store.ExchangeFolders = exchange;
        await PutAsync("out/a.txt", "old a");
        await PutAsync("out/sub/b.txt", "old b");
        await PutAsync("stage/run1/c.txt", "new c");
        await PutAsync("stage/run1/sub/d.txt", "new d");

        await _store.SwapPrefixAsync("stage/run1/", "out/", keepTargetObjects: false);

        Assert.Equal(["out/c.txt", "out/sub/d.txt"], await KeysAsync("out/"));
        Assert.Equal("new d", await ReadAsync("out/sub/d.txt"));
        Assert.Empty(await KeysAsync("stage/"));
        Assert.Empty(SwapLeftovers());
    }

    [Fact]
    public async Task Swap_IntoAMissingTarget_CreatesIt()
    {
        await PutAsync("stage/run1/c.txt", "new c");

        await _store.SwapPrefixAsync("stage/run1/", "out/first/", keepTargetObjects: false);

        Assert.Equal(["out/first/c.txt"], await KeysAsync("out/"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Swap_KeepingTargetObjects_AddsTheStagedOnes_AndAStagedObjectReplacesItsOldVersion(bool exchange)
    {
        _store.ExchangeFolders = exchange;
        await PutAsync("out/a.txt", "old a");
        await PutAsync("out/_manifest.json", "old manifest");
        await PutAsync("stage/run2/b.txt", "new b");
        await PutAsync("stage/run2/_manifest.json", "new manifest");

        await _store.SwapPrefixAsync("stage/run2/", "out/", keepTargetObjects: true);

        Assert.Equal(["out/_manifest.json", "out/a.txt", "out/b.txt"], await KeysAsync("out/"));
        Assert.Equal("old a", await ReadAsync("out/a.txt"));
        Assert.Equal("new manifest", await ReadAsync("out/_manifest.json"));
    }

    [Fact]
    public async Task Swap_WithNothingStaged_Throws_AndLeavesTheTargetAlone()
    {
        await PutAsync("out/a.txt", "old a");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.SwapPrefixAsync("stage/none/", "out/", keepTargetObjects: false));

        Assert.Contains("Nothing is staged under 'stage/none/'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["out/a.txt"], await KeysAsync("out/"));
    }

    [Fact]
    public async Task Recover_AfterACrashBetweenTheTwoRenames_PutsThePreviousFolderBack()
    {
        _store.ExchangeFolders = false;
        await PutAsync("out/a.txt", "old a");
        await PutAsync("stage/run1/c.txt", "new c");
        _store.OnSwapStep = step => Crash(step, "aside");

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _store.SwapPrefixAsync("stage/run1/", "out/", keepTargetObjects: false));
        Assert.Empty(await KeysAsync("out/"));

        var restarted = Open();
        var repaired = await restarted.RecoverPrefixSwapsAsync();

        Assert.Equal(1, repaired);
        Assert.Equal(["out/a.txt"], await KeysAsync("out/", restarted));
        Assert.Equal("old a", await ReadAsync("out/a.txt", restarted));
        Assert.Empty(await KeysAsync("stage/", restarted));
        Assert.Empty(SwapLeftovers());
    }

    [Theory]
    [InlineData(true, "exchanged")]
    [InlineData(false, "placed")]
    public async Task Recover_AfterACrashOnceTheNewFolderIsInPlace_KeepsIt_AndRemovesThePreviousOne(bool exchange, string step)
    {
        _store.ExchangeFolders = exchange;
        await PutAsync("out/a.txt", "old a");
        await PutAsync("stage/run1/c.txt", "new c");
        _store.OnSwapStep = s => Crash(s, step);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _store.SwapPrefixAsync("stage/run1/", "out/", keepTargetObjects: false));

        var restarted = Open();
        await restarted.RecoverPrefixSwapsAsync();

        Assert.Equal(["out/c.txt"], await KeysAsync("out/", restarted));
        Assert.Empty(await KeysAsync("stage/", restarted));
        Assert.Empty(SwapLeftovers());
    }

    [Fact]
    public async Task Recover_AfterACrashBeforeAnyRename_KeepsTheTarget_AndDropsTheStagedFolder()
    {
        await PutAsync("out/a.txt", "old a");
        await PutAsync("stage/run1/c.txt", "new c");
        _store.OnSwapStep = s => Crash(s, "journal");

        await Assert.ThrowsAsync<SimulatedCrashException>(() => _store.SwapPrefixAsync("stage/run1/", "out/", keepTargetObjects: false));

        var restarted = Open();
        await restarted.RecoverPrefixSwapsAsync();

        Assert.Equal(["out/a.txt"], await KeysAsync("out/", restarted));
        Assert.Empty(await KeysAsync("stage/", restarted));
        Assert.Empty(SwapLeftovers());
    }

    [Fact]
    public async Task Recover_WithNothingInterrupted_ChangesNothing()
    {
        await PutAsync("out/a.txt", "old a");

        Assert.Equal(0, await _store.RecoverPrefixSwapsAsync());
        Assert.Equal(["out/a.txt"], await KeysAsync("out/"));
    }

    private static void Crash(string step, string at)
    {
        if (step == at)
        {
            throw new SimulatedCrashException();
        }
    }

    private LocalObjectStore Open() => _store = new LocalObjectStore(_dir.Combine("lake"), _dir.Combine("lake.staging"));

    private IEnumerable<string> SwapLeftovers() =>
        Directory.Exists(_dir.Combine("lake.staging", "swaps")) ? Directory.EnumerateFileSystemEntries(_dir.Combine("lake.staging", "swaps")) : [];

    private async Task PutAsync(string key, string text)
    {
        await using var write = await _store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await write.CommitAsync();
    }

    private async Task<string> ReadAsync(string key, LocalObjectStore? store = null)
    {
        await using var stream = await (store ?? _store).OpenReadAsync(key);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<IReadOnlyList<string>> KeysAsync(string prefix, LocalObjectStore? store = null) =>
        [.. (await (store ?? _store).ListAsync(prefix)).Objects.Select(o => o.Key)];

    private sealed class SimulatedCrashException : Exception;
}
