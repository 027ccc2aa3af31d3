using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using static EcomOps.Tests.Query.TestTables;

namespace EcomOps.Tests.Query;

public sealed class QuerySqlBuilderTests
{
    private static readonly CatalogTable s_transactions = TransactionsTable();

    private static readonly CatalogTable s_types = Table(
        "types",
        "parquet",
        [
            Column("i", "int"), Column("n", "bigint"), Column("t", "tinyint"), Column("r", "double"), Column("m", "decimal(10,2)"), Column("s", "string"),
            Column("v", "varchar(20)"), Column("f", "boolean"), Column("d", "date"), Column("ts", "timestamp"), Column("tags", "array<string>"),
        ],
        [],
        1_000);

    private static QuerySpec Types => new(new QueryTable("ecom", "types"));

    [Fact]
    public void RevenueByMonthForOneCountry_IsOneClausePerLine_GroupedByDateTrunc()
    {
        var spec = Transactions with
        {
            Filters = [QueryFilter.Equal("country", "France"), QueryFilter.Equal("year", "2025")],
            GroupBy = [QueryGroup.ByMonth("timestamp", "order_month")],
            Aggregates = [QueryAggregate.Sum("amount", "revenue"), QueryAggregate.CountAll("orders")],
            OrderBy = [QueryOrder.Asc("order_month")],
        };

        Assert.Equal(
            """
            SELECT date_trunc('month', "timestamp") AS "order_month",
                   sum("amount") AS "revenue",
                   count(*) AS "orders"
            FROM "ecom"."transactions_data"
            WHERE "country" = 'France'
              AND "year" = '2025'
            GROUP BY date_trunc('month', "timestamp")
            ORDER BY "order_month" ASC
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Fact]
    public void TopTenProducts_GroupsByTheSelectedColumn_AndOrdersByTheAggregate()
    {
        var spec = Transactions with
        {
            Columns = ["productid"],
            Aggregates = [QueryAggregate.Sum("amount", "revenue")],
            OrderBy = [QueryOrder.Desc("revenue")],
            Limit = 10,
        };

        Assert.Equal(
            """
            SELECT "productid",
                   sum("amount") AS "revenue"
            FROM "ecom"."transactions_data"
            GROUP BY "productid"
            ORDER BY "revenue" DESC
            LIMIT 10
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Fact]
    public void NothingChosen_ReadsEveryColumnPartitionKeysLast_WithTheDefaultLimit()
    {
        Assert.Equal(
            """
            SELECT "transactionid",
                   "customerid",
                   "productid",
                   "timestamp",
                   "amount",
                   "country",
                   "year",
                   "month"
            FROM "ecom"."transactions_data"
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(Transactions, s_transactions));
    }

    [Fact]
    public void SelectedColumns_OrderedByAnUnselectedColumn_UseTheCatalogsNames()
    {
        var spec = Transactions with { Columns = ["Country", "AMOUNT"], OrderBy = [QueryOrder.Desc("Timestamp")], Limit = QueryLimits.MaxLimit };

        Assert.Equal(
            """
            SELECT "country",
                   "amount"
            FROM "ecom"."transactions_data"
            ORDER BY "timestamp" DESC
            LIMIT 1000000
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Fact]
    public void EveryAggregate_HasItsAliasOrADefaultOne()
    {
        var spec = Transactions with
        {
            Aggregates =
            [
                QueryAggregate.CountAll(), QueryAggregate.Count("customerid"), QueryAggregate.CountDistinct("customerid", "buyers"),
                QueryAggregate.Sum("amount"), QueryAggregate.Avg("amount", "average"), QueryAggregate.Min("timestamp", "first"), QueryAggregate.Max("timestamp"),
            ],
        };

        Assert.Equal(
            """
            SELECT count(*) AS "count",
                   count("customerid") AS "count_customerid",
                   count(DISTINCT "customerid") AS "buyers",
                   sum("amount") AS "sum_amount",
                   avg("amount") AS "average",
                   min("timestamp") AS "first",
                   max("timestamp") AS "max_timestamp"
            FROM "ecom"."transactions_data"
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Theory]
    [InlineData(DateBucket.Day, "day")]
    [InlineData(DateBucket.Week, "week")]
    [InlineData(DateBucket.Month, "month")]
    [InlineData(DateBucket.Year, "year")]
    public void GroupByADateBucket_TruncatesTheColumn_WithADefaultAlias(DateBucket bucket, string unit)
    {
        var spec = Transactions with { GroupBy = [QueryGroup.By("country"), new QueryGroup("timestamp", bucket)], Aggregates = [QueryAggregate.CountAll("orders")] };

        Assert.Equal(
            $"""
            SELECT "country",
                   date_trunc('{unit}', "timestamp") AS "timestamp_{unit}",
                   count(*) AS "orders"
            FROM "ecom"."transactions_data"
            GROUP BY "country", date_trunc('{unit}', "timestamp")
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Fact]
    public void GroupByWithoutAggregates_GivesTheDistinctGroups_AndASelectedGroupColumnIsNotRepeated()
    {
        var spec = Transactions with { Columns = ["country"], GroupBy = [QueryGroup.By("country"), QueryGroup.By("year")], OrderBy = [QueryOrder.Asc("year")] };

        Assert.Equal(
            """
            SELECT "country",
                   "year"
            FROM "ecom"."transactions_data"
            GROUP BY "country", "year"
            ORDER BY "year" ASC
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Theory]
    [InlineData("amount", FilterOperator.Equal, "\"amount\" = DECIMAL '12.34'", "12.34")]
    [InlineData("amount", FilterOperator.NotEqual, "\"amount\" <> DECIMAL '0'", "0")]
    [InlineData("amount", FilterOperator.LessThan, "\"amount\" < DECIMAL '-5.5'", "-5.5")]
    [InlineData("amount", FilterOperator.LessThanOrEqual, "\"amount\" <= DECIMAL '99999999.99'", "99999999.99")]
    [InlineData("customerid", FilterOperator.GreaterThan, "\"customerid\" > 42", " 42 ")]
    [InlineData("customerid", FilterOperator.GreaterThanOrEqual, "\"customerid\" >= -9223372036854775808", "-9223372036854775808")]
    [InlineData("amount", FilterOperator.Between, "\"amount\" BETWEEN DECIMAL '10' AND DECIMAL '20.50'", "10", "20.50")]
    [InlineData("country", FilterOperator.In, "\"country\" IN ('France', 'Germany', 'Côte d''Ivoire')", "France", "Germany", "Côte d'Ivoire")]
    [InlineData("country", FilterOperator.Like, "\"country\" LIKE 'Fr_nce%'", "Fr_nce%")]
    [InlineData("country", FilterOperator.IsNull, "\"country\" IS NULL")]
    [InlineData("country", FilterOperator.IsNotNull, "\"country\" IS NOT NULL")]
    [InlineData("timestamp", FilterOperator.GreaterThanOrEqual, "\"timestamp\" >= TIMESTAMP '2024-05-01 00:00:00'", "2024-05-01")]
    [InlineData("timestamp", FilterOperator.LessThan, "\"timestamp\" < TIMESTAMP '2024-05-01 10:20:30'", "2024-05-01T10:20:30")]
    [InlineData("timestamp", FilterOperator.Equal, "\"timestamp\" = TIMESTAMP '2024-05-01 10:20:30.500'", "2024-05-01 10:20:30.5")]
    [InlineData("year", FilterOperator.Equal, "\"year\" = '2024'", "2024")]
    [InlineData("month", FilterOperator.Between, "\"month\" BETWEEN '03' AND '05'", "03", "05")]
    public void EveryOperator_WritesItsColumnQuotedAndItsValuesAsLiteralsOfTheColumnsType(string column, FilterOperator op, string expected, params string[] values)
    {
        var spec = Transactions with { Columns = ["transactionid"], Filters = [new QueryFilter(column, op, values)] };

        Assert.Equal(
            $"""
            SELECT "transactionid"
            FROM "ecom"."transactions_data"
            WHERE {expected}
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Theory]
    [InlineData("i", "-2147483648", "-2147483648")]
    [InlineData("t", "127", "127")]
    [InlineData("r", "1.5", "1.5E0")]
    [InlineData("r", "1e3", "1000E0")]
    [InlineData("r", "-2.5E-7", "-2.5E-07")]
    [InlineData("m", "7", "DECIMAL '7'")]
    [InlineData("m", "12.50", "DECIMAL '12.50'")]
    [InlineData("v", "abc", "'abc'")]
    [InlineData("f", "TRUE", "TRUE")]
    [InlineData("f", "false", "FALSE")]
    [InlineData("d", "2024-02-29", "DATE '2024-02-29'")]
    [InlineData("ts", "2024-05-01 23:59", "TIMESTAMP '2024-05-01 23:59:00'")]
    public void Values_AreParsedAsTheColumnsType_AndWrittenInvariantly(string column, string value, string literal)
    {
        var sql = QuerySqlBuilder.ToSql(Types with { Columns = [column], Filters = [QueryFilter.Equal(column, value)] }, s_types);

        Assert.Contains($"\nWHERE \"{column}\" = {literal}\n", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_AreInvariant_WhateverTheCurrentCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var spec = Types with { Columns = ["m"], Filters = [QueryFilter.Equal("m", "1234.5"), QueryFilter.LessThan("r", "0.25")], Limit = 5000 };

            var sql = QuerySqlBuilder.ToSql(spec, s_types);

            Assert.Contains("\"m\" = DECIMAL '1234.5'", sql, StringComparison.Ordinal);
            Assert.Contains("\"r\" < 0.25E0", sql, StringComparison.Ordinal);
            Assert.EndsWith("LIMIT 5000", sql, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(Types with { Filters = [QueryFilter.Equal("m", "1234,5")] }, s_types));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory]
    [InlineData("x' OR '1'='1", "'x'' OR ''1''=''1'")]
    [InlineData("\"; DROP TABLE x; --", "'\"; DROP TABLE x; --'")]
    [InlineData("x\\' OR 1=1 --", "'x\\'' OR 1=1 --'")]
    [InlineData("'; SELECT * FROM \"ecom\".\"customer_data\" --", "'''; SELECT * FROM \"ecom\".\"customer_data\" --'")]
    public void AnInjectionAttemptInAValue_StaysOneStringLiteral(string value, string literal)
    {
        var spec = Transactions with { Columns = ["transactionid"], Filters = [QueryFilter.Equal("country", value), QueryFilter.Like("country", value)] };

        Assert.Equal(
            $"""
            SELECT "transactionid"
            FROM "ecom"."transactions_data"
            WHERE "country" = {literal}
              AND "country" LIKE {literal}
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions));
    }

    [Fact]
    public void QuotesInCatalogNamesAndAliases_StayInsideTheirQuotedIdentifiers()
    {
        var table = Table("odd\"table", "parquet", [Column("we\"ird", "string"), Column("select", "bigint")], [], 1_000) with { Database = "my\"db" };
        var spec = new QuerySpec(new QueryTable("my\"db", "odd\"table"))
        {
            Columns = ["we\"ird"],
            Filters = [QueryFilter.Equal("we\"ird", "a\"b")],
            Aggregates = [QueryAggregate.Sum("select", "total\" FROM x; --")],
            OrderBy = [QueryOrder.Desc("total\" FROM x; --")],
        };

        Assert.Equal(
            """
            SELECT "we""ird",
                   sum("select") AS "total"" FROM x; --"
            FROM "my""db"."odd""table"
            WHERE "we""ird" = 'a"b'
            GROUP BY "we""ird"
            ORDER BY "total"" FROM x; --" DESC
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, table));
    }

    [Theory]
    [InlineData("amount", "ten", "Filter on amount: 'ten' is not a decimal(10,2)")]
    [InlineData("amount", "1 OR 1=1", "Filter on amount: '1 OR 1=1' is not a decimal(10,2)")]
    [InlineData("amount", "12.345", "Filter on amount: '12.345' is not a decimal(10,2) (at most 8 digits before the point and 2 after)")]
    [InlineData("amount", "123456789", "Filter on amount: '123456789' is not a decimal(10,2) (at most 8 digits before the point and 2 after)")]
    [InlineData("amount", "1e3", "Filter on amount: '1e3' is not a decimal(10,2)")]
    [InlineData("customerid", "1.5", "Filter on customerid: '1.5' is not a bigint")]
    [InlineData("customerid", "9223372036854775808", "Filter on customerid: '9223372036854775808' is not a bigint")]
    [InlineData("timestamp", "yesterday", "Filter on timestamp: 'yesterday' is not a timestamp")]
    [InlineData("timestamp", "2024-05-01T10:00:00Z", "Filter on timestamp: '2024-05-01T10:00:00Z' is not a timestamp")]
    public void AValueThatIsNotOfTheColumnsType_IsRefused_NamingColumnValueAndType(string column, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(Transactions with { Filters = [QueryFilter.GreaterThan(column, value)] }, s_transactions));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("i", "2147483648", "Filter on i: '2147483648' is not an int")]
    [InlineData("t", "128", "Filter on t: '128' is not a tinyint")]
    [InlineData("r", "NaN", "Filter on r: 'NaN' is not a double")]
    [InlineData("f", "yes", "Filter on f: 'yes' is not a boolean")]
    [InlineData("d", "2024-13-01", "Filter on d: '2024-13-01' is not a date")]
    [InlineData("d", "01/05/2024", "Filter on d: '01/05/2024' is not a date")]
    public void AValueOfAnotherType_IsRefused_ForEachType(string column, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(Types with { Filters = [QueryFilter.In(column, value)] }, s_types));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AnUnknownColumn_IsRefused_ListingTheTablesColumns()
    {
        const string Columns = "transactionid, customerid, productid, timestamp, amount, country, year, month";
        var cases = new (QuerySpec Spec, string Message)[]
        {
            (Transactions with { Filters = [QueryFilter.Equal("amout", "1")] }, $"Filter: ecom.transactions_data has no column 'amout'; its columns are {Columns}."),
            (Transactions with { Columns = ["total"] }, $"Selected column: ecom.transactions_data has no column 'total'; its columns are {Columns}."),
            (Transactions with { Aggregates = [QueryAggregate.Sum("price")] }, $"Aggregate sum: ecom.transactions_data has no column 'price'; its columns are {Columns}."),
            (Transactions with { GroupBy = [QueryGroup.ByMonth("date")] }, $"Group by: ecom.transactions_data has no column 'date'; its columns are {Columns}."),
            (Transactions with { OrderBy = [QueryOrder.Asc("revenue")] }, $"Order by: ecom.transactions_data has no column 'revenue'; its columns are {Columns}."),
        };

        foreach (var (spec, message) in cases)
        {
            Assert.Equal(message, Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(spec, s_transactions)).Message);
        }
    }

    [Fact]
    public void SelectingAColumnOutsideTheGroups_IsRefused_SayingWhatToDo()
    {
        var spec = Transactions with
        {
            Columns = ["country", "customerid"],
            GroupBy = [QueryGroup.By("country"), QueryGroup.ByMonth("timestamp")],
            Aggregates = [QueryAggregate.Sum("amount", "revenue")],
        };

        var error = Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(spec, s_transactions));

        Assert.Equal(
            "Selected column customerid is not grouped: with aggregates or groups, every selected column must be a Group by column " +
            "(grouped now: country, timestamp by month). Add customerid to Group by or remove it from the columns.",
            error.Message);
    }

    [Fact]
    public void SelectingTheRawColumnOfADateBucket_IsRefused()
    {
        var spec = Transactions with { Columns = ["timestamp"], GroupBy = [QueryGroup.ByMonth("timestamp")], Aggregates = [QueryAggregate.CountAll()] };

        Assert.StartsWith("Selected column timestamp is not grouped", Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(spec, s_transactions)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Misfits))]
    public void AnOperatorOrAggregateTheColumnDoesNotTake_IsRefused(QuerySpec spec, string message)
    {
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(spec, s_transactions)).Message);
    }

    public static TheoryData<QuerySpec, string> Misfits => new()
    {
        { Transactions with { Filters = [QueryFilter.Like("amount", "1%")] }, "Filter on amount: like applies to string columns; amount is decimal(10,2)." },
        { Transactions with { Filters = [new QueryFilter("amount", FilterOperator.Between, ["1"])] }, "Filter on amount: between takes 2 values, got 1." },
        { Transactions with { Filters = [new QueryFilter("country", FilterOperator.In, [])] }, "Filter on country: in takes one or more values, got 0." },
        { Transactions with { Filters = [new QueryFilter("country", FilterOperator.Equal, ["a", "b"])] }, "Filter on country: = takes 1 value, got 2." },
        { Transactions with { Filters = [QueryFilter.Dates("country", DateRange.Between(new(2024, 1, 1), new(2024, 1, 31)))] }, "Filter on country: a date range applies to date and timestamp columns; country is string." },
        { Transactions with { Aggregates = [QueryAggregate.Sum("country")] }, "Aggregate sum(country): sum applies to numeric columns; country is string." },
        { Transactions with { Aggregates = [QueryAggregate.Avg("timestamp")] }, "Aggregate avg(timestamp): avg applies to numeric columns; timestamp is timestamp." },
        { Transactions with { Aggregates = [new QueryAggregate(AggregateFunction.Max)] }, "Aggregate max needs a column." },
        { Transactions with { GroupBy = [QueryGroup.ByMonth("country")] }, "Group by country by month: date buckets apply to date and timestamp columns; country is string." },
        { Transactions with { Aggregates = [QueryAggregate.Sum("amount", "n"), QueryAggregate.CountAll("N")] }, "Two output columns are named 'N'; give each aggregate and date group its own alias." },
        { Transactions with { Columns = ["country"], Aggregates = [QueryAggregate.CountAll()], OrderBy = [QueryOrder.Desc("amount")] }, "Order by amount: with aggregates or groups, order by a group or an aggregate (country, count)." },
        { Transactions with { Limit = 0 }, "Limit 0 is out of range: 1 to 1,000,000 rows." },
        { Transactions with { Limit = QueryLimits.MaxLimit + 1 }, "Limit 1000001 is out of range: 1 to 1,000,000 rows." },
        { new QuerySpec(new QueryTable("ecom", "orders")), "The query reads ecom.orders but the catalog table given is ecom.transactions_data." },
    };

    [Fact]
    public void AFilterOnAnArrayColumn_CanOnlyTestForNull()
    {
        Assert.Contains("WHERE \"tags\" IS NOT NULL", QuerySqlBuilder.ToSql(Types with { Filters = [QueryFilter.IsNotNull("tags")] }, s_types), StringComparison.Ordinal);
        Assert.Equal(
            "Filter on tags: array<string> columns can only be tested for null in the builder.",
            Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(Types with { Filters = [QueryFilter.Equal("tags", "a")] }, s_types)).Message);
    }
}
