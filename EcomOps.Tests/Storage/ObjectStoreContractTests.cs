using System.Security.Cryptography;
using System.Text;
using EcomOps.Core.Storage;

namespace EcomOps.Tests.Storage;

/// <summary>
/// What every <see cref="IObjectStore"/> does, run against each one (local folder, S3), so that code written
/// against one backend behaves the same on the other.
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    /// <summary>Over 20 MB, so that on S3 it spans several 5 MiB parts.</summary>
    protected const int LargeObjectBytes = 21 * 1000 * 1000 + 17;

    /// <summary>The store under test, empty at the start of each test.</summary>
    protected IObjectStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Write_IsInvisibleUntilCommit_ThenReadsBackExactly()
    {
        await using (var write = await Store.OpenWriteAsync("raw/a/file.csv"))
        {
            await write.Stream.WriteAsync("x,y\n1,2\n"u8.ToArray());
            Assert.Null(await Store.HeadAsync("raw/a/file.csv"));
            Assert.Empty((await Store.ListAsync()).Objects);
            var info = await write.CommitAsync();
            Assert.Equal(8, info.Size);
        }

        Assert.Equal("x,y\n1,2\n", await ReadAsync("raw/a/file.csv"));
    }

    [Fact]
    public async Task Write_DisposedWithoutCommit_LeavesThePreviousObject()
    {
        await PutAsync("raw/a/file.csv", "old");
        await using (var write = await Store.OpenWriteAsync("raw/a/file.csv"))
        {
            await write.Stream.WriteAsync("new and half"u8.ToArray());
        }

        Assert.Equal("old", await ReadAsync("raw/a/file.csv"));
        Assert.Equal(["raw/a/file.csv"], (await Store.ListAsync()).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Write_ReplacesAnExistingObjectWhole()
    {
        await PutAsync("raw/a.csv", "a much longer first version");

        await PutAsync("raw/a.csv", "short");

        Assert.Equal("short", await ReadAsync("raw/a.csv"));
        Assert.Equal(5, (await Store.HeadAsync("raw/a.csv"))!.Size);
    }

    [Fact]
    public async Task Write_OfEveryByteValue_ReadsBackByteExact()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Enumerable.Range(0, 256).Select(i => (byte)(255 - i))).ToArray();

        await PutAsync("bin/all-bytes.bin", bytes);

        Assert.Equal(bytes, await ReadBytesAsync("bin/all-bytes.bin"));
    }

    [Fact]
    public async Task Write_Empty_IsAnObjectOfSizeZero()
    {
        await PutAsync("raw/empty.csv", []);

        Assert.Equal(0, (await Store.HeadAsync("raw/empty.csv"))!.Size);
        Assert.Empty(await ReadBytesAsync("raw/empty.csv"));
    }

    [Fact]
    public async Task Write_LargeObjectInOddSizedChunks_ReadsBackByteExact()
    {
        var expected = PseudoRandomBytes(LargeObjectBytes, seed: 20240501);

        ObjectInfo info;
        await using (var write = await Store.OpenWriteAsync("parquet/big/part-0.bin"))
        {
            // Odd chunk sizes that never line up with a part boundary; sync and async writes alike, as
            // StreamWriter and the Parquet writer use both.
            int[] chunkSizes = [1, 7_919, 65_537, 1_048_573, 3, 2_999_999];
            var offset = 0;
            for (var i = 0; offset < expected.Length; i++)
            {
                var count = Math.Min(chunkSizes[i % chunkSizes.Length], expected.Length - offset);
                if (i % 2 == 0)
                {
                    await write.Stream.WriteAsync(expected.AsMemory(offset, count));
                }
                else
                {
                    write.Stream.Write(expected, offset, count);
                }

                offset += count;
            }

            Assert.Null(await Store.HeadAsync("parquet/big/part-0.bin"));
            info = await write.CommitAsync();
        }

        Assert.Equal(expected.Length, info.Size);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(expected)), Convert.ToHexString(SHA256.HashData(await ReadBytesAsync("parquet/big/part-0.bin"))));
    }

    [Fact]
    public async Task Commit_ReportsWhatHeadReports()
    {
        ObjectInfo committed;
        await using (var write = await Store.OpenWriteAsync("raw/c.csv"))
        {
            await write.Stream.WriteAsync("12345"u8.ToArray());
            committed = await write.CommitAsync();
        }

        var head = await Store.HeadAsync("raw/c.csv");

        Assert.Equal(committed, head);
        Assert.Equal("c.csv", head!.Name);
    }

    [Fact]
    public async Task Head_GivesSizeTimeAndETag_MissingIsNull()
    {
        await PutAsync("raw/h.csv", "hello");

        var info = await Store.HeadAsync("raw/h.csv");

        Assert.NotNull(info);
        Assert.Equal(5, info.Size);
        Assert.InRange(info.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.False(string.IsNullOrEmpty(info.ETag));
        Assert.Null(await Store.HeadAsync("raw/other.csv"));
    }

    [Fact]
    public async Task Head_ETagChangesWhenTheObjectIsReplaced()
    {
        await PutAsync("raw/e.csv", "first");
        var before = (await Store.HeadAsync("raw/e.csv"))!.ETag;

        await PutAsync("raw/e.csv", "second one");

        Assert.NotEqual(before, (await Store.HeadAsync("raw/e.csv"))!.ETag);
    }

    [Fact]
    public async Task List_WithDelimiter_RollsUpFolders()
    {
        await PutAsync("raw/customer_data/c.csv", "1");
        await PutAsync("raw/catalog_data/p.csv", "22");
        await PutAsync("raw/readme.txt", "333");
        await PutAsync("parquet/x.parquet", "4444");

        var listing = await Store.ListAsync("raw/", "/");

        Assert.Equal(["raw/readme.txt"], listing.Objects.Select(o => o.Key));
        Assert.Equal(["raw/catalog_data/", "raw/customer_data/"], listing.CommonPrefixes);
        Assert.Equal(4, (await Store.ListAsync()).Objects.Count);
        Assert.Equal(["raw/catalog_data/p.csv"], (await Store.ListAsync("raw/cat")).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task List_PrefixIsAStringMatch_NotAFolderName()
    {
        await PutAsync("raw/a.csv", "1");
        await PutAsync("raw/b/c.csv", "22");
        await PutAsync("rawish.txt", "333");
        await PutAsync("parquet/x.parquet", "4444");

        Assert.Equal(["raw/a.csv", "raw/b/c.csv", "rawish.txt"], (await Store.ListAsync("raw")).Objects.Select(o => o.Key));

        var rolledUp = await Store.ListAsync("raw", "/");
        Assert.Equal(["rawish.txt"], rolledUp.Objects.Select(o => o.Key));
        Assert.Equal(["raw/"], rolledUp.CommonPrefixes);

        var folder = await Store.ListAsync("raw/", "/");
        Assert.Equal(["raw/a.csv"], folder.Objects.Select(o => o.Key));
        Assert.Equal(["raw/b/"], folder.CommonPrefixes);

        var nothing = await Store.ListAsync("nothing/", "/");
        Assert.Empty(nothing.Objects);
        Assert.Empty(nothing.CommonPrefixes);
    }

    [Fact]
    public async Task List_GivesSizesInKeyOrder()
    {
        await PutAsync("b.csv", "22");
        await PutAsync("a/z.csv", "1");
        await PutAsync("B.csv", "333");

        var listing = await Store.ListAsync();

        Assert.Equal(["B.csv", "a/z.csv", "b.csv"], listing.Objects.Select(o => o.Key));
        Assert.Equal([3L, 1L, 2L], listing.Objects.Select(o => o.Size));
        Assert.Equal("", listing.Prefix);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/raw/")]
    [InlineData("raw//x")]
    public async Task List_BadPrefix_IsRefusedWithThePrefixNamed(string prefix)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListAsync(prefix));

        Assert.Contains($"'{prefix}'", error.Message);
    }

    [Fact]
    public async Task RangeRead_ReturnsJustThoseBytes()
    {
        await PutAsync("k.txt", "0123456789");

        Assert.Equal("3456", await ReadAsync("k.txt", new ByteRange(3, 4)));
        Assert.Equal("0", await ReadAsync("k.txt", new ByteRange(0, 1)));
    }

    [Fact]
    public async Task RangeRead_PastTheEnd_ReturnsWhatThereIs()
    {
        await PutAsync("k.txt", "0123456789");

        Assert.Equal("89", await ReadAsync("k.txt", new ByteRange(8, 100)));
        Assert.Equal("", await ReadAsync("k.txt", new ByteRange(20, 5)));
        Assert.Equal("", await ReadAsync("k.txt", new ByteRange(2, 0)));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("raw/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("raw/%2e%2e/%2e%2e/x")]
    [InlineData("raw\\x.csv")]
    [InlineData("raw//x.csv")]
    [InlineData("raw/x\u0001.csv")]
    [InlineData("raw/folder/")]
    [InlineData("")]
    public async Task BadKeys_AreRefusedWithTheKeyNamed_ByEveryOperation(string key)
    {
        await PutAsync("good.csv", "x");
        Func<Task>[] operations =
        [
            () => Store.OpenWriteAsync(key),
            () => Store.HeadAsync(key),
            () => Store.OpenReadAsync(key),
            () => Store.DeleteAsync(key),
            () => Store.CopyAsync("good.csv", key),
            () => Store.CopyAsync(key, "copy.csv"),
        ];

        foreach (var operation in operations)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(operation);
            Assert.Contains($"'{key}'", error.Message);
        }

        Assert.Equal(["good.csv"], (await Store.ListAsync()).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Delete_RemovesTheObject_MissingIsNotAnError()
    {
        await PutAsync("raw/a/b/c.csv", "x");

        await Store.DeleteAsync("raw/a/b/c.csv");
        await Store.DeleteAsync("raw/a/b/c.csv");
        await Store.DeleteAsync("never/there.csv");

        Assert.Null(await Store.HeadAsync("raw/a/b/c.csv"));
        Assert.Empty((await Store.ListAsync()).Objects);
    }

    [Fact]
    public async Task Copy_DuplicatesTheBytes_AndKeepsTheSource()
    {
        await PutAsync("a.csv", "abc");

        await Store.CopyAsync("a.csv", "b/a.csv");

        Assert.Equal("abc", await ReadAsync("b/a.csv"));
        Assert.Equal("abc", await ReadAsync("a.csv"));
    }

    [Fact]
    public async Task Copy_ReplacesAnExistingTarget()
    {
        await PutAsync("a.csv", "new");
        await PutAsync("b.csv", "old and longer");

        await Store.CopyAsync("a.csv", "b.csv");

        Assert.Equal("new", await ReadAsync("b.csv"));
    }

    [Fact]
    public async Task Copy_MissingSource_SaysWhichOne()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.CopyAsync("raw/none.csv", "raw/copy.csv"));

        Assert.Contains("'raw/none.csv'", error.Message);
        Assert.Null(await Store.HeadAsync("raw/copy.csv"));
    }

    [Fact]
    public async Task ReadingAMissingObject_SaysWhichOne()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("raw/none.csv"));

        Assert.Contains("'raw/none.csv'", error.Message);
        Assert.Equal("raw/none.csv", error.Key);
    }

    [Fact]
    public async Task ReadingAMissingRange_SaysWhichObject()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("raw/none.csv", new ByteRange(0, 10)));

        Assert.Contains("'raw/none.csv'", error.Message);
    }

    /// <summary>A new, empty store for one test.</summary>
    [Fact]
    public async Task ReadIfMatch_WithTheETagOfTheObject_ReadsTheRange()
    {
        await PutAsync("raw/a/versioned.csv", "0123456789");
        var info = (await Store.HeadAsync("raw/a/versioned.csv"))!;

        await using var stream = await Store.OpenReadIfMatchAsync(info.Key, info.ETag, new ByteRange(2, 5));
        using var reader = new StreamReader(stream);

        Assert.Equal("23456", await reader.ReadToEndAsync());
    }

    protected abstract Task<IObjectStore> CreateStoreAsync();

    protected Task PutAsync(string key, string text) => PutAsync(key, Encoding.UTF8.GetBytes(text));

    protected async Task PutAsync(string key, byte[] bytes)
    {
        await using var write = await Store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(bytes);
        await write.CommitAsync();
    }

    protected async Task<string> ReadAsync(string key, ByteRange? range = null) => Encoding.UTF8.GetString(await ReadBytesAsync(key, range));

    protected async Task<byte[]> ReadBytesAsync(string key, ByteRange? range = null)
    {
        await using var stream = await Store.OpenReadAsync(key, range);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    protected static byte[] PseudoRandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
