using EcomOps.Core.Catalog;
using EcomOps.Core.Query;

namespace EcomOps.Tests.Query;

/// <summary>Catalog tables as a crawl of the converted lake gives them, built in memory.</summary>
internal static class TestTables
{
    public const long PartitionBytes = 60L << 20;

    public static QuerySpec Transactions => new(new QueryTable("ecom", "transactions_data"));

    /// <summary>transactions_data partitioned by year and month: 2024-11 to 2025-10, 60 MB each.</summary>
    public static CatalogTable TransactionsTable(string classification = "parquet") => Table(
        "transactions_data",
        classification,
        [
            Column("transactionid", "bigint"),
            Column("customerid", "bigint"),
            Column("productid", "bigint"),
            Column("timestamp", "timestamp"),
            Column("amount", "decimal(10,2)"),
            Column("country", "string"),
        ],
        [Column("year", "string"), Column("month", "string")],
        Partitions().Sum(p => p.SizeBytes));

    public static IReadOnlyList<CatalogPartition> Partitions() =>
        [.. Enumerable.Range(0, 12).Select(i => new DateOnly(2024, 11, 1).AddMonths(i)).Select(d =>
            new CatalogPartition([d.Year.ToString("0000", System.Globalization.CultureInfo.InvariantCulture), d.Month.ToString("00", System.Globalization.CultureInfo.InvariantCulture)],
                $"parquet/transactions_data/year={d.Year:0000}/month={d.Month:00}/", 1, 1_000, PartitionBytes))];

    public static CatalogTable Table(string name, string classification, IReadOnlyList<CatalogColumn> columns, IReadOnlyList<CatalogColumn> partitionKeys, long size) =>
        new("ecom", name, $"parquet/{name}/", classification, "snappy", columns, partitionKeys, 12_000, size, 12, TableStatus.Active, 1,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, Guid.Empty);

    public static CatalogColumn Column(string name, string type) => new(name, type, name, type);
}
