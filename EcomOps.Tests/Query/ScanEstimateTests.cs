using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using static EcomOps.Tests.Query.TestTables;

namespace EcomOps.Tests.Query;

/// <summary>transactions_data here: 12 monthly partitions (2024-11 to 2025-10) of 60 MB, 6 data columns.</summary>
public sealed class ScanEstimateTests
{
    private const long MB = AthenaPricing.BytesPerMegabyte;

    private static readonly CatalogTable s_transactions = TransactionsTable();

    private static readonly IReadOnlyList<CatalogPartition> s_partitions = Partitions();

    private static readonly QuerySpec s_revenueByMonth = Transactions with
    {
        Filters = [QueryFilter.Equal("country", "France")],
        GroupBy = [QueryGroup.ByMonth("timestamp", "order_month")],
        Aggregates = [QueryAggregate.Sum("amount", "revenue")],
    };

    [Fact]
    public void WithoutPartitionFilters_EveryPartitionIsRead_ScaledByTheColumnsUsed()
    {
        var estimate = ScanEstimate.Compute(s_revenueByMonth, s_transactions, s_partitions);

        // timestamp, amount and country: 3 of 6 columns of 720 MB.
        Assert.Equal(new ScanEstimate(360 * MB, 360 * MB, 360 * 5m / (1 << 20), 12, 12, 3, 6), estimate);
        Assert.Equal("Scans ~360 MB (12 of 12 partitions, 3 of 6 columns); billed 360 MB: $0.001717", estimate.Description);
    }

    [Theory]
    [InlineData(12, "country", FilterOperator.Equal, "2025")]
    [InlineData(10, "year", FilterOperator.Equal, "2025")]
    [InlineData(2, "year", FilterOperator.NotEqual, "2025")]
    [InlineData(2, "month", FilterOperator.In, "01", "11", "13")]
    [InlineData(3, "month", FilterOperator.Between, "03", "05")]
    [InlineData(10, "year", FilterOperator.GreaterThan, "2024")]
    [InlineData(10, "year", FilterOperator.GreaterThanOrEqual, "2025")]
    [InlineData(1, "month", FilterOperator.LessThan, "02")]
    [InlineData(2, "month", FilterOperator.LessThanOrEqual, "02")]
    [InlineData(12, "month", FilterOperator.Like, "1%")]
    [InlineData(12, "month", FilterOperator.IsNotNull)]
    [InlineData(12, "month", FilterOperator.IsNull)]
    public void AFilterOnAPartitionKey_KeepsOnlyThePartitionsItCanMatch_AndKeepsAllWhenItCannotDecide(int kept, string column, FilterOperator op, params string[] values)
    {
        var spec = s_revenueByMonth with { Filters = [new QueryFilter(column, op, values)] };

        var estimate = ScanEstimate.Compute(spec, s_transactions, s_partitions);

        Assert.Equal(kept, estimate.PartitionsRead);
        Assert.Equal(kept * PartitionBytes * estimate.ColumnsRead / 6, estimate.Bytes);
    }

    [Fact]
    public void PartitionFilters_Combine_AndCompareAsStringsAsAthenaDoes()
    {
        var months = s_revenueByMonth with { Filters = [QueryFilter.Equal("year", "2025"), QueryFilter.In("month", "01", "02")] };
        var stringOrder = s_revenueByMonth with { Filters = [QueryFilter.GreaterThan("month", "9")] };

        var estimate = ScanEstimate.Compute(months, s_transactions, s_partitions);

        // timestamp and amount: 2 of 6 columns of 2 partitions of 60 MB.
        Assert.Equal((2, 40 * MB), (estimate.PartitionsRead, estimate.Bytes));
        Assert.Equal("Scans ~40 MB (2 of 12 partitions, 2 of 6 columns); billed 40 MB: $0.000191", estimate.Description);

        // '10', '11' and '12' sort before '9' as strings, so month > '9' keeps none; Athena would read none either.
        Assert.Equal(0, ScanEstimate.Compute(stringOrder, s_transactions, s_partitions).PartitionsRead);
    }

    [Fact]
    public void ACountOfRowsInOnePartition_ReadsNoColumns_AndIsBilledTheTenMegabyteMinimum()
    {
        var spec = Transactions with { Aggregates = [QueryAggregate.CountAll()], Filters = [QueryFilter.Equal("year", "2024"), QueryFilter.Equal("month", "12")] };

        var estimate = ScanEstimate.Compute(spec, s_transactions, s_partitions);

        Assert.Equal(new ScanEstimate(0, 10 * MB, 0.0000476837158203125m, 1, 12, 0, 6), estimate);
        Assert.Equal("Scans ~0 B (1 of 12 partitions, 0 of 6 columns); billed 10 MB (the minimum): $0.000048", estimate.Description);
    }

    [Fact]
    public void AllColumns_OfAllPartitions_IsTheWholeTable()
    {
        var estimate = ScanEstimate.Compute(Transactions, s_transactions, s_partitions);

        Assert.Equal((720 * MB, 6, 6), (estimate.Bytes, estimate.ColumnsRead, estimate.ColumnsTotal));
        Assert.Equal("Scans ~720 MB (12 of 12 partitions, 6 of 6 columns); billed 720 MB: $0.003433", estimate.Description);
    }

    [Fact]
    public void ACsvTable_IsReadWhole_WhateverTheColumns()
    {
        var estimate = ScanEstimate.Compute(s_revenueByMonth with { Filters = [QueryFilter.Equal("year", "2025")] }, TransactionsTable("csv"), s_partitions);

        Assert.Equal((600 * MB, 6), (estimate.Bytes, estimate.ColumnsRead));
    }

    [Fact]
    public void AnUnpartitionedTable_UsesItsSize_AndRoundsUpToTheNextMegabyte()
    {
        var catalog = Table("catalog_data", "parquet", [Column("productid", "bigint"), Column("productname", "string"), Column("category", "string"), Column("price", "decimal(10,2)"), Column("stock", "int")], [], (50 * MB) + 5);
        var spec = new QuerySpec(new QueryTable("ecom", "catalog_data")) { Columns = ["category"], Aggregates = [QueryAggregate.Avg("price")] };

        var estimate = ScanEstimate.Compute(spec, catalog, []);

        // 2 of 5 columns of 50 MB + 5 bytes: 20 MB + 2 bytes, billed 21 MB.
        Assert.Equal(new ScanEstimate((20 * MB) + 2, 21 * MB, 21 * 5m / (1 << 20), 0, 0, 2, 5), estimate);
        Assert.StartsWith("Scans ~20 MB (2 of 5 columns); billed 21 MB: $", estimate.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(10 * MB, 10)]
    [InlineData((10 * MB) + 1, 11)]
    [InlineData(25 * MB, 25)]
    [InlineData((25 * MB) - 1, 25)]
    public void BilledBytes_AreRoundedUpToTheNextMegabyte_WithATenMegabyteMinimum(long scanned, long billedMegabytes)
    {
        Assert.Equal(billedMegabytes * MB, AthenaPricing.BilledBytes(scanned));
    }

    [Fact]
    public void OneTerabyte_CostsFiveDollars()
    {
        Assert.Equal(5m, AthenaPricing.CostUsd(AthenaPricing.BytesPerTerabyte));
        Assert.Equal(0.0000476837158203125m, AthenaPricing.CostUsd(AthenaPricing.MinimumBilledBytes));
    }

    [Fact]
    public void ASpecThatDoesNotFitTheTable_IsRefusedAsBySql()
    {
        var error = Assert.Throws<ArgumentException>(() => ScanEstimate.Compute(Transactions with { Filters = [QueryFilter.Equal("amount", "ten")] }, s_transactions, s_partitions));

        Assert.Equal("Filter on amount: 'ten' is not a decimal(10,2)", error.Message);
    }

    [Fact]
    public void ADateRangePreset_NeedsNoClock_ToBeEstimated()
    {
        var spec = s_revenueByMonth with { Filters = [QueryFilter.Dates("timestamp", DateRange.Last30Days)] };

        Assert.Equal(12, ScanEstimate.Compute(spec, s_transactions, s_partitions).PartitionsRead);
    }
}
