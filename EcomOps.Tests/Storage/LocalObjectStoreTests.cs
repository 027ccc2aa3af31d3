using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Storage;

/// <summary>The shared object store behaviour on a local folder, plus what only a folder has (staging files, empty folders).</summary>
public sealed class LocalObjectStoreTests : ObjectStoreContractTests
{
    private readonly TempDirectory _dir = new();

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Write_DisposedWithoutCommit_LeavesNoStagingFile()
    {
        await using (var write = await Store.OpenWriteAsync("raw/a/file.csv"))
        {
            await write.Stream.WriteAsync("new and half"u8.ToArray());
        }

        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("lake", ".staging")));
    }

    [Fact]
    public async Task ReadIfMatch_AfterTheObjectWasReplaced_FailsWithObjectChanged()
    {
        await PutAsync("raw/a/versioned.csv", "first version");
        var first = (await Store.HeadAsync("raw/a/versioned.csv"))!;
        await PutAsync("raw/a/versioned.csv", "the second version");

        var error = await Assert.ThrowsAsync<ObjectChangedException>(() => Store.OpenReadIfMatchAsync(first.Key, first.ETag, new ByteRange(0, 5)));

        Assert.Contains("'raw/a/versioned.csv'", error.Message);
        Assert.Contains("changed while it was being read", error.Message);
    }

    [Fact]
    public async Task BadKeys_LeaveNothingInTheLakeFolder()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenWriteAsync("raw/../../x"));

        Assert.False(Directory.Exists(_dir.Combine("lake", "bucket")) && Directory.EnumerateFileSystemEntries(_dir.Combine("lake", "bucket")).Any());
    }

    [Fact]
    public async Task Delete_RemovesFoldersLeftEmpty()
    {
        await PutAsync("raw/a/b/c.csv", "x");

        await Store.DeleteAsync("raw/a/b/c.csv");

        Assert.False(Directory.Exists(_dir.Combine("lake", "bucket", "raw")));
    }

    protected override Task<IObjectStore> CreateStoreAsync() =>
        Task.FromResult<IObjectStore>(new LocalObjectStore(_dir.Combine("lake", "bucket"), _dir.Combine("lake", ".staging")));
}
