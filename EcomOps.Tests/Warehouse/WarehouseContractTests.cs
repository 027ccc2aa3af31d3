using System.Globalization;
using System.Text;
using EcomOps.Core.Generation;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Warehouse;

/// <summary>
/// What every <see cref="IWarehouse"/> does, run against each one (the local DuckDB warehouse, Redshift through the Data
/// API on a loopback stand-in), so that loads and their monitoring read the same on either backend.
/// </summary>
public abstract class WarehouseContractTests : IAsyncLifetime
{
    protected const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    protected const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";
    protected const string Good1 = "1,10,100,2024-03-01 10:00:00,12.50,Chile";
    protected const string Good2 = "2,10,101,2024-03-01 11:00:00,3.00,Peru";

    /// <summary>The lake and the local machinery (generation, conversion) the loads read from.</summary>
    protected CoreHost Host { get; } = new();

    /// <summary>The warehouse under test.</summary>
    protected IWarehouse Warehouse { get; private set; } = null!;

    public async Task InitializeAsync() => Warehouse = await CreateWarehouseAsync();

    public virtual Task DisposeAsync()
    {
        Host.Dispose();
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    protected abstract Task<IWarehouse> CreateWarehouseAsync();

    [Fact]
    public async Task Init_CreatesTheDdlsTables_AndRepeatingItIsSafe()
    {
        var created = await Warehouse.InitAsync();

        Assert.Equal(["public.customer_data", "public.catalog_data", "public.transactions_data"], created);
        Assert.Empty(await Warehouse.InitAsync());
        var tables = await Warehouse.ListTablesAsync();
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], tables.Select(t => t.Name).Order());
        Assert.All(tables, t => Assert.Equal((0L, "public"), (t.Rows, t.Schema)));
        var transactions = tables.Single(t => t.Name == "transactions_data");
        Assert.Equal(["transactionid", "customerid", "productid", "timestamp", "amount", "country"], transactions.Columns.Select(c => c.Name.ToLowerInvariant()));
        Assert.Equal("DECIMAL(10,2)", transactions.Columns.Single(c => c.Name.Equals("amount", StringComparison.OrdinalIgnoreCase)).Type.Sql);
    }

    [Fact]
    public async Task ACsvCopy_AndAParquetCopyOfTheSameDataset_LoadTheSameRows()
    {
        await Host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 30, 100));
        await Host.Services.ConvertAllAsync();
        await Warehouse.InitAsync();

        var csv = await CopyAsync($"COPY customer_data FROM 's3://ecomops-lake/raw/customer_data/' {Role} CSV IGNOREHEADER 1");
        var fromCsv = await FingerprintAsync();
        var parquet = await Warehouse.CopyAsync(CopyParser.Parse($"COPY customer_data FROM 's3://ecomops-lake/parquet/customer_data/' {Role} FORMAT AS PARQUET"), new LoadRunContext("test", ReplaceRows: true));

        Assert.Equal((LoadStatus.Completed, 200L, 0L), (csv.Status, csv.LoadedRows, csv.Errors));
        Assert.Equal((LoadStatus.Completed, 200L, 0L), (parquet.Status, parquet.LoadedRows, parquet.Errors));
        Assert.Equal(fromCsv, await FingerprintAsync());
        Assert.Equal(200, await RowsAsync("customer_data"));
        var loads = await Warehouse.LoadsAsync(new LoadFilter(Table: "customer_data"));
        Assert.Equal([("parquet", 200L), ("csv", 200L)], loads.Select(l => (l.FileFormat, l.LoadedRows)));
    }

    [Fact]
    public async Task TheFirstCopy_IntoANewWarehouse_CreatesTheDdlsTablesFirst_AndLoads()
    {
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2);

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1");

        Assert.Equal((LoadStatus.Completed, 2L), (outcome.Status, outcome.LoadedRows));
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], (await Warehouse.ListTablesAsync()).Select(t => t.Name).Order());
    }

    [Fact]
    public async Task OverMaxError_TheLoadAborts_LoadsNothing_AndTheRejectedRowsAreListed()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,ten,100,2024-03-01 10:00:00,3.00,Peru", "3,11,100,2024-02-30 10:00:00,4.00,Peru", Good2);

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 1");

        Assert.Equal((LoadStatus.Aborted, 0L, 2L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Contains("MAXERROR 1", outcome.Message);
        Assert.Equal(0, await RowsAsync("transactions_data"));
        var errors = await Warehouse.ErrorsAsync(outcome.QueryId);
        Assert.Equal(
            [(3L, "customerid", "ten"), (4L, "timestamp", "2024-02-30 10:00:00")],
            errors.Select(e => (e.LineNumber, e.ColumnName, e.RawFieldValue)));
        Assert.All(errors, e => Assert.Equal("s3://ecomops-lake/raw/wh/transactions.csv", e.FileName));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ErrorReason)));
        Assert.Equal("2,ten,100,2024-03-01 10:00:00,3.00,Peru", errors[0].RawLine);
        var load = Assert.Single(await Warehouse.LoadsAsync(new LoadFilter(FailedOnly: true)));
        Assert.Equal((outcome.QueryId, LoadStatus.Aborted, 2L, 0L), (load.QueryId, load.Status, load.ErrorCount, load.LoadedRows));
    }

    [Fact]
    public async Task AReplacingLoad_LeavesTheFilesRowsOnly_AndOneThatAborts_LeavesTheOldRows()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2);
        var copy = CopyParser.Parse($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1");
        await Warehouse.CopyAsync(copy, new LoadRunContext("test"));

        var replaced = await Warehouse.CopyAsync(copy, new LoadRunContext("test", ReplaceRows: true));

        Assert.Equal((LoadStatus.Completed, 2L), (replaced.Status, replaced.LoadedRows));
        Assert.Equal(2, await RowsAsync("transactions_data"));

        await PutAsync("raw/wh/transactions.csv", Header, "3,10,100,2024-03-01 10:00:00,12.50,Chile", "4,10,x,2024-03-01 10:00:00,3.00,Peru");
        var aborted = await Warehouse.CopyAsync(copy, new LoadRunContext("test", ReplaceRows: true));

        Assert.Equal(LoadStatus.Aborted, aborted.Status);
        var ids = await Warehouse.QueryAsync("SELECT TransactionID FROM transactions_data ORDER BY 1");
        Assert.Equal([1L, 2L], ids.Rows.Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task TheLoadList_FiltersByStatusTableAndTime()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/good/transactions.csv", Header, Good1, Good2);
        await PutAsync("raw/bad/transactions.csv", Header, "5,x,100,2024-03-01 10:00:00,3.00,Peru");
        await PutAsync("raw/customers/customers.csv", "CustomerID,Name,Email,Country,SignupDate", "10,Ada,ada@example.com,Chile,2024-01-02");
        var good = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/good/' {Role} CSV IGNOREHEADER 1");
        var bad = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/bad/' {Role} CSV IGNOREHEADER 1");
        var customers = await CopyAsync($"COPY customer_data FROM 's3://ecomops-lake/raw/customers/' {Role} CSV IGNOREHEADER 1");

        var all = await Warehouse.LoadsAsync(new LoadFilter());

        Assert.Equal([customers.QueryId, bad.QueryId, good.QueryId], all.Select(l => l.QueryId));
        Assert.Equal(
            [("public.customer_data", LoadStatus.Completed, 1L, 0L, 1), ("public.transactions_data", LoadStatus.Aborted, 0L, 1L, 1), ("public.transactions_data", LoadStatus.Completed, 2L, 0L, 1)],
            all.Select(l => (l.TableName, l.Status, l.LoadedRows, l.ErrorCount, l.SourceFileCount)));
        Assert.All(all, l => Assert.Equal("csv", l.FileFormat));
        Assert.Equal("s3://ecomops-lake/raw/good/", all[2].DataSource);
        Assert.Equal([bad.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Status: LoadStatus.Aborted))).Select(l => l.QueryId));
        Assert.Equal([bad.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(FailedOnly: true))).Select(l => l.QueryId));
        Assert.Equal([bad.QueryId, good.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Table: "transactions_data"))).Select(l => l.QueryId));
        Assert.Equal([customers.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Table: "public.customer_data"))).Select(l => l.QueryId));
        Assert.Equal([customers.QueryId, bad.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Since: all[1].StartTime))).Select(l => l.QueryId));
        Assert.Equal([good.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Until: all[1].StartTime))).Select(l => l.QueryId));
        Assert.Empty(await Warehouse.LoadsAsync(new LoadFilter(Table: "catalog_data")));
        Assert.Equal([customers.QueryId], (await Warehouse.LoadsAsync(new LoadFilter(Limit: 1))).Select(l => l.QueryId));
        Assert.Equal(good.QueryId, (await Warehouse.GetLoadAsync(good.QueryId))?.QueryId);
        Assert.Null(await Warehouse.GetLoadAsync(987_654_321));
    }

    [Fact]
    public async Task NoLoad_ChecksEveryRow_AndLoadsNothing()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,10,x7,2024-03-01 10:00:00,3.00,Peru");

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 10 NOLOAD");

        Assert.True(outcome.NoLoad);
        Assert.Equal((LoadStatus.Completed, 0L, 1L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Contains("nothing was loaded", outcome.Message);
        Assert.Equal(0, await RowsAsync("transactions_data"));
    }

    [Fact]
    public async Task TheMonitoringQueries_RunUnchanged_AndSeeTheLoadAndItsError()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,10,x7,2024-03-01 10:00:00,3.00,Peru");
        await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 3");
        var queries = System.Text.RegularExpressions.Regex.Split(File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", "redshift_monitoring.sql")), "^-- name:", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Skip(1)
            .Select(q => string.Join('\n', q.Split('\n').Skip(1).Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim().TrimEnd(';'))
            .ToList();
        Assert.Equal(4, queries.Count);

        foreach (var query in queries)
        {
            Assert.NotEmpty((await Warehouse.QueryAsync(query)).Rows);
        }

        var last = await Warehouse.QueryAsync("SELECT line_number, trim(colname) AS colname FROM stl_load_errors WHERE query = pg_last_copy_id()");
        Assert.Equal(["3", "productid"], Assert.Single(last.Rows).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("DELETE FROM transactions_data")]
    [InlineData("SELECT 1; DROP TABLE transactions_data")]
    [InlineData("COPY transactions_data TO '/tmp/out.csv'")]
    [InlineData("INSERT INTO transactions_data (TransactionID, CustomerID, ProductID) VALUES (1, 2, 3)")]
    public async Task AWarehouseQuery_ThatWouldChangeData_IsRefused_AndChangesNothing(string sql)
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);
        await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1");

        await Assert.ThrowsAsync<QueryRefusedException>(() => Warehouse.QueryAsync(sql));

        Assert.Equal(3, (await Warehouse.ListTablesAsync()).Count);
        Assert.Equal(1, await RowsAsync("transactions_data"));
    }

    [Theory]
    [InlineData("COPY no_such_table FROM 's3://ecomops-lake/raw/wh/' CSV", "has no table public.no_such_table")]
    [InlineData("COPY transactions_data (transactionid, nope) FROM 's3://ecomops-lake/raw/wh/' CSV", "Column 'nope'")]
    public async Task ACopyThatCannotRun_IsRefusedWithWhatToChange_AndNothingIsRecorded(string copy, string expected)
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);

        var error = await Assert.ThrowsAsync<LoadRefusedException>(() => CopyAsync(copy));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(await Warehouse.LoadsAsync(new LoadFilter()));
    }

    protected Task<LoadOutcome> CopyAsync(string copy) => Warehouse.CopyAsync(CopyParser.Parse(copy), new LoadRunContext("test"));

    protected async Task<long> RowsAsync(string table) => (await Warehouse.ListTablesAsync()).Single(t => t.Name == table).Rows;

    protected async Task PutAsync(string key, params string[] lines)
    {
        await using var write = await Host.Get<IObjectStore>().OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        await write.CommitAsync();
    }

    // What a user would compare: how many, which ids, and the first and last of each text and date column.
    private async Task<string> FingerprintAsync()
    {
        var result = await Warehouse.QueryAsync(
            "SELECT count(*), sum(CustomerID), min(Name), max(Name), min(Email), max(Country), min(SignupDate), max(SignupDate), count(DISTINCT SignupDate) FROM customer_data");
        return string.Join("|", result.Rows.Single().Select(v => v switch
        {
            DateTime time => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        }));
    }
}

/// <summary>The contract on the local DuckDB warehouse.</summary>
public sealed class LocalWarehouseContractTests : WarehouseContractTests
{
    protected override Task<IWarehouse> CreateWarehouseAsync() => Task.FromResult(Host.Get<IWarehouse>());
}
