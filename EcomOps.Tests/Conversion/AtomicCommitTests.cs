using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Tests.Conversion;

public sealed class AtomicCommitTests : IDisposable
{
    private static readonly DatasetSchema Transactions = DatasetRegistry.Transactions;

    private readonly ConversionLake _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Convert_CancelledMidRun_LeavesThePreviousOutputIntactAndReadable_AndNoStagedFiles()
    {
        var previous = await ConvertPreviousAsync(1_000);
        await _lake.GenerateAsync(Transactions, 600_000, seed: 9);
        using var cancel = new CancellationTokenSource();
        var written = 0L;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _lake.ConvertAsync(
            ConversionLake.Request(Transactions) with { RowGroupRows = 20_000 },
            progress =>
            {
                // Cancel once row groups are already staged, so there is something to clean up.
                written = progress.RowsWritten;
                if (progress.RowsWritten >= 40_000)
                {
                    cancel.Cancel();
                }
            },
            cancel.Token));

        Assert.InRange(written, 40_000, 599_999);
        await AssertPreviousOutputAsync(previous, 1_000);
        Assert.False(Directory.Exists(_lake.PathOf("quarantine")), "a cancelled run leaves no quarantine file");
    }

    [Fact]
    public async Task Convert_WhenTheStoreFailsMidRun_ReportsThatError_AndLeavesThePreviousOutputIntact()
    {
        var previous = await ConvertPreviousAsync(1_000);
        await _lake.GenerateAsync(Transactions, 30_000, seed: 9);
        var store = new FailingStore(_lake.Store, failWritesAfterBytes: 200_000);

        var error = await Assert.ThrowsAsync<IOException>(() => _lake.Converter.ConvertAsync(
            ConversionLake.Request(Transactions) with { RowGroupRows = 5_000, Partitioning = Partitioning.Month },
            store));

        Assert.Equal("No space left on device (simulated)", error.Message);
        await AssertPreviousOutputAsync(previous, 1_000);
    }

    [Fact]
    public async Task Convert_Append_AddsTheNewFiles_AndTheManifestListsEveryFile()
    {
        var first = await ConvertPreviousAsync(1_000);
        await _lake.GenerateAsync(Transactions, 500, seed: 9);
        var request = ConversionLake.Request(Transactions) with { Mode = ConversionMode.Append, Compression = ParquetCompression.Gzip };

        var second = await _lake.ConvertAsync(request);

        var dataFiles = _lake.FilesOf(Transactions).Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).Select(f => "parquet/transactions_data/" + f);
        Assert.Equal(first.Files.Concat(second.Files).Select(f => f.Key).Order(StringComparer.Ordinal), dataFiles);
        Assert.Equal(1_500, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));

        var manifest = (await ConversionManifest.ReadAsync(_lake.Store, Transactions.Name))!;
        Assert.Equal(request.RunId, manifest.RunId);
        Assert.Equal("append", manifest.Mode);
        Assert.Equal(1_500, manifest.TotalRows);
        Assert.Equal(
            [(first.Files[0].Key, 1_000L, "snappy"), (second.Files[0].Key, 500L, "gzip")],
            manifest.Files.Select(f => (f.Key, f.Rows, f.Compression)));
        Assert.Equal(manifest.Files.Sum(f => new FileInfo(_lake.PathOf(f.Key)).Length), manifest.TotalBytes);
        Assert.True(File.Exists(_lake.PathOf("parquet/transactions_data/_SUCCESS")));
    }

    [Fact]
    public async Task Convert_Append_WithOtherPartitioning_IsRefused_AndChangesNothing()
    {
        await ConvertPreviousAsync(1_000);
        var before = _lake.FilesOf(Transactions);

        var error = await Assert.ThrowsAsync<ConversionFailedException>(() => _lake.ConvertAsync(
            ConversionLake.Request(Transactions) with { Mode = ConversionMode.Append, Partitioning = Partitioning.Month }));

        Assert.Equal(
            "Cannot append to transactions_data: its Parquet is partitioned 'none' and this run asks for 'month', which readers cannot mix. Append with partitioning 'none', or overwrite.",
            error.Message);
        Assert.Equal(before, _lake.FilesOf(Transactions));
    }

    [Fact]
    public async Task Convert_Overwrite_ReplacesEveryPreviousFile()
    {
        var first = await ConvertPreviousAsync(1_000);
        await _lake.GenerateAsync(Transactions, 700, seed: 9);

        var second = await _lake.ConvertAsync(ConversionLake.Request(Transactions) with { Partitioning = Partitioning.Month });

        Assert.False(File.Exists(_lake.PathOf(first.Files[0].Key)));
        Assert.Equal(second.Files.Count + 2, _lake.FilesOf(Transactions).Count);
        Assert.Equal(700, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
        Assert.Equal(second.Files.Select(f => f.Key), (await ConversionManifest.ReadAsync(_lake.Store, Transactions.Name))!.Files.Select(f => f.Key));
    }

    [Fact]
    public async Task Convert_AHeaderOnlyFile_CommitsAnEmptyFileWithTheSchema()
    {
        await _lake.PutAsync(Transactions.RawKey, Lake.CsvCorpus.Lines(Lake.CsvCorpus.TransactionsHeader));

        var result = await _lake.ConvertAsync(ConversionLake.Request(Transactions));

        Assert.Equal(0, result.RowsWritten);
        Assert.Equal(0, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
        Assert.Equal(Transactions.Columns.Select(c => c.DuckDbType), _lake.Duck.Rows($"DESCRIBE SELECT * FROM {_lake.ReadParquet(Transactions)}").Select(r => (string)r[1]!));
    }

    [Fact]
    public async Task CrashDuringTheCommit_RecoverAtStartUp_RestoresThePreviousOutput_AndRemovesStaging()
    {
        var previous = await ConvertPreviousAsync(1_000);
        await _lake.GenerateAsync(Transactions, 2_000, seed: 9);

        // The process dies between taking the live folder aside and putting the new one in place.
        _lake.Store.ExchangeFolders = false;
        _lake.Store.OnSwapStep = step =>
        {
            if (step == "aside")
            {
                throw new InvalidOperationException("simulated crash");
            }
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => _lake.ConvertAsync(ConversionLake.Request(Transactions)));
        Assert.Empty(_lake.FilesOf(Transactions));

        var restarted = _lake.Reopen();
        var repairs = await ParquetConverter.RecoverAsync(restarted, restarted);

        Assert.True(repairs >= 1);
        await AssertPreviousOutputAsync(previous, 1_000);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_lake.StagingDirectory, "swaps")));
    }

    [Fact]
    public async Task Recover_RemovesFilesStagedByARunThatDiedBeforeItsCommit()
    {
        var previous = await ConvertPreviousAsync(1_000);
        await _lake.PutAsync($"{ParquetConverter.StagingRoot}transactions_data/{Guid.NewGuid()}/part-x.parquet", "half a file");

        var reopened = _lake.Reopen();
        await ParquetConverter.RecoverAsync(reopened, reopened);

        await AssertPreviousOutputAsync(previous, 1_000);
    }

    [Fact]
    public async Task Convert_EveryDatasetAtOnceOnOneLake_AllCommit_RoundAfterRound()
    {
        // The job runner converts two datasets at a time; one run's cleanup of empty staging folders once raced
        // with another creating them (about 1 conversion in 20 failed).
        foreach (var dataset in DatasetRegistry.All)
        {
            await _lake.GenerateAsync(dataset, 300);
        }

        for (var round = 0; round < 25; round++)
        {
            var results = await Task.WhenAll(DatasetRegistry.All.Select(d => Task.Run(() => _lake.ConvertAsync(ConversionLake.Request(d)))));

            Assert.All(results, r => Assert.Equal(300, r.RowsWritten));
        }

        foreach (var dataset in DatasetRegistry.All)
        {
            Assert.Equal(300, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(dataset)}"));
        }

        Assert.DoesNotContain(_lake.AllFiles(), f => f.Contains("_staging", StringComparison.Ordinal));
    }

    private async Task<ConversionResult> ConvertPreviousAsync(long rows)
    {
        await _lake.GenerateAsync(Transactions, rows);
        return await _lake.ConvertAsync(ConversionLake.Request(Transactions));
    }

    // What a reader of the lake sees: exactly the previous run's files, readable, and nothing staged.
    private async Task AssertPreviousOutputAsync(ConversionResult previous, long rows)
    {
        Assert.Equal(
            ["_SUCCESS", "_manifest.json", .. previous.Files.Select(f => f.Key["parquet/transactions_data/".Length..])],
            _lake.FilesOf(Transactions));
        var manifest = await ConversionManifest.ReadAsync(_lake.Store, Transactions.Name);
        Assert.Equal(previous.Files.Select(f => f.Key), manifest!.Files.Select(f => f.Key));
        Assert.Equal(rows, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(Transactions)}"));
        Assert.DoesNotContain(_lake.AllFiles(), f => f.Contains("_staging", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal) || f.Contains(".previous", StringComparison.Ordinal));
    }

    /// <summary>The local store, but the disk "fills up" once this many bytes have been written through it.</summary>
    private sealed class FailingStore(LocalObjectStore inner, long failWritesAfterBytes) : IObjectStore, IAtomicPrefixSwap
    {
        private long _written;

        public string DisplayName => inner.DisplayName;

        public Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, delimiter, cancellationToken);

        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, range, cancellationToken);

        public Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default) =>
            inner.OpenReadIfMatchAsync(key, eTag, range, cancellationToken);

        public async Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default) =>
            new Write(this, await inner.OpenWriteAsync(key, cancellationToken));

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default) => inner.CopyAsync(sourceKey, targetKey, cancellationToken);

        public Task SwapPrefixAsync(string stagingPrefix, string targetPrefix, bool keepTargetObjects, CancellationToken cancellationToken = default) =>
            inner.SwapPrefixAsync(stagingPrefix, targetPrefix, keepTargetObjects, cancellationToken);

        public Task<int> RecoverPrefixSwapsAsync(CancellationToken cancellationToken = default) => inner.RecoverPrefixSwapsAsync(cancellationToken);

        private void Count(int bytes)
        {
            if (Interlocked.Add(ref _written, bytes) > failWritesAfterBytes)
            {
                throw new IOException("No space left on device (simulated)");
            }
        }

        private sealed class Write(FailingStore store, IObjectWrite inner) : IObjectWrite
        {
            public string Key => inner.Key;

            public Stream Stream { get; } = new CountingWriteStream(store, inner.Stream);

            public Task<ObjectInfo> CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        private sealed class CountingWriteStream(FailingStore store, Stream inner) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => inner.Length;

            public override long Position
            {
                get => inner.Position;
                set => throw new NotSupportedException();
            }

            public override void Flush() => inner.Flush();

            public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer)
            {
                store.Count(buffer.Length);
                inner.Write(buffer);
            }

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                store.Count(buffer.Length);
                await inner.WriteAsync(buffer, cancellationToken);
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }
    }
}
