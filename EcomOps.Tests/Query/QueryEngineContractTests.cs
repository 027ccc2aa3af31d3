using System.Globalization;
using EcomOps.Core.Query;
using EcomOps.Tests.Aws;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Query;

/// <summary>
/// What every <see cref="IQueryEngine"/> does, run against each one (DuckDB locally, Athena through its stand-in) over the
/// same tables: the same columns with Athena's type names, the same rows as the same .NET values, the same row cap,
/// refusals and errors. The expected values are read from the Parquet files without either engine.
/// </summary>
public abstract class QueryEngineContractTests(QueryLakeFixture lake)
{
    private const string LongQuery = "SELECT sum(a.range * b.range) AS total FROM range(300000) a, range(300000) b";

    protected QueryLakeFixture Lake { get; } = lake;

    /// <summary>The engine under test.</summary>
    protected abstract IQueryEngine Engine { get; }

    /// <summary>Checks that nothing reached the remote service (for engines that have one).</summary>
    protected virtual void AssertNothingSent()
    {
    }

    /// <summary>Checks that a cancelled query's remote work was stopped (for engines that have one).</summary>
    protected virtual Task AssertRemoteWorkStoppedAsync() => Task.CompletedTask;

    [Fact]
    public async Task EachDatasetsColumns_HaveAthenasTypes_AndTheFilesValues_AsTheSameDotNetTypes()
    {
        var transactions = await Engine.RunAsync("""SELECT transactionid, customerid, "timestamp", amount, country, year, month FROM ecom.transactions_data ORDER BY transactionid LIMIT 5""");
        var products = await Engine.RunAsync("SELECT productid, productname, category, price, stock FROM ecom.catalog_data ORDER BY productid LIMIT 5");
        var customers = await Engine.RunAsync("SELECT customerid, name, email, country, signupdate FROM ecom.customer_data ORDER BY customerid LIMIT 5");

        Assert.Equal(
            [("transactionid", "bigint"), ("customerid", "bigint"), ("timestamp", "timestamp"), ("amount", "decimal(10,2)"), ("country", "varchar"), ("year", "varchar"), ("month", "varchar")],
            transactions.Columns.Select(c => (c.Name, c.Type)));
        Assert.Equal(["bigint", "varchar", "varchar", "decimal(10,2)", "integer"], products.Columns.Select(c => c.Type));
        Assert.Equal(["bigint", "varchar", "varchar", "varchar", "date"], customers.Columns.Select(c => c.Type));

        using var duck = new DuckDb();
        var expected = duck.Rows($"""SELECT TransactionID, CustomerID, "Timestamp", Amount, Country FROM {Files("transactions_data")} ORDER BY TransactionID LIMIT 5""");
        Assert.Equal(expected.Select(r => r.Concat([((DateTime)r[2]!).ToString("yyyy", CultureInfo.InvariantCulture), ((DateTime)r[2]!).ToString("MM", CultureInfo.InvariantCulture)])), transactions.Rows);
        Assert.Equal(duck.Rows($"SELECT ProductID, ProductName, Category, Price, Stock FROM {Files("catalog_data")} ORDER BY ProductID LIMIT 5"), products.Rows);
        Assert.Equal(duck.Rows($"SELECT CustomerID, Name, Email, Country, SignupDate FROM {Files("customer_data")} ORDER BY CustomerID LIMIT 5"), customers.Rows);

        Assert.Equal([typeof(long), typeof(long), typeof(DateTime), typeof(decimal), typeof(string), typeof(string), typeof(string)], transactions.Rows[0].Select(v => v!.GetType()));
        Assert.Equal([typeof(long), typeof(string), typeof(string), typeof(decimal), typeof(int)], products.Rows[0].Select(v => v!.GetType()));
        Assert.IsType<DateOnly>(customers.Rows[0][4]);
    }

    [Fact]
    public async Task Literals_OfEachType_ComeBackExactly_WithMillisecondsAndTheDecimalsScale()
    {
        var result = await Engine.RunAsync("""
            SELECT CAST(1.5 AS DOUBLE) AS ratio, true AS flag, CAST(7 AS SMALLINT) AS small, CAST(12.5 AS DECIMAL(10,2)) AS price,
                   TIMESTAMP '2024-05-06 07:08:09.123' AS at, DATE '2024-02-29' AS day, 'it''s' AS text, CAST(-3 AS INTEGER) AS whole
            """);

        Assert.Equal(["double", "boolean", "smallint", "decimal(10,2)", "timestamp", "date", "varchar", "integer"], result.Columns.Select(c => c.Type));
        Assert.Equal(
            new object?[] { 1.5d, true, (short)7, 12.50m, new DateTime(2024, 5, 6, 7, 8, 9, 123), new DateOnly(2024, 2, 29), "it's", -3 },
            Assert.Single(result.Rows));
        Assert.Equal("12.50", QueryValueText.Format(result.Rows[0][3], result.Columns[3].Type));
    }

    [Fact]
    public async Task Aggregates_GroupedAndOrdered_AreExact_AsTheFilesSay()
    {
        var result = await Engine.RunAsync("""
            SELECT country, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS average, min("timestamp") AS first_at, max(amount) AS top
            FROM ecom.transactions_data GROUP BY country ORDER BY revenue DESC, country
            """);

        Assert.Equal(["varchar", "bigint", "decimal(38,2)", "decimal(10,2)", "timestamp", "decimal(10,2)"], result.Columns.Select(c => c.Type));
        using var duck = new DuckDb();
        var expected = duck.Rows($"""SELECT Country, count(*), sum(Amount), min("Timestamp"), max(Amount) FROM {Files("transactions_data")} GROUP BY Country ORDER BY 3 DESC, 1""");
        Assert.Equal(
            expected.Select(r => new[] { r[0], r[1], r[2], Math.Round((decimal)r[2]! / (long)r[1]!, 2, MidpointRounding.AwayFromZero), r[3], r[4] }),
            result.Rows);
        Assert.True(result.Rows.Count > 1, "several countries, so the order is tested");
    }

    [Fact]
    public async Task Nulls_AreNull_InColumnsOfEveryType()
    {
        var result = await Engine.RunAsync("""
            SELECT CAST(NULL AS BIGINT) AS n, nullif(country, country) AS gone, CAST(NULL AS DECIMAL(10,2)) AS d, CAST(NULL AS DATE) AS day,
                   CAST(NULL AS TIMESTAMP) AS at, customerid
            FROM ecom.customer_data ORDER BY customerid LIMIT 2
            """);

        Assert.Equal(["bigint", "varchar", "decimal(10,2)", "date", "timestamp", "bigint"], result.Columns.Select(c => c.Type));
        Assert.Equal(2, result.Rows.Count);
        Assert.All(result.Rows, row => Assert.All(row[..5], Assert.Null));
        Assert.All(result.Rows, row => Assert.IsType<long>(row[5]));
    }

    [Fact]
    public async Task AnEmptyResult_StillHasItsColumns()
    {
        // Decimal columns are left out: DuckDB.NET reports an empty result's decimal as decimal(0,0) (a local gap, not the contract's).
        var result = await Engine.RunAsync("SELECT transactionid, country FROM ecom.transactions_data WHERE year = '1999'");

        Assert.Equal([("transactionid", "bigint"), ("country", "varchar")], result.Columns.Select(c => (c.Name, c.Type)));
        Assert.Empty(result.Rows);
        Assert.False(result.Truncated);
    }

    [Fact]
    public async Task ALimitBeyondTheRowCap_KeepsTheFirstRows_AndSaysTruncated_ButExactlyTheCapIsNot()
    {
        var capped = await Engine.RunAsync("SELECT transactionid FROM ecom.transactions_data ORDER BY transactionid LIMIT 50", maxRows: 10);
        var exact = await Engine.RunAsync("SELECT transactionid FROM ecom.transactions_data ORDER BY transactionid LIMIT 10", maxRows: 10);

        using var duck = new DuckDb();
        var first = duck.Rows($"SELECT TransactionID FROM {Files("transactions_data")} ORDER BY 1 LIMIT 10");
        Assert.True(capped.Truncated);
        Assert.Equal(first, capped.Rows);
        Assert.False(exact.Truncated);
        Assert.Equal(first, exact.Rows);
    }

    [Fact]
    public async Task Streaming_HandsEveryRowToTheWriter_AndStopsWhenTheWriterHasEnough()
    {
        var all = new Rows();
        var summary = await Engine.StreamAsync("SELECT transactionid, amount FROM ecom.transactions_data ORDER BY transactionid", all);

        Assert.Equal(QueryLakeFixture.Transactions, summary.Rows);
        Assert.Equal([("transactionid", "bigint"), ("amount", "decimal(10,2)")], all.Columns.Select(c => (c.Name, c.Type)));
        using var duck = new DuckDb();
        Assert.Equal(duck.Rows($"SELECT TransactionID, Amount FROM {Files("transactions_data")} ORDER BY 1"), all.Received);

        var three = new Rows(wanted: 3);
        Assert.Equal(3, (await Engine.StreamAsync("SELECT transactionid FROM ecom.transactions_data ORDER BY transactionid", three)).Rows);
        Assert.Equal(all.Received.Take(3).Select(r => r[0]), three.Received.Select(r => r[0]));
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2", "Only one statement")]
    [InlineData("SELECT 1 /* ; */; DROP TABLE x", "Only one statement")]
    [InlineData("COPY (SELECT 1) TO 'out.csv'", "No COPY")]
    [InlineData("CREATE TABLE t AS SELECT 1", "Read-only")]
    [InlineData("INSERT INTO transactions_data VALUES (1)", "Read-only")]
    [InlineData("DELETE FROM transactions_data", "Read-only")]
    [InlineData("DROP TABLE transactions_data", "Read-only")]
    [InlineData("SET threads = 1", "No SET, RESET, PRAGMA or CALL")]
    [InlineData("EXPLAIN COPY (SELECT 1) TO 'x'", "No COPY")]
    public async Task NonQueries_AreRefused_SayingWhichRule_BeforeAnythingRuns(string sql, string rule)
    {
        var error = await Assert.ThrowsAsync<QueryRefusedException>(() => Engine.RunAsync(sql));

        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        AssertNothingSent();
    }

    [Fact]
    public async Task AStatementThatDoesNotParse_Fails_BeforeAnythingRuns()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT FROM WHERE"));

        Assert.Contains("does not parse", error.Message, StringComparison.Ordinal);
        AssertNothingSent();
    }

    [Fact]
    public async Task ATableTheCatalogDoesNotHave_Fails_NamingIt_AndSaysToCrawl()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT count(*) FROM ecom.orders"));

        Assert.Contains("orders", error.Message, StringComparison.Ordinal);
        Assert.Contains("crawl the lake first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_StopsTheRunningQuery()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.RunAsync(LongQuery, cancellationToken: cancel.Token));

        await AssertRemoteWorkStoppedAsync();
    }

    private string Files(string dataset) =>
        $"read_parquet({DuckDb.Literal(Lake.Parquet(dataset) + "/**/*.parquet")}{(dataset == "transactions_data" ? ", hive_partitioning = true" : "")})";

    /// <summary>Keeps the rows it is handed, up to <c>wanted</c>.</summary>
    private sealed class Rows(int wanted = int.MaxValue) : IQueryRowWriter
    {
        public IReadOnlyList<QueryColumn> Columns { get; private set; } = [];

        public List<object?[]> Received { get; } = [];

        public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken)
        {
            Columns = columns;
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
        {
            if (Received.Count == wanted)
            {
                return ValueTask.FromResult(false);
            }

            Received.Add(row);
            return ValueTask.FromResult(true);
        }
    }
}

/// <summary>The contract on the Local backend's engine, DuckDB.</summary>
[Collection(QueryLakeCollection.Name)]
public sealed class DuckDbQueryEngineContractTests(QueryLakeFixture lake) : QueryEngineContractTests(lake)
{
    protected override IQueryEngine Engine => Lake.LocalEngine;
}

/// <summary>The contract on the Aws backend's engine, Athena, as registered, against the stand-in doing the work on DuckDB.</summary>
[Collection(QueryLakeCollection.Name)]
public sealed class AthenaQueryEngineContractTests : QueryEngineContractTests, IDisposable
{
    private readonly AthenaStandIn _athena;
    private readonly CoreHost _host;

    public AthenaQueryEngineContractTests(QueryLakeFixture lake)
        : base(lake)
    {
        _athena = new AthenaStandIn(lake.LocalEngine);
        _host = AthenaTestHost.Create(_athena);
    }

    protected override IQueryEngine Engine => _host.Get<IQueryEngine>();

    public void Dispose()
    {
        _host.Dispose();
        _athena.Dispose();
    }

    protected override void AssertNothingSent() => Assert.Empty(_athena.Operations);

    protected override async Task AssertRemoteWorkStoppedAsync()
    {
        var id = Assert.Single(_athena.Started);
        Assert.Equal([id], _athena.Stopped);
        await Eventually.UntilAsync(() => Task.FromResult(_athena.HasEnded(id)));
    }
}
