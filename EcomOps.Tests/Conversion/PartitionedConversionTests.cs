using System.Text.RegularExpressions;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;

namespace EcomOps.Tests.Conversion;

public sealed partial class PartitionedConversionTests : IDisposable
{
    private readonly ConversionLake _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Convert_ByMonth_WritesYearMonthFolders_AndDuckDbHivePartitioningSeesTheSameRowsAndTotals()
    {
        var dataset = DatasetRegistry.Transactions;
        var csv = await _lake.GenerateAsync(dataset, 30_000);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { Partitioning = Partitioning.Month });

        Assert.All(result.Files, f => Assert.Matches(PartitionedKey(), f.Key));
        var source = _lake.ReadCsv(dataset, csv);
        var months = _lake.Duck.Rows($"SELECT DISTINCT strftime(Timestamp, 'year=%Y/month=%m/') FROM {source} ORDER BY 1").Select(r => (string)r[0]!).ToList();
        Assert.Equal(months, result.Files.Select(f => PartitionedKey().Match(f.Key).Groups["partition"].Value).Distinct().Order(StringComparer.Ordinal));

        var parquet = _lake.ReadParquet(dataset, hive: true);
        Assert.Equal(30_000, _lake.Duck.Long($"SELECT count(*) FROM {parquet}"));
        Assert.Equal(_lake.Duck.Scalar($"SELECT sum(Amount) FROM {source}"), _lake.Duck.Scalar($"SELECT sum(Amount) FROM {parquet}"));

        // Every row sits in its own month's folder, and the per-month totals are the CSV's. DuckDB types the
        // zero-padded month=05 as text.
        Assert.Equal(
            [("year", "BIGINT"), ("month", "VARCHAR")],
            _lake.Duck.Rows($"DESCRIBE SELECT year, month FROM {parquet}").Select(r => ((string)r[0]!, (string)r[1]!)));
        Assert.Equal(0, _lake.Duck.Long($"SELECT count(*) FROM {parquet} WHERE year <> year(Timestamp) OR CAST(month AS INTEGER) <> month(Timestamp)"));
        Assert.Equal(
            _lake.Duck.Rows($"SELECT year(Timestamp), month(Timestamp), count(*), sum(Amount) FROM {source} GROUP BY ALL ORDER BY 1, 2"),
            _lake.Duck.Rows($"SELECT year, CAST(month AS BIGINT), count(*), sum(Amount) FROM {parquet} GROUP BY ALL ORDER BY 1, 2"));
        var manifest = await ConversionManifest.ReadAsync(_lake.Store, dataset.Name);
        Assert.Equal("month", manifest!.Partitioning);
        Assert.Equal(30_000, manifest.TotalRows);
    }

    [Fact]
    public async Task Convert_ByMonth_KeepsAllMonthsWithinOneRowGroupsWorthOfRows_BySendingSmallerRowGroups()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.GenerateAsync(dataset, 20_000);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { Partitioning = Partitioning.Month, RowGroupRows = 2_000 });

        var groups = _lake.Duck.Rows($"SELECT file_name, row_group_id, row_group_num_rows FROM parquet_metadata({Support.DuckDb.Literal(_lake.PathOf("parquet/transactions_data/**/*.parquet"))}) WHERE column_id = 0");
        Assert.All(groups, g => Assert.InRange(Convert.ToInt64(g[2], System.Globalization.CultureInfo.InvariantCulture), 1, 2_000));
        Assert.Equal(20_000, groups.Sum(g => Convert.ToInt64(g[2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(20_000, result.RowsWritten);
    }

    [Theory]
    [InlineData("customer_data")]
    [InlineData("catalog_data")]
    public async Task Convert_ByMonth_OnADatasetWithoutTimestamp_IsRefusedWithAClearMessage(string name)
    {
        var dataset = DatasetRegistry.Get(name);
        await _lake.GenerateAsync(dataset, 10);

        var error = await Assert.ThrowsAsync<ConversionFailedException>(() => _lake.ConvertAsync(ConversionLake.Request(dataset) with { Partitioning = Partitioning.Month }));

        Assert.Equal(
            $"Cannot convert {name}: partitioning by month uses the Timestamp column, which {name} does not have (only transactions_data has it); convert {name} without partitioning. Nothing was converted.",
            error.Message);
        Assert.Empty(_lake.FilesOf(dataset));
    }

    [Fact]
    public async Task Convert_ByMonth_ABadTimestamp_IsQuarantinedLikeAnyBadValue()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.PutAsync("raw/transactions_data/t.csv", Lake.CsvCorpus.Lines(
            Lake.CsvCorpus.TransactionsHeader,
            "1,1,1,2024-05-01 10:00:00,1.00,Chile",
            "x,1,1,2024-99-01 10:00:00,1.00,Chile",
            "3,1,1,yesterday,1.00,Chile"));

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { Partitioning = Partitioning.Month });

        Assert.Equal("parquet/transactions_data/year=2024/month=05/", Assert.Single(result.Files).Key[..^"part-00000000-0000-0000-0000-000000000000-00000.parquet".Length]);
        var rows = await _lake.ReadQuarantineAsync(result.QuarantineKey!);

        // As the upload check reports it: the first bad column in file order, even though the month is read first.
        Assert.Equal([("3", "TransactionID", "x"), ("4", "Timestamp", "yesterday")], rows.Select(r => (r[1], r[2], r[3])));
    }

    [GeneratedRegex(@"^parquet/transactions_data/(?<partition>year=\d{4}/month=\d{2}/)part-[0-9a-f-]{36}-\d{5}\.parquet$")]
    private static partial Regex PartitionedKey();
}
