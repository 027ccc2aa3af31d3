using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Query;

/// <summary>Athena SQL on the local engine: the catalog's tables, Athena's answers, and nothing outside the lake.</summary>
public sealed class DuckDbQueryEngineTests : IDisposable
{
    private readonly CoreHost _host = new(configuration: new() { ["EcomOps:Query:TimeoutSeconds"] = "2" });

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IQueryEngine Engine => _host.Get<IQueryEngine>();

    [Fact]
    public async Task ACrawledTable_IsQueriedByItsCatalogName_WithPartitionsAsStrings_AndExactSums()
    {
        await LoadAsync();

        var result = await Engine.RunAsync("""
            SELECT country, sum(amount) AS revenue, count(*) AS orders
            FROM ecom.transactions_data
            WHERE year = '2024' AND month = '06'
            GROUP BY country
            ORDER BY revenue DESC, country
            """);

        Assert.Equal(["country", "revenue", "orders"], result.Columns.Select(c => c.Name));
        using var duck = new DuckDb();
        var expected = duck.Rows($"""
            SELECT Country, sum(Amount), count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(_host.LakePath, "parquet", "transactions_data") + "/**/*.parquet")}, hive_partitioning = true)
            WHERE year = 2024 AND month = 6 GROUP BY Country ORDER BY 2 DESC, 1
            """);
        Assert.Equal(expected.Select(r => (r[0], r[1], Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture))),
            result.Rows.Select(r => (r[0], r[1], Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.IsType<decimal>(result.Rows[0][1]);
    }

    [Fact]
    public async Task BytesScanned_AreTheColumnsReadInTheFilesLeftAfterPruning_AndTheCostFollows()
    {
        await LoadAsync();
        var table = (await _host.Get<ICatalog>().GetTableAsync("ecom", "transactions_data"))!;

        var all = await Engine.RunAsync("SELECT * FROM ecom.transactions_data");
        var month = await Engine.RunAsync("SELECT sum(amount) FROM ecom.transactions_data WHERE year = '2024' AND month = '06'");

        Assert.NotNull(all.BytesScanned);
        Assert.NotNull(month.BytesScanned);
        Assert.InRange(all.BytesScanned!.Value, 1, table.SizeKey);
        Assert.True(month.BytesScanned < all.BytesScanned / 5, $"one month, one column read {month.BytesScanned:N0} bytes; the whole table {all.BytesScanned:N0}");

        // What the footers say those columns of those files hold, counted here without the engine.
        using var duck = new DuckDb();
        var folder = Path.Combine(_host.LakePath, "parquet", "transactions_data");
        Assert.Equal(duck.Long($"SELECT CAST(sum(total_compressed_size) AS BIGINT) FROM parquet_metadata({DuckDb.Literal(folder + "/**/*.parquet")})"), all.BytesScanned);
        Assert.Equal(
            duck.Long($"SELECT CAST(sum(total_compressed_size) AS BIGINT) FROM parquet_metadata({DuckDb.Literal(folder + "/year=2024/month=06/*.parquet")}) WHERE path_in_schema = 'Amount'"),
            month.BytesScanned);

        // A profile names only a scan's first files; the rest are those its partition filter keeps.
        var year = await Engine.RunAsync("SELECT sum(amount) FROM ecom.transactions_data WHERE year = '2024'");
        Assert.Equal(
            duck.Long($"SELECT CAST(sum(total_compressed_size) AS BIGINT) FROM parquet_metadata({DuckDb.Literal(folder + "/year=2024/*/*.parquet")}) WHERE path_in_schema = 'Amount'"),
            year.BytesScanned);
        Assert.True(Directory.GetDirectories(Path.Combine(folder, "year=2024")).Length > 6, "enough months that the profile does not list them all");

        // Athena bills at least 10 MB a query: $5 per TB of that.
        Assert.Equal(10m * 1024 * 1024 * 5 / (1L << 40), month.CostUsd);
        // Each query's profile folder is removed once its database is closed, after the answer; one is kept ready for the next query.
        await Eventually.UntilAsync(() => Task.FromResult(Directory.EnumerateFileSystemEntries(Path.Combine(_host.DataRoot, "duckdb-home", "profiles")).Count() <= 1));
    }

    [Fact]
    public async Task NamesResolveAsInAthena_UnqualifiedAndInAnyCase_AndTimestampQuoted()
    {
        await LoadAsync();

        var result = await Engine.RunAsync("""SELECT CustomerID, "timestamp" FROM Transactions_Data ORDER BY "timestamp" LIMIT 3""");

        Assert.Equal(3, result.Rows.Count);
        Assert.IsType<DateTime>(result.Rows[0][1]);
    }

    [Fact]
    public async Task IntegerColumnsDivideAsIntegers_AndADecimalAverageStaysADecimal_AsInAthena()
    {
        await LoadAsync();

        var result = await Engine.RunAsync("SELECT sum(stock) / count(*) AS per_product, avg(price) AS average_price, sum(stock) AS stock, count(*) AS products, sum(price) / count(*) AS mean_price, avg(price) / 3 AS third FROM ecom.catalog_data");
        var row = Assert.Single(result.Rows);

        var stock = Convert.ToInt64(row[2], System.Globalization.CultureInfo.InvariantCulture);
        var products = Convert.ToInt64(row[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(stock / products, Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture));
        using var duck = new DuckDb();
        var exact = duck.Rows($"SELECT sum(Price), count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(_host.LakePath, "parquet", "catalog_data") + "/*.parquet")})")[0];
        var average = Math.Round((decimal)exact[0]! / Convert.ToInt64(exact[1], System.Globalization.CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero);
        Assert.Equal(average, Assert.IsType<decimal>(row[1]));

        // Dividing decimals stays exact, rounded half up to the scale, as Trino does.
        Assert.Equal((average, "decimal(38,2)"), (Assert.IsType<decimal>(row[4]), result.Columns[4].Type));
        Assert.Equal(Math.Round(average / 3, 2, MidpointRounding.AwayFromZero), Assert.IsType<decimal>(row[5]));
    }

    [Fact]
    public async Task ATableTheCatalogDoesNotHave_SaysToCrawl()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT * FROM ecom.orders"));

        Assert.Contains("crawl the lake first", error.Message);
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2", "Only one statement")]
    [InlineData("SELECT 1; -- the rest is a comment?\nCOPY (SELECT 1) TO 'x.csv'", "Only one statement")]
    [InlineData("SELECT 1 /* ; */; DROP TABLE x", "Only one statement")]
    [InlineData("SELECT 1 /* hidden */; SELECT 2", "Only one statement")]
    [InlineData("COPY (SELECT 1) TO 'out.csv'", "No COPY")]
    [InlineData("ATTACH 'other.db'", "No ATTACH")]
    [InlineData("INSTALL httpfs", "No INSTALL or LOAD")]
    [InlineData("LOAD httpfs", "No INSTALL or LOAD")]
    [InlineData("SET threads = 1", "No SET, RESET, PRAGMA or CALL")]
    [InlineData("PRAGMA database_list", "No SET, RESET, PRAGMA or CALL")]
    [InlineData("CREATE TABLE t AS SELECT 1", "Read-only")]
    [InlineData("DELETE FROM transactions_data", "Read-only")]
    [InlineData("EXPLAIN COPY (SELECT 1) TO 'x'", "No COPY")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "No file access")]
    [InlineData("SELECT * FROM read_text('/etc/hostname')", "No file access")]
    [InlineData("SELECT * FROM glob('/etc/*')", "No file access")]
    [InlineData("SELECT * FROM read_parquet('/tmp/*.parquet')", "No file access")]
    [InlineData("SELECT * FROM 'ops.db'", "No file access")]
    public async Task EscapesFromTheLake_AreRefused_SayingWhichRule(string sql, string rule)
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => Engine.RunAsync(sql));

        Assert.Contains(rule, error.Message);
    }

    [Fact]
    public async Task FunctionsThatDoNotExistLocally_SaySo()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT no_such_function(1)"));

        Assert.Contains("not available in the local engine", error.Message);
    }

    [Theory]
    [InlineData("SELECT approx_distinct(x) FROM (VALUES (1), (2), (2)) t(x)", "2")]
    [InlineData("SELECT day_of_week(DATE '2024-05-06')", "1")]
    [InlineData("SELECT dow(DATE '2024-05-05')", "7")]
    [InlineData("SELECT day_of_year(DATE '2024-02-01')", "32")]
    [InlineData("SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", "0")]
    [InlineData("SELECT date_diff('month', DATE '2024-01-15', DATE '2024-02-14')", "0")]
    [InlineData("SELECT CAST(CAST(date_add('month', 1, DATE '2024-01-31') AS DATE) AS VARCHAR)", "2024-02-29")]
    [InlineData("SELECT CAST(CAST(date_add('day', -1, DATE '2024-03-01') AS DATE) AS VARCHAR)", "2024-02-29")]
    [InlineData("SELECT CAST(date_add('hour', 2, TIMESTAMP '2024-01-01 23:00:00') AS VARCHAR)", "2024-01-02 01:00:00")]
    [InlineData("SELECT regexp_like('abc', 'b')", "True")]
    [InlineData("SELECT regexp_extract('abc', 'x')", "NULL")]
    [InlineData("SELECT regexp_extract('a1b2', '[0-9]')", "1")]
    [InlineData("SELECT regexp_extract('a1b2', '([a-z])([0-9])', 2)", "1")]
    [InlineData("SELECT regexp_replace('a1b2', '([0-9])', '<$1>')", "a<1>b<2>")]
    [InlineData("SELECT regexp_replace('a1b2', '[0-9]')", "ab")]
    [InlineData("SELECT split_part('a,b', ',', 3)", "NULL")]
    [InlineData("SELECT split_part('a,b', ',', 2)", "b")]
    [InlineData("SELECT concat('a', NULL)", "NULL")]
    [InlineData("SELECT concat('a', 'b', 'c')", "abc")]
    [InlineData("SELECT cardinality(ARRAY[1, 2, 3])", "3")]
    [InlineData("SELECT cardinality(MAP(ARRAY['a', 'b'], ARRAY[1, 2]))", "2")]
    [InlineData("SELECT element_at(MAP(ARRAY['a', 'b'], ARRAY[1, 2]), 'b')", "2")]
    [InlineData("SELECT element_at(MAP(ARRAY['a', 'b'], ARRAY[1, 2]), 'z')", "NULL")]
    [InlineData("SELECT element_at(ARRAY[5, 6, 7], 1)", "5")]
    [InlineData("SELECT element_at(ARRAY[5, 6, 7], -1)", "7")]
    [InlineData("SELECT element_at(ARRAY[5, 6, 7], 9)", "NULL")]
    [InlineData("SELECT date_format(TIMESTAMP '2024-05-06 07:08:09', '%Y-%m-%d %H:%i:%s')", "2024-05-06 07:08:09")]
    [InlineData("SELECT date_format(DATE '2024-05-06', '%M %e, %Y')", "May 6, 2024")]
    [InlineData("SELECT CAST(date_parse('06/05/2024 07:08', '%d/%m/%Y %H:%i') AS VARCHAR)", "2024-05-06 07:08:00")]
    [InlineData("SELECT format_datetime(TIMESTAMP '2024-05-06 07:08:09', 'yyyy-MM-dd''T''HH:mm')", "2024-05-06T07:08")]
    [InlineData("SELECT CAST(from_iso8601_timestamp('2024-05-06T07:08:09Z') AS VARCHAR)", "2024-05-06 07:08:09+00")]
    [InlineData("SELECT 'approx_distinct(x); DROP TABLE t' AS s", "approx_distinct(x); DROP TABLE t")]
    [InlineData("SELECT 7 / 2", "3")]
    [InlineData("SELECT -7 / 2", "-3")]
    [InlineData("SELECT (5 + 4) / 2 * 2", "8")]
    [InlineData("SELECT 7.0 / 2", "3.5")]
    [InlineData("SELECT CAST(7 AS DOUBLE) / 2", "3.5")]
    [InlineData("SELECT count(*) / 2 FROM (VALUES (1), (2), (3)) t(x)", "1")]
    [InlineData("SELECT sum(DISTINCT x) FROM (VALUES (1), (1), (2)) t(x)", "3")]
    public async Task AthenaFunctions_GiveAthenasAnswers(string sql, string expected)
    {
        var result = await Engine.RunAsync(sql);

        var value = Assert.Single(Assert.Single(result.Rows));
        Assert.Equal(expected, value is null ? "NULL" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("SELECT CAST(10 AS DECIMAL(10,2)) / 3", "3.33", "decimal(10,2)")]
    [InlineData("SELECT CAST(2 AS DECIMAL(10,2)) / 3", "0.67", "decimal(10,2)")]
    [InlineData("SELECT CAST(-2 AS DECIMAL(10,2)) / 3", "-0.67", "decimal(10,2)")]
    [InlineData("SELECT CAST(0.01 AS DECIMAL(10,2)) / 8", "0.00", "decimal(10,2)")]
    [InlineData("SELECT CAST(1 AS DECIMAL(10,2)) / 8", "0.13", "decimal(10,2)")]
    [InlineData("SELECT CAST(-1 AS DECIMAL(10,2)) / 8", "-0.13", "decimal(10,2)")]
    [InlineData("SELECT 7.0 / 2", "3.5", "decimal(2,1)")]
    [InlineData("SELECT CAST(1 AS DECIMAL(10,2)) / CAST(3 AS DECIMAL(5,4))", "0.3333", "decimal(16,4)")]
    [InlineData("SELECT CAST(1 AS DOUBLE) / CAST(4 AS DECIMAL(10,2))", "0.25", "double")]
    public async Task DecimalDivision_IsExact_RoundsHalfUp_AndHasTrinosType(string sql, string expected, string type)
    {
        var result = await Engine.RunAsync(sql);

        var column = Assert.Single(result.Columns);
        Assert.Equal((expected, type), (QueryValueText.Format(Assert.Single(Assert.Single(result.Rows)), column.Type), column.Type));
    }

    [Theory]
    [InlineData("SELECT count(*) FROM range(200000) TABLESAMPLE BERNOULLI (10)", 200_000)]
    [InlineData("SELECT count(*) FROM range(4000000) t TABLESAMPLE SYSTEM (10)", 4_000_000)]
    public async Task TableSample_TakesAPercent_AsInAthena(string sql, long rows)
    {
        var count = Convert.ToInt64(Assert.Single(Assert.Single((await Engine.RunAsync(sql)).Rows)), System.Globalization.CultureInfo.InvariantCulture);

        // About a tenth: row by row for BERNOULLI, by blocks of rows for SYSTEM (so further from exactly 10%).
        Assert.InRange(count, rows / 20, rows * 3 / 10);
    }

    [Fact]
    public async Task TableSampleWords_InsideLiteralsAndQuotedNames_StayAsWritten()
    {
        var result = await Engine.RunAsync("SELECT 'TABLESAMPLE BERNOULLI (10)' AS \"TABLESAMPLE SYSTEM (10)\"");

        Assert.Equal("TABLESAMPLE SYSTEM (10)", Assert.Single(result.Columns).Name);
        Assert.Equal("TABLESAMPLE BERNOULLI (10)", Assert.Single(result.Rows)[0]);
    }

    [Fact]
    public async Task DecimalDivisionByZero_FailsAsInAthena()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT CAST(1 AS DECIMAL(10,2)) / 0"));

        Assert.Contains("Division by zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainOfAQuery_Runs()
    {
        var result = await Engine.RunAsync("EXPLAIN SELECT approx_distinct(x) FROM (VALUES (1)) t(x)");

        Assert.NotEmpty(result.Rows);
        Assert.StartsWith("EXPLAIN ", result.EngineSql);
    }

    [Fact]
    public async Task TheRowCap_KeepsTheFirstRows_AndSaysTheResultIsTruncated()
    {
        var result = await Engine.RunAsync("SELECT range AS n FROM range(1000)", maxRows: 10);

        Assert.Equal(10, result.Rows.Count);
        Assert.True(result.Truncated);
    }

    [Fact]
    public async Task AQueryLongerThanTheTimeLimit_IsStopped_WithAMessageNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine.RunAsync("SELECT sum(a.range * b.range) FROM range(300000) a, range(300000) b"));

        Assert.Contains("EcomOps:Query:TimeoutSeconds", error.Message);
    }

    [Fact]
    public async Task ResultColumns_HaveAthenasTypeNames_AndDecimalsKeepTheirScale()
    {
        await LoadAsync();

        var result = await Engine.RunAsync("""
            SELECT country, sum(amount) AS revenue, count(*) AS orders, avg(amount) AS average, min("timestamp") AS first_at,
                   CAST(12.5 AS decimal(10,2)) AS price, CAST(1.5 AS double) AS ratio, true AS flag, DATE '2024-01-02' AS day, ARRAY[1, 2] AS pair
            FROM ecom.transactions_data GROUP BY country ORDER BY country LIMIT 1
            """);

        Assert.Equal(
            ["varchar", "decimal(38,2)", "bigint", "decimal(10,2)", "timestamp", "decimal(10,2)", "double", "boolean", "date", "array(integer)"],
            result.Columns.Select(c => c.Type));
        Assert.Equal("12.50", QueryValueText.Format(result.Rows[0][5], result.Columns[5].Type));
        Assert.Matches(@"^\d+\.\d{2}$", QueryValueText.Format(result.Rows[0][1], result.Columns[1].Type));
        Assert.Equal("[1, 2]", QueryValueText.Format(result.Rows[0][9], result.Columns[9].Type));
    }

    [Fact]
    public async Task Streaming_HandsEveryRowToTheWriter_PastTheRowCap_AndStopsWhenTheWriterHasEnough()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:Query:MaxRows"] = "5" });
        var engine = host.Get<IQueryEngine>();
        var text = new StringWriter();

        var summary = await engine.StreamAsync("SELECT range AS n FROM range(20)", new QueryCsvWriter(text));

        Assert.Equal(20, summary.Rows);
        Assert.Equal(21, text.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(5, (await engine.RunAsync("SELECT range AS n FROM range(20)")).Rows.Count);

        var first = new FirstRows(3);
        Assert.Equal(3, (await engine.StreamAsync("SELECT range AS n FROM range(1000000)", first)).Rows);
    }

    private sealed class FirstRows(int wanted) : IQueryRowWriter
    {
        private int _seen;

        public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken) => ValueTask.FromResult(++_seen <= wanted);
    }

    [Fact]
    public async Task Cancelling_InterruptsTheRunningQuery()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.RunAsync("SELECT sum(a.range * b.range) FROM range(300000) a, range(300000) b", cancellationToken: cancel.Token));
    }

    private async Task LoadAsync()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, 3_000));
        await _host.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await _host.Services.CrawlAsync()).Status);
    }
}
