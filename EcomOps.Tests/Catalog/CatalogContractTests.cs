using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Catalog;

/// <summary>
/// What every crawler + catalog pair must do, run against each (the local one here, Glue's on its loopback stand-in in
/// Aws/Engines): the same lake contents (the converter's Parquet, copied into the lake the pair crawls) give the same
/// tables, columns, partitions, counts, versions and run history lines.
/// </summary>
public abstract class CatalogContractTests : IDisposable
{
    private readonly CoreHost _producer = new();

    /// <summary>The host under test: its crawler engine, catalog and job runner.</summary>
    protected abstract IServiceProvider Services { get; }

    private ICatalog Catalog => Services.GetRequiredService<ICatalog>();

    private IObjectStore Lake => Services.GetRequiredService<IObjectStore>();

    public virtual void Dispose()
    {
        _producer.Dispose();
        SqliteConnection.ClearAllPools();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ACrawl_RegistersTheThreeTables_WithGlueTypes_PartitionsInKeyOrder_AndRowCounts()
    {
        await SeedAsync();

        var run = await CrawlAsync();

        Assert.Equal(("3", "0", "0"), (Result(run, "tables created"), Result(run, "tables updated"), Result(run, "tables unchanged")));
        var tables = await Catalog.ListTablesAsync("ecom");
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], tables.Select(t => t.Name));
        var transactions = tables.Single(t => t.Name == "transactions_data");
        Assert.Equal(
            [("transactionid", "bigint"), ("customerid", "bigint"), ("productid", "bigint"), ("timestamp", "timestamp"), ("amount", "decimal(10,2)"), ("country", "string")],
            transactions.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal("TransactionID", transactions.Columns[0].SourceName);
        Assert.Equal(["year", "month"], transactions.PartitionKeys.Select(k => k.Name));
        Assert.All(transactions.PartitionKeys, k => Assert.Equal("string", k.Type));
        Assert.Equal(("parquet", "parquet/transactions_data/", 2_000L, TableStatus.Active), (transactions.Classification, transactions.Location, transactions.RecordCount, transactions.Status));
        Assert.Equal(["bigint", "string", "string", "decimal(10,2)", "int"], tables.Single(t => t.Name == "catalog_data").Columns.Select(c => c.Type));
        Assert.Equal((200L, 20L), (tables.Single(t => t.Name == "customer_data").RecordCount, tables.Single(t => t.Name == "catalog_data").RecordCount));
        Assert.Equal(1, transactions.Version);

        var partitions = await Catalog.GetPartitionsAsync("ecom", "transactions_data");
        Assert.Equal(MonthsInTheData(), partitions.Count);
        Assert.Equal(partitions.OrderBy(p => p.Values[0], StringComparer.Ordinal).ThenBy(p => p.Values[1], StringComparer.Ordinal).Select(p => p.Location), partitions.Select(p => p.Location));
        Assert.All(partitions, p => Assert.Equal($"parquet/transactions_data/year={p.Values[0]}/month={p.Values[1]}/", p.Location));
        Assert.Equal(2_000, partitions.Sum(p => p.RecordCount));
        Assert.Equal(transactions.SizeKey, partitions.Sum(p => p.SizeBytes));
        // A new table's partitions come with it: none are counted as added to a table.
        Assert.Equal("0", Result(run, "partitions added"));
        Assert.Contains("created, 2,000 rows", Result(run, "table transactions_data"), StringComparison.Ordinal);
        Assert.Equal(["ecom"], await Catalog.ListDatabasesAsync());
    }

    [Fact]
    public async Task Lookups_IgnoreCase_AndAMissingTable_IsNull_WithNoPartitionsNorVersions()
    {
        await SeedAsync();
        await CrawlAsync();

        var found = await Catalog.GetTableAsync("ECOM", "Customer_Data");

        Assert.Equal(("ecom", "customer_data", 200L), (found?.Database, found?.Name, found?.RecordCount));
        Assert.Empty(found!.PartitionKeys);
        Assert.Empty(await Catalog.GetPartitionsAsync("ecom", "customer_data"));
        Assert.Equal(MonthsInTheData(), (await Catalog.GetPartitionsAsync("Ecom", "TRANSACTIONS_DATA")).Count);
        Assert.Null(await Catalog.GetTableAsync("ecom", "no_such_table"));
        Assert.Empty(await Catalog.GetPartitionsAsync("ecom", "no_such_table"));
        Assert.Empty(await Catalog.GetVersionsAsync("ecom", "no_such_table"));
        var version = Assert.Single(await Catalog.GetVersionsAsync("ECOM", "Catalog_Data"));
        Assert.Equal((1, TableChangeKind.Created), (version.Version, Assert.Single(version.Changes).Kind));
    }

    [Fact]
    public async Task AfterASchemaChange_TheTableGetsANewVersion_AndAGoneFolderIsDeprecated_AsTheRunHistorySays()
    {
        await WriteParquetAsync("orders", "SELECT range AS id, 'a' AS note FROM range(10)");
        await WriteParquetAsync("returns", "SELECT range AS id FROM range(5)");
        Assert.Equal("2", Result(await CrawlAsync(), "tables created"));

        await WriteParquetAsync("orders", "SELECT range::INT AS id, 'a' AS note, 2.5::DOUBLE AS price FROM range(10)");
        await Lake.DeleteAsync("parquet/returns/part-0.parquet");
        var run = await CrawlAsync();

        Assert.Equal(("0", "1", "0", "1"), (Result(run, "tables created"), Result(run, "tables updated"), Result(run, "tables unchanged"), Result(run, "tables deprecated")));
        Assert.Contains("column price added (double)", Result(run, "table orders"), StringComparison.Ordinal);
        var orders = (await Catalog.GetTableAsync("ecom", "orders"))!;
        Assert.Equal((2, TableStatus.Active), (orders.Version, orders.Status));
        Assert.Equal([("id", "int"), ("note", "string"), ("price", "double")], orders.Columns.Select(c => (c.Name, c.Type)));
        var versions = await Catalog.GetVersionsAsync("ecom", "orders");
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Contains(new TableChange(TableChangeKind.ColumnAdded, "price", After: "double"), versions[0].Changes);
        Assert.Contains(new TableChange(TableChangeKind.TypeChanged, "id", "bigint", "int"), versions[0].Changes);
        Assert.Equal([("id", "bigint"), ("note", "string")], versions[1].Columns.Select(c => (c.Name, c.Type)));
        var comparison = Services.GetRequiredService<ICatalogService>().Compare(versions[1], versions[0]);
        Assert.Equal([("id", ColumnState.TypeChanged), ("note", ColumnState.Same), ("price", ColumnState.Added)], comparison.Columns.Select(c => (c.Name, c.State)));

        var returns = (await Catalog.GetTableAsync("ecom", "returns"))!;
        Assert.Equal((TableStatus.Deprecated, 2), (returns.Status, returns.Version));
        Assert.Equal(TableChangeKind.Deprecated, Assert.Single((await Catalog.GetVersionsAsync("ecom", "returns"))[0].Changes).Kind);
    }

    [Fact]
    public async Task ACrawlWithNothingNew_LeavesTablesUnchanged_AndANewPartitionIsAddedAndCounted()
    {
        await WriteParquetAsync("events/day=1", "SELECT range AS id FROM range(3)");
        await CrawlAsync();

        var again = await CrawlAsync();
        await WriteParquetAsync("events/day=2", "SELECT range AS id FROM range(4)");
        var added = await CrawlAsync();

        Assert.Equal(("0", "0", "1", "0"), (Result(again, "tables created"), Result(again, "tables updated"), Result(again, "tables unchanged"), Result(again, "partitions added")));
        Assert.Equal(("1", "1"), (Result(added, "tables updated"), Result(added, "partitions added")));
        Assert.Contains("partitions added: day=2", Result(added, "table events"), StringComparison.Ordinal);
        var events = (await Catalog.GetTableAsync("ecom", "events"))!;
        Assert.Equal((7L, "day"), (events.RecordCount, Assert.Single(events.PartitionKeys).Name));
        Assert.Equal([("1", 3L), ("2", 4L)], (await Catalog.GetPartitionsAsync("ecom", "events")).Select(p => (p.Values[0], p.RecordCount)));
    }

    /// <summary>Generates and converts the three datasets (transactions by month) and puts their Parquet in the lake under test.</summary>
    private async Task SeedAsync()
    {
        await _producer.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, 2_000));
        await _producer.Services.ConvertAllAsync();
        var produced = _producer.Get<IObjectStore>();
        foreach (var item in (await produced.ListAsync("parquet/")).Objects)
        {
            await using var read = await produced.OpenReadAsync(item.Key);
            await using var write = await Lake.OpenWriteAsync(item.Key);
            await read.CopyToAsync(write.Stream);
            await write.CommitAsync();
        }
    }

    /// <summary>A Parquet file written by DuckDB at <c>parquet/&lt;folder&gt;/part-0.parquet</c> (replacing one there).</summary>
    private async Task WriteParquetAsync(string folder, string select)
    {
        using var scratch = new TempDirectory();
        var path = Path.Combine(scratch.Path, "part-0.parquet");
        using (var duck = new DuckDb())
        {
            duck.Scalar($"COPY ({select}) TO {DuckDb.Literal(path)} (FORMAT PARQUET)");
        }

        await using var read = File.OpenRead(path);
        await using var write = await Lake.OpenWriteAsync($"parquet/{folder}/part-0.parquet");
        await read.CopyToAsync(write.Stream);
        await write.CommitAsync();
    }

    private long MonthsInTheData()
    {
        using var duck = new DuckDb();
        return duck.Long($"SELECT count(DISTINCT strftime(Timestamp, '%Y-%m')) FROM read_parquet({DuckDb.Literal(Path.Combine(_producer.LakePath, "parquet", "transactions_data") + "/**/*.parquet")})");
    }

    private async Task<JobRun> CrawlAsync()
    {
        var run = await Services.CrawlAsync();
        Assert.True(run.Status == JobStatus.Succeeded, $"The crawl ended {run.Status}: {run.Error}");
        return run;
    }

    private static string Result(JobRun run, string name) => run.Results!.Single(r => r.Name == name).Value;
}

/// <summary>The in-process crawler into the ops database's catalog, over the local lake folder.</summary>
public sealed class LocalCatalogContractTests : CatalogContractTests
{
    private readonly CoreHost _host = new();

    protected override IServiceProvider Services => _host.Services;

    public override void Dispose()
    {
        _host.Dispose();
        base.Dispose();
    }
}
