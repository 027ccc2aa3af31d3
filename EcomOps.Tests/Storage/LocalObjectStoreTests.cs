using System.Text;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Storage;

public sealed class LocalObjectStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LocalObjectStore _store;

    public LocalObjectStoreTests() => _store = new LocalObjectStore(_dir.Combine("lake", "bucket"), _dir.Combine("lake", ".staging"));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Write_IsInvisibleUntilCommit_ThenReadsBackExactly()
    {
        await using (var write = await _store.OpenWriteAsync("raw/a/file.csv"))
        {
            await write.Stream.WriteAsync("x,y\n1,2\n"u8.ToArray());
            Assert.Null(await _store.HeadAsync("raw/a/file.csv"));
            Assert.Empty((await _store.ListAsync()).Objects);
            var info = await write.CommitAsync();
            Assert.Equal(8, info.Size);
        }

        Assert.Equal("x,y\n1,2\n", await ReadAsync("raw/a/file.csv"));
    }

    [Fact]
    public async Task Write_DisposedWithoutCommit_LeavesThePreviousObjectAndNoStagingFile()
    {
        await PutAsync("raw/a/file.csv", "old");
        await using (var write = await _store.OpenWriteAsync("raw/a/file.csv"))
        {
            await write.Stream.WriteAsync("new and half"u8.ToArray());
        }

        Assert.Equal("old", await ReadAsync("raw/a/file.csv"));
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("lake", ".staging")));
    }

    [Fact]
    public async Task List_WithDelimiter_RollsUpFolders()
    {
        await PutAsync("raw/customer_data/c.csv", "1");
        await PutAsync("raw/catalog_data/p.csv", "22");
        await PutAsync("raw/readme.txt", "333");
        await PutAsync("parquet/x.parquet", "4444");

        var listing = await _store.ListAsync("raw/", "/");

        Assert.Equal(["raw/readme.txt"], listing.Objects.Select(o => o.Key));
        Assert.Equal(["raw/catalog_data/", "raw/customer_data/"], listing.CommonPrefixes);
        Assert.Equal(4, (await _store.ListAsync()).Objects.Count);
        Assert.Equal(["raw/catalog_data/p.csv"], (await _store.ListAsync("raw/cat")).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task RangeRead_ReturnsJustThoseBytes()
    {
        await PutAsync("k.txt", "0123456789");

        await using var stream = await _store.OpenReadAsync("k.txt", new ByteRange(3, 4));
        using var reader = new StreamReader(stream);

        Assert.Equal("3456", await reader.ReadToEndAsync());
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("raw/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("raw/%2e%2e/%2e%2e/x")]
    [InlineData("raw\\x.csv")]
    [InlineData("raw//x.csv")]
    [InlineData("raw/x\u0001.csv")]
    [InlineData("")]
    public async Task BadKeys_AreRefusedWithTheKeyNamed(string key)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenWriteAsync(key));

        Assert.Contains($"'{key}'", error.Message);
        Assert.False(Directory.Exists(_dir.Combine("lake", "bucket")) && Directory.EnumerateFileSystemEntries(_dir.Combine("lake", "bucket")).Any());
    }

    [Fact]
    public async Task Delete_RemovesTheObjectAndEmptyFolders_MissingIsNotAnError()
    {
        await PutAsync("raw/a/b/c.csv", "x");

        await _store.DeleteAsync("raw/a/b/c.csv");
        await _store.DeleteAsync("raw/a/b/c.csv");

        Assert.Null(await _store.HeadAsync("raw/a/b/c.csv"));
        Assert.False(Directory.Exists(_dir.Combine("lake", "bucket", "raw")));
    }

    [Fact]
    public async Task Copy_DuplicatesTheBytes()
    {
        await PutAsync("a.csv", "abc");

        await _store.CopyAsync("a.csv", "b/a.csv");

        Assert.Equal("abc", await ReadAsync("b/a.csv"));
    }

    [Fact]
    public async Task ReadingAMissingObject_SaysWhichOne()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync("raw/none.csv"));

        Assert.Contains("'raw/none.csv'", error.Message);
    }

    private async Task PutAsync(string key, string text)
    {
        await using var write = await _store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await write.CommitAsync();
    }

    private async Task<string> ReadAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
