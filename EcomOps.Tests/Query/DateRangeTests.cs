using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using Microsoft.Extensions.Time.Testing;
using static EcomOps.Tests.Query.TestTables;

namespace EcomOps.Tests.Query;

public sealed class DateRangeTests
{
    private static readonly CatalogTable s_transactions = TransactionsTable();

    private static readonly CatalogTable s_customers = Table("customer_data", "parquet", [Column("customerid", "bigint"), Column("signupdate", "date")], [], 1_000);

    [Theory]
    [InlineData(DateRangePreset.Last7Days, "2026-03-09", "2026-03-16")]
    [InlineData(DateRangePreset.Last30Days, "2026-02-14", "2026-03-16")]
    [InlineData(DateRangePreset.ThisMonth, "2026-03-01", "2026-03-16")]
    [InlineData(DateRangePreset.LastMonth, "2026-02-01", "2026-03-01")]
    [InlineData(DateRangePreset.ThisYear, "2026-01-01", "2026-03-16")]
    public void APreset_OnATimestamp_BecomesHalfOpenBoundsAtTheGivenNow(DateRangePreset preset, string from, string until)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 15, 10, 30, 0, TimeSpan.Zero));
        var spec = Transactions with { Columns = ["amount"], Filters = [QueryFilter.Dates("timestamp", new DateRange(preset))] };

        Assert.Equal(
            $"""
            SELECT "amount"
            FROM "ecom"."transactions_data"
            WHERE "timestamp" >= TIMESTAMP '{from} 00:00:00' AND "timestamp" < TIMESTAMP '{until} 00:00:00'
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_transactions, time));
    }

    [Fact]
    public void ACustomRange_OnADateColumn_IncludesItsLastDay()
    {
        var spec = new QuerySpec(new QueryTable("ecom", "customer_data"))
        {
            Aggregates = [QueryAggregate.CountAll("signups")],
            Filters = [QueryFilter.Dates("signupdate", DateRange.Between(new(2024, 5, 1), new(2024, 5, 31)))],
        };

        Assert.Equal(
            """
            SELECT count(*) AS "signups"
            FROM "ecom"."customer_data"
            WHERE "signupdate" >= DATE '2024-05-01' AND "signupdate" < DATE '2024-06-01'
            LIMIT 100
            """,
            QuerySqlBuilder.ToSql(spec, s_customers));
    }

    [Fact]
    public void LastMonth_InMarchOfALeapYear_IsAllOfFebruary()
    {
        Assert.Equal(DateRange.Between(new(2024, 2, 1), new(2024, 2, 29)), DateRange.LastMonth.Resolve(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(DateRange.Between(new(2025, 12, 1), new(2025, 12, 31)), DateRange.LastMonth.Resolve(new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Now_IsTakenInUtc_WhateverItsOffset()
    {
        // 01:00 on 1 March in UTC+2 is still 28 February in UTC.
        var now = new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(DateRange.Between(new(2026, 2, 1), new(2026, 2, 28)), DateRange.ThisMonth.Resolve(now));
        Assert.Equal(DateRange.Between(new(2026, 2, 22), new(2026, 2, 28)), DateRange.Last7Days.Resolve(now));
    }

    [Fact]
    public void AResolvedSpec_GivesTheSameSqlLater_WhileThePresetMovesWithTheClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 15, 10, 30, 0, TimeSpan.Zero));
        var spec = Transactions with { Filters = [QueryFilter.Dates("timestamp", DateRange.Last7Days), QueryFilter.Equal("country", "France")] };
        var resolved = spec.ResolveDates(time);
        var first = QuerySqlBuilder.ToSql(resolved, s_transactions);

        time.Advance(TimeSpan.FromDays(3));

        Assert.Equal(first, QuerySqlBuilder.ToSql(resolved, s_transactions));
        Assert.Equal(first, QuerySqlBuilder.ToSql(resolved, s_transactions, time));
        Assert.NotEqual(first, QuerySqlBuilder.ToSql(spec, s_transactions, time));
        Assert.Equal(QueryFilter.Equal("country", "France").Values, resolved.Filters[1].Values);
        Assert.Equal(DateRange.Between(new(2026, 3, 9), new(2026, 3, 15)), resolved.Filters[0].Range);
    }

    [Fact]
    public void AnUnresolvedPreset_IsRefused_SayingToResolveIt()
    {
        var spec = Transactions with { Filters = [QueryFilter.Dates("timestamp", DateRange.ThisYear)] };

        var error = Assert.Throws<InvalidOperationException>(() => QuerySqlBuilder.ToSql(spec, s_transactions));

        Assert.Equal(
            "Filter on timestamp: the preset ThisYear is not resolved to dates; resolve the spec with QuerySpec.ResolveDates first so the SQL says which days it means.",
            error.Message);
    }

    [Fact]
    public void ACustomRange_EndingBeforeItStarts_OrMissingADate_IsRefused()
    {
        var backwards = Transactions with { Filters = [QueryFilter.Dates("timestamp", DateRange.Between(new(2024, 5, 31), new(2024, 5, 1)))] };
        var open = Transactions with { Filters = [QueryFilter.Dates("timestamp", new DateRange(DateRangePreset.Custom, new(2024, 5, 1)))] };

        Assert.Equal("The date range ends (2024-05-01) before it starts (2024-05-31).", Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(backwards, s_transactions)).Message);
        Assert.Equal("A custom date range needs both a From and a To date.", Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(open, s_transactions)).Message);
    }
}
