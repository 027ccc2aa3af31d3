using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Catalog;

/// <summary>The crawler over the real local lake, into the catalog in the ops database.</summary>
public sealed class CrawlerTests : IDisposable
{
    private readonly CoreHost _host = new();

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private ICatalog Catalog => _host.Get<ICatalog>();

    [Fact]
    public async Task AfterGenerateAndConvert_ACrawlRegistersTheThreeTables_WithGlueTypes_AndTheTransactionsPartitions()
    {
        await GenerateAndConvertAsync(partitionByMonth: true);

        var run = await CrawlAsync(new CrawlOptions());

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal("3", Result(run, "tables created"));
        var tables = await Catalog.ListTablesAsync("ecom");
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], tables.Select(t => t.Name));

        var transactions = tables.Single(t => t.Name == "transactions_data");
        Assert.Equal(
            [("transactionid", "bigint"), ("customerid", "bigint"), ("productid", "bigint"), ("timestamp", "timestamp"), ("amount", "decimal(10,2)"), ("country", "string")],
            transactions.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal("TransactionID", transactions.Columns[0].SourceName);

        // The footer says what the conversion's manifest says: the TIMESTAMP logical type, in microseconds, wall clock.
        Assert.Equal("INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)", transactions.Columns[3].SourceType);
        Assert.Equal("INT64 DECIMAL(10,2)", transactions.Columns[4].SourceType);
        Assert.Equal(["year", "month"], transactions.PartitionKeys.Select(k => k.Name));
        Assert.Equal(("parquet", "snappy", 2_000L, "parquet/transactions_data/"), (transactions.Classification, transactions.Compression, transactions.RecordCount, transactions.Location));
        var partitions = await Catalog.GetPartitionsAsync("ecom", "transactions_data");
        using (var duck = new DuckDb())
        {
            var months = duck.Long($"SELECT count(DISTINCT strftime(Timestamp, '%Y-%m')) FROM read_parquet({DuckDb.Literal(Path.Combine(_host.LakePath, "parquet", "transactions_data") + "/**/*.parquet")})");
            Assert.Equal(months, partitions.Count);
        }

        Assert.All(partitions, p => Assert.Equal($"parquet/transactions_data/year={p.Values[0]}/month={p.Values[1]}/", p.Location));
        Assert.Equal(["2024", "2025"], partitions.Select(p => p.Values[0]).Distinct());
        Assert.Equal(2_000, partitions.Sum(p => p.RecordCount));
        Assert.Equal(transactions.SizeKey, partitions.Sum(p => p.SizeBytes));

        var customers = tables.Single(t => t.Name == "customer_data");
        Assert.Equal(["bigint", "string", "string", "string", "date"], customers.Columns.Select(c => c.Type));
        Assert.Empty(customers.PartitionKeys);
        Assert.Equal(["bigint", "string", "string", "decimal(10,2)", "int"], tables.Single(t => t.Name == "catalog_data").Columns.Select(c => c.Type));
        Assert.Equal(200, customers.RecordCount);
        Assert.Equal(customers.SizeKey / 200, customers.AverageRecordSize);
    }

    [Fact]
    public async Task ACrawl_ReadsFootersOnly_AFractionOfTheData()
    {
        await GenerateAndConvertAsync(partitionByMonth: true, transactions: 50_000);

        var run = await CrawlAsync(new CrawlOptions());

        Assert.True(run.Counts.BytesRead > 0);
        var data = (await Catalog.ListTablesAsync()).Sum(t => t.SizeKey);
        Assert.True(run.Counts.BytesRead < data / 10, $"{run.Counts.BytesRead:N0} bytes read of {data:N0}");
    }

    [Fact]
    public async Task AFolderOfParquetWrittenByDuckDb_BecomesATable()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_host.LakePath, "parquet", "Web-Events")).FullName;
        using (var duck = new DuckDb())
        {
            duck.Scalar($"COPY (SELECT range AS event_id, 'click' AS kind, 1.5::DOUBLE AS score, DATE '2024-05-01' + range::INT AS day FROM range(100)) TO {DuckDb.Literal(Path.Combine(folder, "events.parquet"))} (FORMAT PARQUET, COMPRESSION zstd)");
        }

        var run = await CrawlAsync(new CrawlOptions());

        var table = Assert.Single(await Catalog.ListTablesAsync());
        Assert.Equal(("web_events", 100L, "zstd"), (table.Name, table.RecordCount, table.Compression));
        Assert.Equal([("event_id", "bigint"), ("kind", "string"), ("score", "double"), ("day", "date")], table.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal("1", Result(run, "tables created"));
    }

    [Fact]
    public async Task ANewColumn_AChangedType_AndARemovedFolder_AreEachVersioned_UnderTheUpdatePolicy()
    {
        WriteDuckDbTable("orders", "SELECT range AS id, 'a' AS note FROM range(10)");
        WriteDuckDbTable("returns", "SELECT range AS id FROM range(5)");
        await CrawlAsync(new CrawlOptions());

        WriteDuckDbTable("orders", "SELECT range::INT AS id, 'a' AS note, 2.5::DOUBLE AS price FROM range(10)");
        Directory.Delete(Path.Combine(_host.LakePath, "parquet", "returns"), recursive: true);
        var run = await CrawlAsync(new CrawlOptions());

        var orders = (await Catalog.GetTableAsync("ecom", "orders"))!;
        Assert.Equal(2, orders.Version);
        Assert.Equal([("id", "int"), ("note", "string"), ("price", "double")], orders.Columns.Select(c => (c.Name, c.Type)));
        var latest = (await Catalog.GetVersionsAsync("ecom", "orders"))[0];
        Assert.Contains(new TableChange(TableChangeKind.ColumnAdded, "price", After: "double"), latest.Changes);
        Assert.Contains(new TableChange(TableChangeKind.TypeChanged, "id", "bigint", "int"), latest.Changes);
        var returns = (await Catalog.GetTableAsync("ecom", "returns"))!;
        Assert.Equal((TableStatus.Deprecated, 2), (returns.Status, returns.Version));
        Assert.Equal(("1", "1"), (Result(run, "tables updated"), Result(run, "tables deprecated")));

        var comparison = _host.Get<ICatalogService>().Compare((await Catalog.GetVersionsAsync("ecom", "orders"))[1], latest);
        Assert.Equal(
            [("id", ColumnState.TypeChanged), ("note", ColumnState.Same), ("price", ColumnState.Added)],
            comparison.Columns.Select(c => (c.Name, c.State)));
    }

    [Fact]
    public async Task UnderTheLogPolicies_ChangesAreRecorded_ButTheTablesStayAsTheyWere()
    {
        WriteDuckDbTable("orders", "SELECT range AS id FROM range(10)");
        WriteDuckDbTable("returns", "SELECT range AS id FROM range(5)");
        await CrawlAsync(new CrawlOptions());
        WriteDuckDbTable("orders", "SELECT range AS id, 'x' AS note FROM range(10)");
        Directory.Delete(Path.Combine(_host.LakePath, "parquet", "returns"), recursive: true);

        var run = await CrawlAsync(new CrawlOptions(OnChange: SchemaChangePolicy.Log, OnDelete: DeletePolicy.Log));

        var orders = (await Catalog.GetTableAsync("ecom", "orders"))!;
        Assert.Equal((1, 1), (orders.Version, orders.Columns.Count));
        Assert.Contains("column note added (string)", orders.PendingChange);
        var returns = (await Catalog.GetTableAsync("ecom", "returns"))!;
        Assert.Equal(TableStatus.Active, returns.Status);
        Assert.Contains("folder is gone", returns.PendingChange);
        Assert.Equal("2", Result(run, "changes logged, not applied"));
    }

    [Fact]
    public async Task TheDeletePolicy_DeletesATableWhoseFolderIsGone()
    {
        WriteDuckDbTable("returns", "SELECT range AS id FROM range(5)");
        await CrawlAsync(new CrawlOptions());
        Directory.Delete(Path.Combine(_host.LakePath, "parquet", "returns"), recursive: true);

        var run = await CrawlAsync(new CrawlOptions(OnDelete: DeletePolicy.Delete));

        Assert.Null(await Catalog.GetTableAsync("ecom", "returns"));
        Assert.Empty(await Catalog.GetVersionsAsync("ecom", "returns"));
        Assert.Equal("1", Result(run, "tables deleted"));
    }

    [Fact]
    public async Task AnEmptyLake_CreatesNothing_AndSaysSo()
    {
        var run = await CrawlAsync(new CrawlOptions());

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Empty(await Catalog.ListTablesAsync());
        Assert.Equal(("0", "0"), (Result(run, "tables created"), Result(run, "files scanned")));
    }

    [Fact]
    public async Task ACorruptParquetFile_IsNamedAndSkipped_AndTheOtherTablesAreStillCrawled()
    {
        WriteDuckDbTable("orders", "SELECT range AS id FROM range(10)");
        var broken = Directory.CreateDirectory(Path.Combine(_host.LakePath, "parquet", "broken")).FullName;
        var whole = File.ReadAllBytes(Path.Combine(_host.LakePath, "parquet", "orders", "part-0.parquet"));
        File.WriteAllBytes(Path.Combine(broken, "part-0.parquet"), whole[..(whole.Length / 2)]);

        var run = await CrawlAsync(new CrawlOptions());

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal("orders", Assert.Single(await Catalog.ListTablesAsync()).Name);
        var skipped = Assert.Single(run.Results!, r => r.Name == "skipped parquet/broken/part-0.parquet");
        Assert.Contains("is not a readable Parquet file", skipped.Value);
    }

    [Fact]
    public async Task UnderscoreAndDotFiles_StagingAndExclusions_AreIgnored_AndAManifestSaysWhichFilesAreTheOutput()
    {
        await GenerateAndConvertAsync(partitionByMonth: false);

        // Left over from elsewhere: not in the committed output the manifest lists.
        var stray = Path.Combine(_host.LakePath, "parquet", "customer_data");
        File.Copy(Path.Combine(stray, Directory.GetFiles(stray, "*.parquet").Select(Path.GetFileName).First()!), Path.Combine(stray, "part-stray.parquet"));
        WriteDuckDbTable("tmp_scratch", "SELECT 1 AS x");
        WriteDuckDbTable("_hidden", "SELECT 1 AS x");

        var run = await CrawlAsync(new CrawlOptions(Exclusions: ["tmp_*/**"]));

        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], (await Catalog.ListTablesAsync()).Select(t => t.Name));
        Assert.Equal(200, (await Catalog.GetTableAsync("ecom", "customer_data"))!.RecordCount);
        Assert.Contains(run.Results!, r => r.Name == "skipped parquet/customer_data/part-stray.parquet" && r.Value.Contains("not listed in parquet/customer_data/_manifest.json"));
    }

    [Fact]
    public async Task RawCsvFolders_CanBeCrawledAsCsvTables_WithTheDatasetsTypes()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, 2_000));

        await CrawlAsync(new CrawlOptions(IncludePaths: ["raw/"]));

        var raw = (await Catalog.GetTableAsync("ecom", "raw_transactions_data"))!;
        Assert.Equal(("csv", 2_000L), (raw.Classification, raw.RecordCount));
        Assert.Equal(["bigint", "bigint", "bigint", "timestamp", "decimal(10,2)", "string"], raw.Columns.Select(c => c.Type));
    }

    private void WriteDuckDbTable(string folder, string select)
    {
        var path = Directory.CreateDirectory(Path.Combine(_host.LakePath, "parquet", folder)).FullName;
        using var duck = new DuckDb();
        duck.Scalar($"COPY ({select}) TO {DuckDb.Literal(Path.Combine(path, "part-0.parquet"))} (FORMAT PARQUET)");
    }

    private async Task GenerateAndConvertAsync(bool partitionByMonth, long transactions = 2_000)
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, transactions));
        await _host.Services.ConvertAllAsync(partitionByMonth);
    }

    private Task<JobRun> CrawlAsync(CrawlOptions options) => _host.Services.CrawlAsync(options);

    private static string Result(JobRun run, string name) => run.Results!.Single(r => r.Name == name).Value;
}
