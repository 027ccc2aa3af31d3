using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Tests.Conversion;

/// <summary>
/// The commit without an <see cref="IAtomicPrefixSwap"/> (S3): files copied into place, the manifest as the commit
/// point, old files deleted, <c>_SUCCESS</c> last. Run here over the local store seen only through
/// <see cref="IObjectStore"/>, by a converter given no folder swap (as the Aws backend registers it).
/// </summary>
public sealed class CopyCommitTests : IDisposable
{
    private static readonly DatasetSchema Transactions = DatasetRegistry.Transactions;

    private readonly ConversionLake _lake = new();
    private readonly ParquetConverter _copying = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Convert_Overwrite_ReplacesTheFiles_WritesManifestAndSuccess_AndLeavesNothingStaged()
    {
        var store = new ObjectStoreOnly(_lake.Store);
        await _lake.GenerateAsync(Transactions, 1_000);
        var first = await _copying.ConvertAsync(ConversionLake.Request(Transactions), store);
        await _lake.GenerateAsync(Transactions, 3_000, seed: 9);

        var second = await _copying.ConvertAsync(ConversionLake.Request(Transactions) with { Partitioning = Partitioning.Month }, store);

        Assert.False(File.Exists(_lake.PathOf(first.Files[0].Key)));
        Assert.Equal(
            ["_SUCCESS", "_manifest.json", .. second.Files.Select(f => f.Key["parquet/transactions_data/".Length..])],
            _lake.FilesOf(Transactions));
        Assert.Equal(second.Files.Select(f => f.Key), (await ConversionManifest.ReadAsync(store, Transactions.Name))!.Files.Select(f => f.Key));
        Assert.Equal(3_000, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions, hive: true)}"));
        Assert.Empty((await store.ListAsync(ParquetConverter.StagingRoot)).Objects);
    }

    [Fact]
    public async Task Convert_Append_KeepsTheFilesOfEarlierRuns()
    {
        var store = new ObjectStoreOnly(_lake.Store);
        await _lake.GenerateAsync(Transactions, 1_000);
        await _copying.ConvertAsync(ConversionLake.Request(Transactions), store);

        var second = await _copying.ConvertAsync(ConversionLake.Request(Transactions) with { Mode = ConversionMode.Append }, store);

        Assert.Equal(2_000, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
        var manifest = (await ConversionManifest.ReadAsync(store, Transactions.Name))!;
        Assert.Equal(2, manifest.Files.Count);
        Assert.Equal(2_000, manifest.TotalRows);
        Assert.Contains(manifest.Files, f => f.Key == second.Files[0].Key);
    }

    [Fact]
    public async Task Recover_ACommitThatDiedAfterItsManifest_DeletesTheOldFiles_AndWritesSuccess()
    {
        var first = await ConvertAsync(1_000);
        await _lake.GenerateAsync(Transactions, 2_000, seed: 9);
        var dying = new ObjectStoreOnly(_lake.Store) { FailOnDelete = key => key == first.Files[0].Key };

        await Assert.ThrowsAsync<IOException>(() => _copying.ConvertAsync(ConversionLake.Request(Transactions), dying));
        Assert.False(File.Exists(_lake.PathOf("parquet/transactions_data/_SUCCESS")), "readers waiting for _SUCCESS keep waiting");

        var repairs = await ParquetConverter.RecoverAsync(new ObjectStoreOnly(_lake.Store));

        Assert.Equal(1, repairs);
        Assert.True(File.Exists(_lake.PathOf("parquet/transactions_data/_SUCCESS")));
        Assert.False(File.Exists(_lake.PathOf(first.Files[0].Key)));
        Assert.Equal(2_000, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
    }

    [Fact]
    public async Task Recover_ACommitThatDiedBeforeItsManifest_DeletesTheCopiedFiles_AndKeepsThePreviousOutput()
    {
        var first = await ConvertAsync(1_000);
        await _lake.GenerateAsync(Transactions, 2_000, seed: 9);
        var dying = new ObjectStoreOnly(_lake.Store) { FailOnWrite = key => key.EndsWith("/" + ConversionManifest.FileName, StringComparison.Ordinal) && !key.StartsWith("_staging", StringComparison.Ordinal) };

        await Assert.ThrowsAsync<IOException>(() => _copying.ConvertAsync(ConversionLake.Request(Transactions), dying));
        var interrupted = _lake.FilesOf(Transactions);
        Assert.DoesNotContain("_SUCCESS", interrupted);
        Assert.Equal(3, interrupted.Count);

        await ParquetConverter.RecoverAsync(new ObjectStoreOnly(_lake.Store));

        Assert.Equal(["_SUCCESS", "_manifest.json", first.Files[0].Key["parquet/transactions_data/".Length..]], _lake.FilesOf(Transactions));
        Assert.Equal(1_000, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
    }

    private async Task<ConversionResult> ConvertAsync(long rows)
    {
        await _lake.GenerateAsync(Transactions, rows);
        return await _copying.ConvertAsync(ConversionLake.Request(Transactions), new ObjectStoreOnly(_lake.Store));
    }

    /// <summary>The local store through <see cref="IObjectStore"/> alone, as S3 is; it can be told to fail a write or a delete.</summary>
    private sealed class ObjectStoreOnly(IObjectStore inner) : IObjectStore
    {
        public Func<string, bool> FailOnWrite { get; init; } = _ => false;

        public Func<string, bool> FailOnDelete { get; init; } = _ => false;

        public string DisplayName => inner.DisplayName;

        public Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, delimiter, cancellationToken);

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, range, cancellationToken);

        public Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default) =>
            inner.OpenReadIfMatchAsync(key, eTag, range, cancellationToken);

        public Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default) =>
            FailOnWrite(key) ? throw new IOException($"connection reset writing {key} (simulated)") : inner.OpenWriteAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            FailOnDelete(key) ? throw new IOException($"connection reset deleting {key} (simulated)") : inner.DeleteAsync(key, cancellationToken);

        public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);
    }
}
