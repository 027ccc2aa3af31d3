using System.Globalization;
using Parquet.Schema;

namespace EcomOps.Core.Datasets;

/// <summary>
/// A dataset's Parquet schema, derived from <see cref="DatasetRegistry"/>: every column is required (REQUIRED
/// repetition), typed so that DuckDB, Athena and Redshift Spectrum read the types the warehouse DDL uses.
/// </summary>
internal static class DatasetParquetSchema
{
    public static ParquetSchema For(DatasetSchema dataset) => new(dataset.Columns.Select(Field));

    /// <summary>Bytes of one plain-encoded DECIMAL value: Parquet.Net writes INT32 up to 9 digits, INT64 up to 18.</summary>
    public static int DecimalBytes(DatasetColumn column) => column.Precision switch
    {
        <= 9 => sizeof(int),
        <= 18 => sizeof(long),
        _ => (int)Math.Ceiling((column.Precision * Math.Log2(10) + 1) / 8),
    };

    /// <summary>The column's Parquet physical type, as a manifest lists it.</summary>
    public static string PhysicalType(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => "INT64",
        ColumnType.Int32 => "INT32",
        ColumnType.Decimal => column.Precision switch { <= 9 => "INT32", <= 18 => "INT64", _ => "FIXED_LEN_BYTE_ARRAY" },
        ColumnType.Date => "INT32",
        ColumnType.Timestamp => "INT64",
        ColumnType.String => "BYTE_ARRAY",
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };

    /// <summary>The column's Parquet logical type, as a manifest lists it.</summary>
    public static string LogicalType(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => "INT(64, signed)",
        ColumnType.Int32 => "INT(32, signed)",
        ColumnType.Decimal => column.DuckDbType,
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP(MICROS, isAdjustedToUTC=false)",
        ColumnType.String => "STRING",
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };

    private static DataField Field(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => new DataField<long>(column.Name, nullable: false),
        ColumnType.Int32 => new DataField<int>(column.Name, nullable: false),
        ColumnType.Decimal => new DecimalDataField(column.Name, column.Precision, column.Scale, isNullable: false),
        ColumnType.Date => new DataField<DateOnly>(column.Name, nullable: false),

        // The TIMESTAMP logical type, not adjusted to UTC, so readers show the wall-clock value as TIMESTAMP (not
        // TIMESTAMP WITH TIME ZONE); microseconds are DuckDB's and Spark's precision (a 7th fractional digit in the
        // CSV is dropped). Parquet.Net's DateAndTime format would write the legacy TIMESTAMP_MILLIS converted type
        // instead, whatever unit is asked for.
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: false),

        // Parquet.Net makes string fields nullable unless told otherwise.
        ColumnType.String => new DataField<string>(column.Name, nullable: false),
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };
}

/// <summary>A Hive partition of month-partitioned output: <c>year=YYYY/month=MM/</c>, by <see cref="DatasetSchema.MonthPartitionColumn"/>.</summary>
internal readonly record struct MonthPartition(int Year, int Month)
{
    public static MonthPartition Of(DateTime timestamp) => new(timestamp.Year, timestamp.Month);

    public string Folder => string.Create(CultureInfo.InvariantCulture, $"year={Year:D4}/month={Month:D2}/");
}
