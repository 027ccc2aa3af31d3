using System.Globalization;
using System.IO.Compression;
using EcomOps.Core.Datasets;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Core.Conversion;

/// <summary>
/// A dataset's Parquet schema and writer settings, derived from <see cref="DatasetCatalog"/>: every column is
/// required (REQUIRED repetition), typed so that DuckDB, Athena and Redshift Spectrum read the types the
/// warehouse DDL uses.
/// </summary>
internal static class DatasetParquetSchema
{
    /// <summary>The column Hive month partitions are taken from.</summary>
    public const string PartitionColumn = "Timestamp";

    // Sampling stops dictionary encoding early for text that hardly repeats (names, emails), where building
    // the dictionary only costs time; text that repeats (countries, categories) gets much smaller.
    private const int DictionarySampleSize = 10_000;

    // Parquet.Net's pooled streams keep every freed buffer by default; these caps let the GC reclaim the rest.
    private const int MaxSmallPoolFreeBytes = 4 * 1024 * 1024;
    private const int MaxLargePoolFreeBytes = 32 * 1024 * 1024;

    public static ParquetSchema For(DatasetSchema dataset) => new(dataset.Columns.Select(Field));

    public static ParquetOptions Options(DatasetSchema dataset, ParquetCompression compression)
    {
        var options = new ParquetOptions
        {
            CompressionMethod = compression switch
            {
                ParquetCompression.Snappy => CompressionMethod.Snappy,
                ParquetCompression.Zstd => CompressionMethod.Zstd,
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.None => CompressionMethod.None,
                _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression."),
            },

            // Parquet.Net defaults to SmallestSize, which for zstd is level 19: tens of times slower than level 3
            // for a few percent less output.
            CompressionLevel = CompressionLevel.Optimal,
            DictionaryEncodingSampleSize = DictionarySampleSize,
            MaximumSmallPoolFreeBytes = MaxSmallPoolFreeBytes,
            MaximumLargePoolFreeBytes = MaxLargePoolFreeBytes,
        };
        foreach (var column in dataset.Columns.Where(c => c.Type == ColumnType.String))
        {
            options.ColumnEncodingHints[column.Name] = EncodingHint.Dictionary;
        }

        return options;
    }

    /// <summary>Bytes of one plain-encoded DECIMAL value: Parquet.Net writes INT32 up to 9 digits, INT64 up to 18.</summary>
    public static int DecimalBytes(DatasetColumn column) => column.Precision switch
    {
        <= 9 => sizeof(int),
        <= 18 => sizeof(long),
        _ => (int)Math.Ceiling((column.Precision * Math.Log2(10) + 1) / 8),
    };

    /// <summary>The column's Parquet physical type and logical type, as the manifest lists them.</summary>
    public static ManifestColumn Describe(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => new(column.Name, "INT64", "INT(64, signed)"),
        ColumnType.Int32 => new(column.Name, "INT32", "INT(32, signed)"),
        ColumnType.Decimal => new(column.Name, column.Precision switch { <= 9 => "INT32", <= 18 => "INT64", _ => "FIXED_LEN_BYTE_ARRAY" }, column.DuckDbType),
        ColumnType.Date => new(column.Name, "INT32", "DATE"),
        ColumnType.Timestamp => new(column.Name, "INT64", "TIMESTAMP(MICROS, isAdjustedToUTC=false)"),
        ColumnType.String => new(column.Name, "BYTE_ARRAY", "STRING"),
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };

    public static string Name(ParquetCompression compression) => compression.ToString().ToLowerInvariant();

    private static DataField Field(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => new DataField<long>(column.Name, nullable: false),
        ColumnType.Int32 => new DataField<int>(column.Name, nullable: false),
        ColumnType.Decimal => new DecimalDataField(column.Name, column.Precision, column.Scale, isNullable: false),
        ColumnType.Date => new DataField<DateOnly>(column.Name, nullable: false),

        // Not adjusted to UTC, so readers show the wall-clock value as TIMESTAMP (not TIMESTAMP WITH TIME ZONE);
        // microseconds are DuckDB's and Spark's precision (a 7th fractional digit in the CSV is dropped).
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.DateAndTime, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: false),

        // Parquet.Net makes string fields nullable unless told otherwise.
        ColumnType.String => new DataField<string>(column.Name, nullable: false),
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };
}

/// <summary>A Hive partition of month-partitioned output: <c>year=YYYY/month=MM/</c>.</summary>
internal readonly record struct MonthPartition(int Year, int Month)
{
    public static MonthPartition Of(DateTime timestamp) => new(timestamp.Year, timestamp.Month);

    public string Folder => string.Create(CultureInfo.InvariantCulture, $"year={Year:D4}/month={Month:D2}/");
}
