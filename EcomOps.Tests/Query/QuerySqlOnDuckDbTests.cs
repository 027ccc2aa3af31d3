using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using static EcomOps.Tests.Query.TestTables;

namespace EcomOps.Tests.Query;

/// <summary>
/// The generated statements run on DuckDB (an independent SQL engine close to Trino in what the builder writes:
/// quoted identifiers, typed literals, <c>date_trunc</c>) over a table of transactions_data's shape.
/// </summary>
public sealed class QuerySqlOnDuckDbTests : IDisposable
{
    private const string Injection = "x' OR '1'='1";

    private static readonly CatalogTable s_transactions = TransactionsTable();

    private readonly DuckDb _duck = new();

    public QuerySqlOnDuckDbTests()
    {
        _duck.Scalar("""
            CREATE SCHEMA ecom;
            CREATE TABLE ecom.transactions_data (
                transactionid bigint, customerid bigint, productid bigint, "timestamp" timestamp, amount decimal(10,2), country varchar, "year" varchar, "month" varchar);
            """);
        _duck.Scalar($"""
            INSERT INTO ecom.transactions_data VALUES
                (1, 10, 100, TIMESTAMP '2025-01-05 10:00:00', 12.50, 'France', '2025', '01'),
                (2, 11, 101, TIMESTAMP '2025-01-20 23:59:59', 7.50, 'France', '2025', '01'),
                (3, 10, 100, TIMESTAMP '2025-02-01 00:00:00', 30.00, 'France', '2025', '02'),
                (4, 12, 102, TIMESTAMP '2025-02-03 08:00:00', 99.99, 'Germany', '2025', '02'),
                (5, 13, 100, TIMESTAMP '2024-12-31 12:00:00', 5.00, 'France', '2024', '12'),
                (6, 14, 104, TIMESTAMP '2025-02-10 12:00:00', 1.00, {DuckDb.Literal(Injection)}, '2025', '02');
            """);
    }

    public void Dispose() => _duck.Dispose();

    [Fact]
    public void RevenueByMonthForOneCountry_GivesEachMonthsTotal()
    {
        var spec = Transactions with
        {
            Filters = [QueryFilter.Equal("country", "France"), QueryFilter.Equal("year", "2025"), QueryFilter.GreaterThanOrEqual("amount", "5")],
            GroupBy = [QueryGroup.ByMonth("timestamp", "order_month")],
            Aggregates = [QueryAggregate.Sum("amount", "revenue"), QueryAggregate.CountAll("orders"), QueryAggregate.CountDistinct("customerid", "buyers")],
            OrderBy = [QueryOrder.Asc("order_month")],
        };

        var rows = _duck.Rows(QuerySqlBuilder.ToSql(spec, s_transactions));

        Assert.Equal(
            [(new DateTime(2025, 1, 1), 20.00m, 2L, 2L), (new DateTime(2025, 2, 1), 30.00m, 1L, 1L)],
            rows.Select(r => (Convert.ToDateTime(r[0], System.Globalization.CultureInfo.InvariantCulture), (decimal)r[1]!, (long)r[2]!, (long)r[3]!)));
    }

    [Fact]
    public void TopProducts_AreOrderedByRevenue_UpToTheLimit()
    {
        var spec = Transactions with { Columns = ["productid"], Aggregates = [QueryAggregate.Sum("amount", "revenue")], OrderBy = [QueryOrder.Desc("revenue")], Limit = 2 };

        var rows = _duck.Rows(QuerySqlBuilder.ToSql(spec, s_transactions));

        Assert.Equal([(102L, 99.99m), (100L, 47.50m)], rows.Select(r => ((long)r[0]!, (decimal)r[1]!)));
    }

    [Fact]
    public void ACustomDateRange_IncludesEveryMomentOfItsLastDay_AndNotTheNextMidnight()
    {
        var spec = Transactions with { Columns = ["transactionid"], Filters = [QueryFilter.Dates("timestamp", DateRange.Between(new(2025, 1, 20), new(2025, 1, 31)))] };

        Assert.Equal([2L], _duck.Rows(QuerySqlBuilder.ToSql(spec, s_transactions)).Select(r => (long)r[0]!));
    }

    [Fact]
    public void AnInjectionAttempt_MatchesOnlyTheRowHoldingThatText()
    {
        var spec = Transactions with { Columns = ["transactionid"], Filters = [QueryFilter.Equal("country", Injection)] };
        var semicolon = Transactions with { Columns = ["transactionid"], Filters = [QueryFilter.In("country", "\"; DROP TABLE ecom.transactions_data; --", "x\\' OR 1=1 --")] };

        Assert.Equal([6L], _duck.Rows(QuerySqlBuilder.ToSql(spec, s_transactions)).Select(r => (long)r[0]!));
        Assert.Empty(_duck.Rows(QuerySqlBuilder.ToSql(semicolon, s_transactions)));
        Assert.Equal(6L, _duck.Long("SELECT count(*) FROM ecom.transactions_data"));
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void EveryKindOfClause_ParsesAndRuns(QuerySpec spec)
    {
        var sql = QuerySqlBuilder.ToSql(spec, s_transactions);

        var parsed = (string)_duck.Scalar($"SELECT json_serialize_sql({DuckDb.Literal(sql)})")!;
        Assert.DoesNotContain("\"error\":true", parsed.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        _duck.Rows(sql);
    }

    [Fact]
    public void TheParseCheck_FlagsAStatementThatDoesNotParse()
    {
        var parsed = (string)_duck.Scalar($"SELECT json_serialize_sql({DuckDb.Literal("SELECT \"a FROM x")})")!;

        Assert.Contains("\"error\":true", parsed.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public static TheoryData<QuerySpec> Statements => new(
        Transactions,
        Transactions with
        {
            Columns = ["transactionid", "amount"],
            Filters =
            [
                QueryFilter.NotEqual("amount", "0"), QueryFilter.Between("amount", "1", "99.99"), QueryFilter.LessThan("customerid", "100"),
                QueryFilter.Like("country", "Fr_nce%"), QueryFilter.IsNotNull("timestamp"), QueryFilter.In("month", "01", "02"),
                QueryFilter.Between("timestamp", "2025-01-01", "2025-02-28 23:59:59.999"),
            ],
            OrderBy = [QueryOrder.Desc("amount"), QueryOrder.Asc("transactionid")],
        },
        Transactions with
        {
            GroupBy = [QueryGroup.ByWeek("timestamp"), QueryGroup.ByDay("timestamp"), QueryGroup.ByYear("timestamp"), QueryGroup.By("country")],
            Aggregates = [QueryAggregate.Avg("amount"), QueryAggregate.Min("amount"), QueryAggregate.Max("timestamp"), QueryAggregate.Count("customerid")],
            Filters = [QueryFilter.IsNull("productid")],
            OrderBy = [QueryOrder.Desc("timestamp_week")],
        });
}
