using System.Text.Json;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;

namespace EcomOps.Tests.Conversion;

public sealed class ParquetRoundTripTests : IDisposable
{
    private readonly ConversionLake _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Convert_Transactions_DuckDbReadsTheSameRows_ExactAmountSum_AndTimestampRange()
    {
        var dataset = DatasetRegistry.Transactions;
        var csv = await _lake.GenerateAsync(dataset, 25_000);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { RowGroupRows = 10_000 });

        var parquet = _lake.ReadParquet(dataset);
        var source = _lake.ReadCsv(dataset, csv);
        Assert.Equal(25_000, result.RowsRead);
        Assert.Equal(25_000, result.RowsWritten);
        Assert.Equal(0, result.RowsRejected);
        Assert.Null(result.QuarantineKey);
        Assert.Equal(25_000, _lake.Duck.Long($"SELECT count(*) FROM {parquet}"));

        // Exact: DECIMAL(10,2) on both sides, summed by DuckDB as DECIMAL(38,2).
        Assert.Equal(_lake.Duck.Scalar($"SELECT sum(Amount) FROM {source}"), _lake.Duck.Scalar($"SELECT sum(Amount) FROM {parquet}"));
        Assert.Equal(
            _lake.Duck.Rows($"SELECT min(Timestamp), max(Timestamp) FROM {source}").Single(),
            _lake.Duck.Rows($"SELECT min(Timestamp), max(Timestamp) FROM {parquet}").Single());

        // Not just totals: every row, every column.
        Assert.Equal(0, _lake.Duck.Long($"SELECT count(*) FROM (SELECT * FROM {source} EXCEPT ALL SELECT * FROM {parquet})"));
        Assert.Equal(0, _lake.Duck.Long($"SELECT count(*) FROM (SELECT * FROM {parquet} EXCEPT ALL SELECT * FROM {source})"));
    }

    [Theory]
    [InlineData("customer_data")]
    [InlineData("catalog_data")]
    [InlineData("transactions_data")]
    public async Task Convert_EachDataset_HasTheCatalogTypes_RequiredColumns_AndTheSameRows(string name)
    {
        var dataset = DatasetRegistry.Get(name);
        var csv = await _lake.GenerateAsync(dataset, 3_000);

        await _lake.ConvertAsync(ConversionLake.Request(dataset));

        var parquet = _lake.ReadParquet(dataset);
        var types = _lake.Duck.Rows($"DESCRIBE SELECT * FROM {parquet}").Select(r => ((string)r[0]!, (string)r[1]!)).ToList();
        Assert.Equal(dataset.Columns.Select(c => (c.Name, c.DuckDbType)), types);

        var file = _lake.PathOf($"parquet/{name}/{_lake.FilesOf(dataset).Single(f => f.EndsWith(".parquet", StringComparison.Ordinal))}");
        var repetition = _lake.Duck.Rows($"SELECT name, repetition_type FROM parquet_schema({Support.DuckDb.Literal(file)}) WHERE name <> 'schema' AND num_children IS NULL");
        Assert.Equal(dataset.Columns.Select(c => (c.Name, "REQUIRED")), repetition.Select(r => ((string)r[0]!, (string)r[1]!)));

        var source = _lake.ReadCsv(dataset, csv);
        Assert.Equal(0, _lake.Duck.Long($"SELECT count(*) FROM (SELECT * FROM {source} EXCEPT ALL SELECT * FROM {parquet})"));
        Assert.Equal(3_000, _lake.Duck.Long($"SELECT count(*) FROM {parquet}"));
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy, "SNAPPY")]
    [InlineData(ParquetCompression.Zstd, "ZSTD")]
    [InlineData(ParquetCompression.Gzip, "GZIP")]
    [InlineData(ParquetCompression.None, "UNCOMPRESSED")]
    public async Task Convert_EachCompression_IsWhatTheFileSays_AndReadsBackTheSameAmounts(ParquetCompression compression, string codec)
    {
        var dataset = DatasetRegistry.Transactions;
        var csv = await _lake.GenerateAsync(dataset, 5_000);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { Compression = compression });

        var file = _lake.PathOf(result.Files.Single().Key);
        var codecs = _lake.Duck.Rows($"SELECT DISTINCT compression FROM parquet_metadata({Support.DuckDb.Literal(file)})");
        Assert.Equal(codec, (string)codecs.Single()[0]!);
        Assert.Equal(
            _lake.Duck.Scalar($"SELECT sum(Amount) FROM {_lake.ReadCsv(dataset, csv)}"),
            _lake.Duck.Scalar($"SELECT sum(Amount) FROM {_lake.ReadParquet(dataset)}"));
    }

    [Fact]
    public async Task Convert_WritesMinMaxStatistics_ForEveryColumnChunk_ThatMatchTheData()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.GenerateAsync(dataset, 6_000);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset) with { RowGroupRows = 2_500 });

        var file = Support.DuckDb.Literal(_lake.PathOf(result.Files.Single().Key));
        var chunks = _lake.Duck.Rows($"SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, row_group_num_rows FROM parquet_metadata({file}) ORDER BY row_group_id, column_id");
        Assert.Equal(3 * dataset.Columns.Count, chunks.Count);
        Assert.Equal([2_500L, 2_500L, 1_000L], chunks.Where(c => (string)c[1]! == "TransactionID").Select(c => Convert.ToInt64(c[4], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(chunks, c => Assert.False(c[2] is null || c[3] is null, $"row group {c[0]} column {c[1]} has no min/max statistics"));

        // The statistics are the real extremes: DuckDB's own min/max over each row group agree with them.
        var ids = chunks.Where(c => (string)c[1]! == "TransactionID").Select(c => ((string)c[2]!, (string)c[3]!));
        Assert.Equal([("1", "2500"), ("2501", "5000"), ("5001", "6000")], ids);
        var amountMax = chunks.Where(c => (string)c[1]! == "Amount").Max(c => decimal.Parse((string)c[3]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Convert.ToDecimal(_lake.Duck.Scalar($"SELECT max(Amount) FROM {_lake.ReadParquet(dataset)}"), System.Globalization.CultureInfo.InvariantCulture), amountMax);
    }

    [Fact]
    public async Task Convert_WritesAManifestListingFilesRowsBytesAndSchema_AndASuccessMarker()
    {
        var dataset = DatasetRegistry.Products;
        await _lake.GenerateAsync(dataset, 1_234);
        var request = ConversionLake.Request(dataset) with { Compression = ParquetCompression.Zstd };

        var result = await _lake.ConvertAsync(request);

        Assert.Equal(["_SUCCESS", "_manifest.json", result.Files.Single().Key["parquet/catalog_data/".Length..]], _lake.FilesOf(dataset));
        var manifest = await ConversionManifest.ReadAsync(_lake.Store, dataset.Name);
        Assert.NotNull(manifest);
        Assert.Equal(request.RunId, manifest.RunId);
        Assert.Equal("catalog_data", manifest.Dataset);
        Assert.Equal("zstd", manifest.Compression);
        Assert.Equal("none", manifest.Partitioning);
        Assert.Equal(1_234, manifest.TotalRows);
        var file = Assert.Single(manifest.Files);
        Assert.Equal(result.Files.Single().Key, file.Key);
        Assert.Equal(1_234, file.Rows);
        Assert.Equal(new FileInfo(_lake.PathOf(file.Key)).Length, file.Bytes);
        Assert.Equal(file.Bytes, manifest.TotalBytes);
        Assert.Equal(result.ManifestKey, ConversionManifest.KeyOf(dataset.Name));

        // The schema the manifest states is the one in the file.
        var schema = _lake.Duck.Rows($"SELECT name, type FROM parquet_schema({Support.DuckDb.Literal(_lake.PathOf(file.Key))}) WHERE num_children IS NULL");
        Assert.Equal(schema.Select(r => ((string)r[0]!, (string)r[1]!)), manifest.Schema.Select(c => (c.Name, c.PhysicalType)));
        Assert.Equal(["INT(64, signed)", "STRING", "STRING", "DECIMAL(10,2)", "INT(32, signed)"], manifest.Schema.Select(c => c.LogicalType));

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(_lake.PathOf(result.ManifestKey)));
        Assert.Equal(request.RunId.ToString(), json.RootElement.GetProperty("runId").GetString());
        Assert.True(json.RootElement.TryGetProperty("createdAt", out _));
    }

    [Fact]
    public async Task Convert_ReportsProgress_UpToEveryRowRead()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.GenerateAsync(dataset, 50_000);
        var reports = new List<ConversionProgress>();

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset), reports.Add);

        var last = reports[^1];
        Assert.Equal(50_000, last.RowsRead);
        Assert.Equal(50_000, last.RowsWritten);
        Assert.Equal(result.BytesRead, last.TotalBytes);
        Assert.Equal(last.TotalBytes, last.BytesRead);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.RowsRead >= p.First.RowsRead), "rows read never go back");
    }
}
