using System.Globalization;
using DuckDB.NET.Data;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Overview;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Overview;

/// <summary>The Overview's figures after the pipeline ran through Core's own jobs, as ops staff read them.</summary>
public sealed class OverviewServiceTests : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const int Customers = 300;
    private const int Products = 40;
    private const int Transactions = 2_000;

    private static readonly string[] Datasets = ["customer_data", "catalog_data", "transactions_data"];

    private readonly CoreHost _host = new();
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IOverviewService Overview => _host.Get<IOverviewService>();

    private IJobRunner Runner => _host.Get<IJobRunner>();

    [Fact]
    public async Task ACleanChain_Reconciles_WithTheSameCountAtEveryStage()
    {
        await RunChainAsync();

        var report = await Overview.ReconcileAsync();

        Assert.False(report.HasMismatch, string.Join(Environment.NewLine, report.Datasets.SelectMany(d => d.Mismatches).Select(m => m.Message)));
        var expected = new Dictionary<string, long> { ["customer_data"] = Customers, ["catalog_data"] = Products, ["transactions_data"] = Transactions };
        foreach (var dataset in report.Datasets)
        {
            var rows = expected[dataset.Dataset];
            Assert.Equal(
                (rows, rows, rows, rows, 0L, 0L),
                (dataset.RawCsv.Rows, dataset.Parquet.Rows, dataset.Catalog.Rows, dataset.Warehouse.Rows, dataset.Quarantined.Rows, dataset.Rejected.Rows));
        }

        // Each figure says where it comes from: the raw rows are the generation's, the Parquet's its manifest's.
        var transactions = report.Datasets.Single(d => d.Dataset == "transactions_data");
        var generation = Assert.Single(await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Generate)));
        Assert.Equal(generation.Id, transactions.RawCsv.RunId);
        Assert.Contains(transactions.RawCsv.Links, l => l.Href == $"/jobs?run={generation.Id}");
        var conversion = (await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Convert, Dataset: "transactions_data"))).Single();
        Assert.Equal(conversion.Id, transactions.Parquet.RunId);
        Assert.NotNull(transactions.Warehouse.LoadQueryId);
        Assert.Contains(transactions.Warehouse.Links, l => l.Href == $"/loads/{transactions.Warehouse.LoadQueryId}");
    }

    [Fact]
    public async Task RowsDeletedFromTheWarehouseBehindItsBack_AreFlagged_NamingTheStageAndTheLoadThatPutThemIn()
    {
        // Read by other people later, on any machine: the numbers are invariant whatever culture the server has.
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        var chain = await RunChainAsync();
        using (var connection = new DuckDBConnection($"DataSource={Path.Combine(_host.DataRoot, "warehouse.duckdb")}"))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM public.transactions_data WHERE transactionid IN (SELECT transactionid FROM public.transactions_data ORDER BY transactionid LIMIT 10)";
            Assert.Equal(10, delete.ExecuteNonQuery());
        }

        var report = await Overview.ReconcileAsync();

        var transactions = report.Datasets.Single(d => d.Dataset == "transactions_data");
        Assert.Equal(Transactions - 10, transactions.Warehouse.Rows);
        var mismatch = Assert.Single(transactions.Mismatches);
        var load = chain.Loads["transactions_data"];
        Assert.Equal(
            (ReconciliationStage.Warehouse, (long?)Transactions, (long?)(Transactions - 10), (Guid?)load.Run.Id, (long?)load.QueryId),
            (mismatch.Stage, mismatch.Expected, mismatch.Actual, mismatch.RunId, mismatch.LoadQueryId));
        Assert.Contains("warehouse has 1,990 rows of transactions_data", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains($"had 2,000 (load {load.QueryId}, run {load.Run.Id.ToString("N")[..8]})", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(mismatch.Links, l => l.Href == $"/loads/{load.QueryId}");
        Assert.Contains(mismatch.Links, l => l.Href == $"/jobs?run={load.Run.Id}");
        Assert.All(report.Datasets.Where(d => d.Dataset != "transactions_data"), d => Assert.True(d.Reconciled));
    }

    [Fact]
    public async Task ARawCsvReplacedAfterTheConversion_IsFlagged_AndItsRowsAreUnknownRatherThanGuessed()
    {
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        var chain = await RunChainAsync();
        const string key = "raw/transactions_data/transactions_data.csv";
        string original;
        await using (var read = await _host.Get<IObjectStore>().OpenReadAsync(key))
        using (var reader = new StreamReader(read))
        {
            original = await reader.ReadToEndAsync();
        }

        await PutAsync(key, original + "999001,1,1,2024-03-01 10:00:00,12.50,Chile\n");

        var transactions = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "transactions_data");

        Assert.Null(transactions.RawCsv.Rows);
        Assert.Contains("changed since generate run", transactions.RawCsv.Source, StringComparison.Ordinal);
        var mismatch = Assert.Single(transactions.Mismatches);
        var conversion = chain.Conversions["transactions_data"];
        Assert.Equal((ReconciliationStage.RawToParquet, (Guid?)conversion.Id), (mismatch.Stage, mismatch.RunId));
        Assert.Contains($"raw/transactions_data/ changed after conversion run {conversion.Id.ToString("N")[..8]}", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("convert again", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"it read {conversion.Counts.BytesRead:N0} bytes (2,000 rows)"), mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLineageOfAWarehouseTable_GoesFromTheRawFileThroughConversionParquetAndCrawlToItsLoad()
    {
        var chain = await RunChainAsync();
        var manifest = (await ConversionManifest.ReadAsync(_host.Get<IObjectStore>(), "transactions_data"))!;

        var lineage = await Overview.LineageAsync("public.transactions_data");

        Assert.Equal(("public.transactions_data", "transactions_data"), (lineage.Table, lineage.Dataset));
        var raw = Assert.Single(lineage.OfKind(LineageNodeKind.RawFile));
        Assert.Equal(("raw/transactions_data/transactions_data.csv", (long?)Transactions, null), (raw.Key, raw.Rows, raw.Note));
        Assert.Equal("/lake?prefix=raw%2Ftransactions_data%2F", raw.Link.Href);

        var conversion = Assert.Single(lineage.OfKind(LineageNodeKind.ConversionRun));
        Assert.Equal(chain.Conversions["transactions_data"].Id, conversion.RunId);
        Assert.Equal([raw.Id], conversion.Inputs);
        Assert.Equal($"/jobs?run={conversion.RunId}", conversion.Link.Href);

        var parquet = lineage.OfKind(LineageNodeKind.ParquetFile).ToList();
        Assert.True(manifest.Files.Count > 1, "transactions are partitioned by month: one file a month");
        Assert.Equal(manifest.Files.Select(f => f.Key).Order(), parquet.Select(p => p.Key!).Order());
        Assert.All(parquet, p => Assert.Equal([conversion.Id], p.Inputs));
        Assert.Equal(Transactions, parquet.Sum(p => p.Rows));

        var crawl = Assert.Single(lineage.OfKind(LineageNodeKind.CrawlRun));
        Assert.Equal(chain.Crawl.Id, crawl.RunId);
        Assert.Equal(parquet.Select(p => p.Id).Order(), crawl.Inputs.Order());
        var catalogTable = Assert.Single(lineage.OfKind(LineageNodeKind.CatalogTable));
        Assert.Equal(("/catalog/ecom/transactions_data", (long?)Transactions), (catalogTable.Link.Href, catalogTable.Rows));
        Assert.Contains("version 1", catalogTable.Label, StringComparison.Ordinal);

        var load = Assert.Single(lineage.OfKind(LineageNodeKind.Load));
        var expected = chain.Loads["transactions_data"];
        Assert.Equal(((long?)expected.QueryId, (Guid?)expected.Run.Id, (long?)Transactions), (load.LoadQueryId, load.RunId, load.Rows));
        Assert.Equal($"/loads/{expected.QueryId}", load.Link.Href);
        Assert.Equal(parquet.Select(p => p.Id).Order(), load.Inputs.Order());

        var table = Assert.Single(lineage.OfKind(LineageNodeKind.WarehouseTable));
        Assert.Equal(Transactions, table.Rows);
        Assert.Equal([load.Id], table.Inputs);
        Assert.Equal(
            [LineageNodeKind.RawFile, LineageNodeKind.ConversionRun, LineageNodeKind.ParquetFile, LineageNodeKind.CrawlRun, LineageNodeKind.CatalogTable, LineageNodeKind.Load, LineageNodeKind.WarehouseTable],
            lineage.Nodes.Select(n => n.Kind).Distinct());
    }

    [Fact]
    public async Task TheLineageOfACatalogTable_StopsAtTheCatalog_AndAnUnknownTableIsNotFound()
    {
        var chain = await RunChainAsync();

        var lineage = await Overview.LineageAsync("ecom.customer_data");

        Assert.Equal("ecom.customer_data", lineage.Table);
        Assert.Equal(chain.Conversions["customer_data"].Id, Assert.Single(lineage.OfKind(LineageNodeKind.ConversionRun)).RunId);
        Assert.Equal(chain.Crawl.Id, Assert.Single(lineage.OfKind(LineageNodeKind.CrawlRun)).RunId);
        Assert.Empty(lineage.OfKind(LineageNodeKind.Load));
        Assert.Empty(lineage.OfKind(LineageNodeKind.WarehouseTable));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Overview.LineageAsync("ecom.no_such_table"));
    }

    [Fact]
    public async Task TheKpis_AfterTheChain_CountWhatWasDone()
    {
        var chain = await RunChainAsync();
        var store = _host.Get<IObjectStore>();

        var kpis = await Overview.GetKpisAsync();

        // One generation, three conversions, one crawl, three loads: all today, all succeeded.
        Assert.Equal((8, 8, 0, 0), (kpis.RunsToday.Total, kpis.RunsToday.Succeeded, kpis.RunsToday.Failed, kpis.RunsToday.Active));
        Assert.Equal(0, kpis.FailuresLast24Hours);
        Assert.Equal((Customers + Products + Transactions, 3), (kpis.RowsLoadedLast24Hours.Rows, kpis.RowsLoadedLast24Hours.Loads));
        Assert.Equal(
            [("public.catalog_data", (long)Products), ("public.customer_data", Customers), ("public.transactions_data", Transactions)],
            kpis.WarehouseTables.Select(t => (t.Table, t.Rows)));
        Assert.Empty(kpis.Unavailable);

        var raw = kpis.LakeSize.Single(p => p.Prefix == "raw/");
        Assert.Equal((3L, chain.Generation.Outputs.Sum(o => o.Bytes)), (raw.Objects, raw.Bytes));
        Assert.Equal("/lake?prefix=raw%2F", raw.Link.Href);
        var parquet = kpis.LakeSize.Single(p => p.Prefix == "parquet/").Children.Single(c => c.Prefix == "parquet/transactions_data/");
        var manifest = (await ConversionManifest.ReadAsync(store, "transactions_data"))!;
        var markers = (await store.HeadAsync(ConversionManifest.KeyOf("transactions_data")))!.Size
            + (await store.HeadAsync(ConversionManifest.PrefixOf("transactions_data") + ConversionManifest.SuccessFileName))!.Size;
        Assert.Equal((manifest.Files.Count + 2L, manifest.TotalBytes + markers), (parquet.Objects, parquet.Bytes));

        var crawl = Assert.IsType<LastCrawl>(kpis.LastCrawl);
        Assert.Equal((chain.Crawl.Id, JobStatus.Succeeded), (crawl.RunId, crawl.Status));
        Assert.Equal(["ecom.catalog_data", "ecom.customer_data", "ecom.transactions_data"], crawl.Changes.Select(c => c.Table).Order());
        Assert.Contains(crawl.Summary, r => r.Name == "tables created" && r.Value == "3");
    }

    [Fact]
    public async Task AFailedLoad_IsARecentFailure_LinkedToItsRun_AndTheChartsShowTheDay()
    {
        var chain = await RunChainAsync();
        await PutAsync("raw/wh/bad.csv", "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,x,1,2024-03-01 10:00:00,1.00,Peru\n");
        var failed = await Runner.WaitAsync(_host.Get<IWarehouseService>().StartLoad($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1").Id);
        Assert.Equal(JobStatus.Failed, failed.Status);

        var failure = Assert.Single(await Overview.RecentFailuresAsync());
        var perDay = await Overview.RowsLoadedPerDayAsync(7);
        var durations = await Overview.JobDurationsAsync(chain.Generation.QueuedAt);

        Assert.Equal((failed.Id, JobKinds.Load, $"/jobs?run={failed.Id}"), (failure.RunId, failure.Kind, failure.Link.Href));
        Assert.NotNull(failure.LoadQueryId);
        Assert.Contains("MAXERROR", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(7, perDay.Count);
        Assert.Equal((long)(Customers + Products + Transactions), perDay[^1].Rows);
        Assert.All(perDay.Take(6), d => Assert.Equal(0, d.Rows));
        Assert.Equal(9, durations.Count);
        Assert.Contains(durations, d => d.RunId == failed.Id && d.Status == JobStatus.Failed);
        Assert.All(durations, d => Assert.True(d.Duration >= TimeSpan.Zero));
    }

    [Fact]
    public async Task ANewConversionNotYetCrawledOrLoaded_IsFlaggedAtTheCatalogAndTheWarehouse_WithTheRunToFollowUp()
    {
        var chain = await RunChainAsync();
        var regenerated = await Runner.WaitAsync(_host.Get<IGenerationService>().StartGeneration(new GenerationOptions(Customers, Products, 2_500)).Id);
        Assert.Equal(JobStatus.Succeeded, regenerated.Status);
        await _host.Services.ConvertAllAsync();
        var conversion = (await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Convert, Dataset: "transactions_data", Limit: 1))).Single();

        var report = await Overview.ReconcileAsync();

        var transactions = report.Datasets.Single(d => d.Dataset == "transactions_data");
        Assert.Equal(((long?)2_500, (long?)2_500, (long?)Transactions, (long?)Transactions), (transactions.RawCsv.Rows, transactions.Parquet.Rows, transactions.Catalog.Rows, transactions.Warehouse.Rows));
        Assert.Equal([ReconciliationStage.ParquetToCatalog, ReconciliationStage.ParquetToWarehouse], transactions.Mismatches.Select(m => m.Stage));
        Assert.All(transactions.Mismatches, m => Assert.Equal(conversion.Id, m.RunId));
        Assert.Contains("crawl again", transactions.Mismatches[0].Message, StringComparison.Ordinal);
        Assert.Contains("load again", transactions.Mismatches[1].Message, StringComparison.Ordinal);

        // Converted again from the same bytes: stale, but every figure still agrees, so nothing is flagged.
        Assert.All(report.Datasets.Where(d => d.Dataset != "transactions_data"), d => Assert.True(d.Reconciled, string.Join(" ", d.Mismatches.Select(m => m.Message))));

        // The lineage says the same: the crawl predates the Parquet, and the rows in the warehouse came from files of the
        // earlier conversion, which the new one replaced.
        var lineage = await Overview.LineageAsync("transactions_data");
        var load = Assert.Single(lineage.OfKind(LineageNodeKind.Load));
        Assert.Contains("crawled before conversion run", Assert.Single(lineage.OfKind(LineageNodeKind.CrawlRun)).Note, StringComparison.Ordinal);
        var earlier = chain.Conversions["transactions_data"].Id;
        Assert.Equal([earlier, conversion.Id], lineage.OfKind(LineageNodeKind.ConversionRun).Select(c => c.RunId!.Value));
        var loaded = load.Inputs.Select(id => lineage.Nodes.Single(n => n.Id == id)).ToList();
        Assert.Equal(Transactions, loaded.Sum(f => f.Rows));
        Assert.All(loaded, f => Assert.Equal(($"no longer in the lake (load {load.LoadQueryId} read it)", (Guid?)earlier), (f.Note, f.RunId)));
        Assert.Contains("since replaced by a later one", lineage.Nodes.Single(n => n.RunId == earlier && n.Kind == LineageNodeKind.ConversionRun).Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUploadedCsv_HasNoRowCountUntilConverted_ThenTheConversionsFigure_WithItsQuarantinedRow()
    {
        var file = Path.Combine(_host.DataRoot, "orders.csv");
        await File.WriteAllTextAsync(file, "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,10,100,2024-03-01 10:00:00,12.50,Chile\n2,ten,100,2024-03-01 10:00:00,3.00,Peru\n3,11,101,2024-03-02 11:30:00,5.25,Chile\n");
        var upload = await Runner.WaitAsync(_host.Get<Core.Lake.ILakeService>().StartUpload(new Core.Lake.UploadRequest("orders.csv", "transactions_data", AcceptBadRows: true), file).Id);
        Assert.Equal(JobStatus.Succeeded, upload.Status);

        var before = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "transactions_data");

        Assert.Null(before.RawCsv.Rows);
        Assert.Contains($"uploaded by run {upload.Id.ToString("N")[..8]}, which records no row count", before.RawCsv.Source, StringComparison.Ordinal);
        Assert.Null(before.Parquet.Rows);
        Assert.Contains("not converted", before.Parquet.Source, StringComparison.Ordinal);
        Assert.Empty(before.Mismatches);

        var conversion = await Runner.WaitAsync(_host.Get<IConversionService>().StartConversion(new ConversionOptions(), ["transactions_data"]).Single().Id);
        Assert.Equal(JobStatus.Succeeded, conversion.Status);
        var after = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "transactions_data");

        Assert.Equal(((long?)3, (long?)2, (long?)1), (after.RawCsv.Rows, after.Parquet.Rows, after.Quarantined.Rows));
        Assert.Equal(conversion.Id, after.RawCsv.RunId);
        Assert.Contains("read by conversion run", after.RawCsv.Source, StringComparison.Ordinal);
        Assert.Contains(after.Quarantined.Links, l => l.Href == "/lake?prefix=quarantine%2Ftransactions_data%2F");
        Assert.Empty(after.Mismatches);
    }

    [Fact]
    public async Task ParquetWrittenByAnotherTool_IsCountedFromItsFooters()
    {
        var folder = Path.Combine(_host.LakePath, "parquet", "customer_data");
        Directory.CreateDirectory(folder);
        using (var duck = new DuckDb())
        {
            duck.Scalar($"COPY (SELECT range AS CustomerID FROM range(700)) TO {DuckDb.Literal(Path.Combine(folder, "a.parquet"))} (FORMAT parquet)");
            duck.Scalar($"COPY (SELECT range AS CustomerID FROM range(55)) TO {DuckDb.Literal(Path.Combine(folder, "b.parquet"))} (FORMAT parquet)");
        }

        var customers = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "customer_data");

        Assert.Equal(755, customers.Parquet.Rows);
        Assert.Contains("footers of the 2 Parquet files under parquet/customer_data/", customers.Parquet.Source, StringComparison.Ordinal);
        Assert.Null(customers.Quarantined.Rows);
    }

    [Fact]
    public async Task AnUploadedCsvCountedByACountRowsRun_HasThatRunsFigure_ForThatVersionOnly()
    {
        var file = Path.Combine(_host.DataRoot, "orders.csv");
        await File.WriteAllTextAsync(file, "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,10,100,2024-03-01 10:00:00,12.50,Chile\n3,11,101,2024-03-02 11:30:00,5.25,Chile\n");
        var upload = await Runner.WaitAsync(_host.Get<Core.Lake.ILakeService>().StartUpload(new Core.Lake.UploadRequest("orders.csv", "transactions_data"), file).Id);
        var key = upload.Outputs.Single().Location;
        var info = (await _host.Get<IObjectStore>().HeadAsync(key))!;
        var counted = await Runner.WaitAsync(Runner.Start(new Core.Lake.RowCountJob(key, info.ETag, info.Size)).Id);
        Assert.Equal((JobStatus.Succeeded, 2L), (counted.Status, counted.Counts.RowsRead));

        var raw = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "transactions_data").RawCsv;

        Assert.Equal((2L, (Guid?)counted.Id), (raw.Rows, raw.RunId));
        Assert.Contains("counted by count-rows run " + counted.Id.ToString("N")[..8], raw.Source, StringComparison.Ordinal);

        // Another version of the object is not the one counted.
        await PutAsync(key, "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,10,100,2024-03-01 10:00:00,12.50,Chile\n");
        var replaced = (await Overview.ReconcileAsync()).Datasets.Single(d => d.Dataset == "transactions_data").RawCsv;
        Assert.Null(replaced.Rows);
        Assert.Contains($"changed since upload run {upload.Id.ToString("N")[..8]} wrote it", replaced.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsOlderThanADay_AreNotCountedInTodaysOrTheLastDaysKpis()
    {
        // The runner registers as the history's owner on first use; the runs are then saved as its own.
        Assert.Empty(await Runner.ListAsync(JobRunFilter.All));
        var history = _host.Get<IJobHistory>();
        var now = DateTimeOffset.UtcNow;
        JobRun Run(string title, DateTimeOffset queued) =>
            new(Guid.NewGuid(), "test", title, null, new Dictionary<string, string>(), "test", JobStatus.Failed, queued, queued, queued.AddSeconds(1), [], [], "boom");
        await history.SaveAsync([Run("old", now.AddHours(-25)), Run("new", now.AddMinutes(-1))]);

        var kpis = await Overview.GetKpisAsync();

        Assert.Equal((1, 1), (kpis.RunsToday.Total, kpis.RunsToday.Failed));
        Assert.Equal((1, 1), (kpis.RunsLast24Hours.Total, kpis.FailuresLast24Hours));
        Assert.Equal(["new", "old"], (await Overview.RecentFailuresAsync()).Select(f => f.Title));
    }

    private async Task PutAsync(string key, string text)
    {
        await using var write = await _host.Get<IObjectStore>().OpenWriteAsync(key);
        await write.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
        await write.CommitAsync();
    }

    private sealed record LoadDone(JobRun Run, long QueryId);

    private sealed record Chain(JobRun Generation, IReadOnlyDictionary<string, JobRun> Conversions, JobRun Crawl, IReadOnlyDictionary<string, LoadDone> Loads);

    /// <summary>Generate, convert (transactions by month), crawl and load the Parquet of all three datasets, each as a job.</summary>
    private async Task<Chain> RunChainAsync()
    {
        var generation = await Runner.WaitAsync(_host.Get<IGenerationService>().StartGeneration(new GenerationOptions(Customers, Products, Transactions)).Id);
        Assert.Equal(JobStatus.Succeeded, generation.Status);
        await _host.Services.ConvertAllAsync();
        var conversions = (await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Convert))).ToDictionary(r => r.Dataset!);
        var crawl = await _host.Services.CrawlAsync();
        Assert.Equal(JobStatus.Succeeded, crawl.Status);
        var loads = new Dictionary<string, LoadDone>();
        foreach (var dataset in Datasets)
        {
            var run = await Runner.WaitAsync(_host.Get<IWarehouseService>().StartLoad($"COPY {dataset} FROM 's3://ecomops-lake/parquet/{dataset}/' {Role} FORMAT AS PARQUET").Id);
            Assert.Equal(JobStatus.Succeeded, run.Status);
            loads[dataset] = new LoadDone(run, long.Parse(run.Results!.Single(r => r.Name == "load (query id)").Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return new Chain(generation, conversions, crawl, loads);
    }
}
