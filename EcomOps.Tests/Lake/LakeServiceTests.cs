using System.Text;
using EcomOps.Core;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Tests.Lake;

public sealed class LakeServiceTests : IDisposable
{
    private readonly CoreHost _host = new();

    private ILakeService Lake => _host.Get<ILakeService>();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Upload_RecognizesTheDataset_AndLandsInRaw()
    {
        var info = await Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good));

        Assert.Equal("raw/customer_data/people.csv", info.Key);
        Assert.Equal(CsvCorpus.Good, await File.ReadAllBytesAsync(Path.Combine(_host.LakePath, "raw", "customer_data", "people.csv")));
    }

    [Theory]
    [MemberData(nameof(CsvCorpus.Malformed), MemberType = typeof(CsvCorpus))]
    public async Task Upload_OfAMalformedFile_IsRefusedWithItsMessage_AndTheLakeIsUnchanged(string name, byte[] content, string message, bool refused)
    {
        await Lake.UploadAsync(new UploadRequest("existing.csv"), new MemoryStream(CsvCorpus.Good));
        var before = Snapshot();

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Lake.UploadAsync(new UploadRequest($"{name}.csv"), new MemoryStream(content)));

        Assert.Contains(message, error.Message);
        Assert.Contains("Nothing was uploaded", error.Message);
        Assert.Equal(refused, error.Inspection?.Refused ?? true);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Upload_WithBadRows_GoesThroughWhenTheUserAccepts()
    {
        var content = CsvCorpus.Lines(CsvCorpus.CustomersHeader, "1,a,a@x.com,c,2024-01-01", "2,b,b@x.com,c,not-a-date");

        var info = await Lake.UploadAsync(new UploadRequest("some-bad.csv", AcceptBadRows: true), new MemoryStream(content));

        Assert.Equal(content.Length, info.Size);
    }

    [Fact]
    public async Task Upload_OverAnExistingObject_NeedsConfirmation()
    {
        await Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good));
        var changed = CsvCorpus.Lines(CsvCorpus.CustomersHeader, "9,Z,z@x.com,c,2024-01-01");

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(changed)));
        Assert.Contains("'raw/customer_data/people.csv' already exists", error.Message);
        Assert.Equal(CsvCorpus.Good, await File.ReadAllBytesAsync(Path.Combine(_host.LakePath, "raw", "customer_data", "people.csv")));

        await Lake.UploadAsync(new UploadRequest("people.csv", Overwrite: true), new MemoryStream(changed));
        Assert.Equal(changed, await File.ReadAllBytesAsync(Path.Combine(_host.LakePath, "raw", "customer_data", "people.csv")));
    }

    [Theory]
    [InlineData(5_000, 200)]
    [InlineData(9_000_000, 400_000)]
    public async Task Upload_OverTheSizeLimit_IsRefused_AndNothingIsLeft(long limit, int rows)
    {
        // The second case is larger than the part checked up front, so the limit stops it while streaming.
        using var host = new CoreHost(configuration: new() { ["EcomOps:MaxUploadBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var lake = host.Get<ILakeService>();
        var lines = new List<string> { CsvCorpus.CustomersHeader };
        lines.AddRange(Enumerable.Range(1, rows).Select(i => $"{i},n,e{i}@x.com,c,2024-01-01"));

        var error = await Assert.ThrowsAsync<UploadRejectedException>(() => lake.UploadAsync(new UploadRequest("big.csv"), new NonSeekableStream(CsvCorpus.Lines([.. lines]))));

        Assert.Contains($"over the upload limit of {limit:N0} bytes (EcomOps:MaxUploadBytes)", error.Message);
        Assert.False(Directory.Exists(Path.Combine(host.LakePath, "raw")));
        var staging = Path.Combine(host.DataRoot, "lake", ".staging");
        Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFiles(staging).Any());
    }

    [Fact]
    public async Task Upload_CancelledHalfway_LeavesNothing()
    {
        using var cancel = new CancellationTokenSource();
        var lines = new List<string> { CsvCorpus.CustomersHeader };
        lines.AddRange(Enumerable.Range(1, 400_000).Select(i => $"{i},n,e{i}@x.com,c,2024-01-01"));
        var progress = new Progress(p =>
        {
            if (p.Bytes > 9_000_000)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Lake.UploadAsync(new UploadRequest("half.csv"), new NonSeekableStream(CsvCorpus.Lines([.. lines])), progress, cancel.Token));

        Assert.False(Directory.Exists(Path.Combine(_host.LakePath, "raw")));
    }

    [Fact]
    public async Task Check_SaysWhereTheFileWouldGo_AndWhatItWouldReplace()
    {
        await Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good));

        var check = await Lake.CheckUploadAsync(new UploadRequest("people.csv", Size: CsvCorpus.Good.Length), new MemoryStream(CsvCorpus.Good));

        Assert.Null(check.Refusal);
        Assert.Equal("raw/customer_data/people.csv", check.TargetKey);
        Assert.NotNull(check.Existing);
    }

    [Fact]
    public async Task UploadJob_ReportsBytesAndEndsInTheHistory_AndCanBeRunAgain()
    {
        var file = Path.Combine(_host.DataRoot, "people.csv");
        await File.WriteAllBytesAsync(file, CsvCorpus.Good);
        var run = Lake.StartUpload(new UploadRequest("people.csv"), file);

        var done = await _host.Get<IJobRunner>().WaitAsync(run.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(JobUnits.Bytes, done.Steps[0].Unit);
        Assert.Equal(CsvCorpus.Good.Length, done.Steps[0].Progress.Done);
        Assert.Equal("raw/customer_data/people.csv", Assert.Single(done.Outputs).Location);

        // Again, as it was asked for: without --overwrite the object now there is not replaced.
        var again = await _host.Get<IJobRunner>().WaitAsync((await _host.Get<IJobRunner>().RetryAsync(run.Id)).Id);
        Assert.Equal(JobStatus.Failed, again.Status);
        Assert.Contains("'raw/customer_data/people.csv' already exists", again.Error);
    }

    [Fact]
    public async Task BrowserUpload_OnceReceived_FinishesWithoutThePage_AndLeavesNoSpoolFile()
    {
        var upload = Lake.StartBrowserUpload(new UploadRequest("people.csv", Size: CsvCorpus.Good.Length));

        await upload.ReceiveAsync(new MemoryStream(CsvCorpus.Good));
        var done = await _host.Get<IJobRunner>().WaitAsync(upload.Run.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(["receive", "people.csv"], done.Steps.Select(s => s.Name));
        Assert.Equal(CsvCorpus.Good.Length, done.Steps[0].Progress.Done);
        Assert.Equal(CsvCorpus.Good, await File.ReadAllBytesAsync(Path.Combine(_host.LakePath, "raw", "customer_data", "people.csv")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_host.DataRoot, "uploads")));
    }

    [Fact]
    public async Task BrowserUpload_WhenThePageGoesAwayMidFile_FailsSayingSo_AndTheLakeIsAsItWas()
    {
        var upload = Lake.StartBrowserUpload(new UploadRequest("people.csv", Size: CsvCorpus.Good.Length * 2L));
        using var pageGone = new CancellationTokenSource();

        var receiving = upload.ReceiveAsync(new HalfThenHang(CsvCorpus.Good, pageGone), pageGone.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving);
        var done = await _host.Get<IJobRunner>().WaitAsync(upload.Run.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("The browser stopped sending 'people.csv'", done.Error);
        Assert.False(Directory.Exists(Path.Combine(_host.LakePath, "raw")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_host.DataRoot, "uploads")));
    }

    [Fact]
    public async Task BrowserUpload_CancelledWhileReceiving_StopsTheReceiving_AndEndsCancelled()
    {
        var upload = Lake.StartBrowserUpload(new UploadRequest("people.csv", Size: 100_000_000));
        var runner = _host.Get<IJobRunner>();
        await Eventually.UntilAsync(async () => (await runner.GetAsync(upload.Run.Id))!.Status == JobStatus.Running);

        var receiving = upload.ReceiveAsync(new EndlessCsv());
        Assert.True(await runner.CancelAsync(upload.Run.Id));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(JobStatus.Cancelled, (await runner.WaitAsync(upload.Run.Id)).Status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_host.DataRoot, "uploads")));
    }

    /// <summary>A browser stream that sends half of a file, then nothing until the page is gone.</summary>
    private sealed class HalfThenHang(byte[] content, CancellationTokenSource pageGone) : ReadOnlyAsyncStream
    {
        private bool _sent;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_sent)
            {
                _sent = true;
                var half = content.AsMemory(0, content.Length / 2);
                half.CopyTo(buffer);
                return half.Length;
            }

            pageGone.Cancel();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }

    /// <summary>A browser stream of a CSV that never ends (a very large file), a little at a time.</summary>
    private sealed class EndlessCsv : ReadOnlyAsyncStream
    {
        private bool _headerSent;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(5, cancellationToken);
            var text = _headerSent ? "1,Ada,ada@example.com,DE,2024-01-02\n" : "CustomerID,Name,Email,Country,SignupDate\n";
            _headerSent = true;
            var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(text, 2000)));
            var count = Math.Min(bytes.Length, buffer.Length);
            bytes.AsMemory(0, count).CopyTo(buffer);
            return count;
        }
    }

    [Fact]
    public async Task Browse_ShowsFoldersWithTotals_ObjectsAndBreadcrumbs()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(100, 10, 500));
        await Lake.UploadAsync(new UploadRequest("more.csv"), new MemoryStream(CsvCorpus.Good));

        var root = await Lake.BrowseAsync();
        var raw = await Lake.BrowseAsync("raw/");
        var customers = await Lake.BrowseAsync("raw/customer_data");

        Assert.Equal(["raw"], root.Folders.Select(f => f.Name));
        Assert.Equal(4, root.Folders[0].ObjectCount);
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], raw.Folders.Select(f => f.Name));
        Assert.Equal(root.TotalBytes, raw.Folders.Sum(f => f.TotalBytes));
        Assert.Equal(["raw/customer_data/customer_data.csv", "raw/customer_data/more.csv"], customers.Objects.Select(o => o.Key));
        Assert.Equal(["raw/", "raw/customer_data/"], customers.Breadcrumbs.Skip(1).Select(b => b.Prefix));
    }

    [Fact]
    public async Task PreviewCsv_ShowsTheFirstRowsWithDatasetTypesAndTheRowCount()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(100, 10, 500));

        var preview = await Lake.PreviewAsync("raw/transactions_data/transactions_data.csv");

        Assert.Equal("csv", preview.Format);
        Assert.Equal("transactions_data", preview.Dataset?.Name);
        Assert.Equal(100, preview.Rows.Count);
        Assert.Equal(500, preview.RowCount);
        Assert.Equal(["bigint", "bigint", "bigint", "timestamp", "decimal(10,2)", "string"], preview.Columns.Select(c => c.Type));
        Assert.Equal("1", preview.Rows[0][0]);
    }

    [Fact]
    public async Task PreviewCsv_AfterItsBackgroundCountFailed_IsNoLongerCounting_AndALaterPreviewCountsAgain()
    {
        InterceptingStore? store = null;
        using var host = new CoreHost(services => services.AddSingleton<IObjectStore>(sp =>
            store = new InterceptingStore(new LocalObjectStore(sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath))));
        var lake = host.Get<ILakeService>();
        await host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(10, 10, 400_000));
        const string key = "raw/transactions_data/transactions_data.csv";
        store!.FailRead = (_, range) => range is null ? new IOException("connection reset (simulated)") : null;

        var first = await lake.PreviewAsync(key, 5);
        var failed = await host.Get<IJobRunner>().WaitAsync(first.RowCountRunId!.Value);
        Assert.Equal(JobStatus.Failed, failed.Status);

        store.FailRead = (_, _) => null;
        var second = await lake.PreviewAsync(key, 5);
        Assert.NotEqual(first.RowCountRunId, second.RowCountRunId);
        Assert.NotNull(second.RowCountRunId);
        Assert.Equal(JobStatus.Succeeded, (await host.Get<IJobRunner>().WaitAsync(second.RowCountRunId!.Value)).Status);

        var third = await lake.PreviewAsync(key, 5);
        Assert.Equal(400_000, third.RowCount);
        Assert.Null(third.RowCountRunId);
    }

    [Fact]
    public async Task PreviewCsv_AfterItsCountWasCancelledWhileQueued_IsNoLongerCounting_AndALaterPreviewCountsAgain()
    {
        var lake = _host.Get<ILakeService>();
        var jobs = _host.Get<IJobRunner>();
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(10, 10, 400_000));
        const string key = "raw/transactions_data/transactions_data.csv";

        // Two runs hold both slots, so the count waits in the queue.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busyJob = EcomOps.Tests.Jobs.TestScripts.Job((_, _, token) => release.Task.WaitAsync(token), title: "Busy");
        var busy = Enumerable.Range(1, 2).Select(_ => jobs.Start(busyJob)).ToList();
        await Eventually.UntilAsync(async () => (await jobs.ListAsync(new JobRunFilter(Status: JobStatus.Running))).Count == 2);
        var first = await lake.PreviewAsync(key, 5);
        Assert.Equal(JobStatus.Queued, (await jobs.GetAsync(first.RowCountRunId!.Value))!.Status);
        Assert.True(await jobs.CancelAsync(first.RowCountRunId.Value));
        Assert.Equal(JobStatus.Cancelled, (await jobs.WaitAsync(first.RowCountRunId.Value)).Status);

        var second = await lake.PreviewAsync(key, 5);
        release.SetResult();

        Assert.NotNull(second.RowCountRunId);
        Assert.NotEqual(first.RowCountRunId, second.RowCountRunId);
        Assert.Equal(JobStatus.Succeeded, (await jobs.WaitAsync(second.RowCountRunId!.Value)).Status);
        Assert.Equal(400_000, (await lake.PreviewAsync(key, 5)).RowCount);
        foreach (var run in busy)
        {
            await jobs.WaitAsync(run.Id);
        }
    }

    [Fact]
    public async Task PreviewCsv_OfALargeFile_CountsRowsInTheBackground()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(10, 10, 400_000));

        var first = await Lake.PreviewAsync("raw/transactions_data/transactions_data.csv", 5);
        Assert.Null(first.RowCount);
        Assert.NotNull(first.RowCountRunId);
        var run = await _host.Get<IJobRunner>().WaitAsync(first.RowCountRunId!.Value);
        Assert.Equal(JobStatus.Succeeded, run.Status);

        var again = await Lake.PreviewAsync("raw/transactions_data/transactions_data.csv", 5);
        Assert.Equal(400_000, again.RowCount);
        Assert.Equal(5, again.Rows.Count);
    }

    [Fact]
    public async Task PreviewParquet_ReadsTypesRowsAndTheCountFromTheFooter()
    {
        var schema = new ParquetSchema(new DataField<long>("CustomerID"), new DataField<string>("Name"), new DecimalDataField("Price", 10, 2), new DataField<DateTime>("Timestamp"));
        var key = "parquet/test/part-0.parquet";
        await using (var write = await _host.Get<IObjectStore>().OpenWriteAsync(key))
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema, write.Stream))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(schema.DataFields[0], (ReadOnlyMemory<long>)new long[] { 1, 2, 3 });
                await group.WriteAsync(schema.DataFields[1], new string[] { "a", "b", "c" });
                await group.WriteAsync(schema.DataFields[2], (ReadOnlyMemory<decimal>)new decimal[] { 1.5m, 2.25m, 3m });
                await group.WriteAsync(schema.DataFields[3], (ReadOnlyMemory<DateTime>)new[] { new DateTime(2024, 1, 2, 3, 4, 5), DateTime.UnixEpoch, DateTime.UnixEpoch });
            }

            await write.CommitAsync();
        }

        var preview = await Lake.PreviewAsync(key);

        Assert.Equal("parquet", preview.Format);
        Assert.Equal(3, preview.RowCount);
        Assert.Equal(["bigint", "string", "decimal(10,2)", "timestamp"], preview.Columns.Select(c => c.Type));
        Assert.Equal(["1", "a", "1.50", "2024-01-02 03:04:05"], preview.Rows[0]);
    }

    [Fact]
    public async Task PreviewParquet_OfAFileWithOneLargeRowGroup_ReadsAFractionOfIt_AndShowsItsFirstRows()
    {
        InterceptingStore? store = null;
        using var host = new CoreHost(services => services.AddSingleton<IObjectStore>(sp =>
            store = new InterceptingStore(new LocalObjectStore(sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath))));
        const string key = "parquet/test/part-0.parquet";
        var path = Path.Combine(host.LakePath, "parquet", "test", "part-0.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // One row group of 1,000,000 rows in pages of 20,000, as Spark (so Glue) writes large files.
        MultiPageParquet.Write(path, 1_000_000, 20_000);
        using (var duck = new DuckDb())
        {
            Assert.Equal([1_000_000L, 500_000_500_000L, "name-1000000"], duck.Rows($"SELECT count(*), sum(ID)::BIGINT, max(Name) FILTER (WHERE ID = 1000000) FROM read_parquet({DuckDb.Literal(path)})")[0]);
        }

        var size = new FileInfo(path).Length;
        _ = host.Get<IObjectStore>();
        var before = store!.BytesRead;

        var preview = await host.Get<ILakeService>().PreviewAsync(key, 100);

        Assert.Equal(1_000_000, preview.RowCount);
        Assert.Equal([("ID", "bigint"), ("Name", "string")], preview.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (IReadOnlyList<string>)[$"{i}", $"name-{i}"]), preview.Rows);
        var read = store.BytesRead - before;
        Assert.True(read < size / 4, $"The preview read {read:N0} of the file's {size:N0} bytes.");
    }

    [Fact]
    public async Task PreviewParquet_OverSeveralRowGroupsAndPages_ShowsTheRowsInOrder()
    {
        const string key = "parquet/test/part-1.parquet";
        var path = Path.Combine(_host.LakePath, "parquet", "test", "part-1.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var duck = new DuckDb())
        {
            // Row groups of 30 rows, so 100 rows span four of them; NULLs in a nullable column.
            duck.Scalar($"COPY (SELECT i AS ID, CASE WHEN i % 7 = 0 THEN NULL ELSE 'n' || i END AS Name FROM range(1, 1001) t(i)) TO {DuckDb.Literal(path)} (FORMAT PARQUET, ROW_GROUP_SIZE 30)");
        }

        var preview = await Lake.PreviewAsync(key, 100);

        Assert.Equal(1_000, preview.RowCount);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), preview.Rows.Select(r => r[0]));
        Assert.Equal("NULL", preview.Rows[6][1]);
        Assert.Equal("n99", preview.Rows[98][1]);
    }

    [Fact]
    public async Task Preview_OfAMissingObject_NamesIt()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Lake.PreviewAsync("raw/none.csv"));

        Assert.Contains("'raw/none.csv'", error.Message);
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.Exists(_host.LakePath)
            ? Directory.EnumerateFiles(_host.LakePath, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => Convert.ToHexString(File.ReadAllBytes(f)))
            : [];

    private sealed class Progress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    /// <summary>Like a browser upload: no length, no seeking.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
