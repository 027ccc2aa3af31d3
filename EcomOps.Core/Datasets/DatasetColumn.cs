namespace EcomOps.Core.Datasets;

/// <summary>One column of a dataset: its name as written in CSV headers and Parquet, and its type.</summary>
/// <param name="Name">Column name, exactly as in the CSV header (case-sensitive).</param>
/// <param name="Type">Logical type.</param>
/// <param name="Description">What the column holds, for catalog and UI.</param>
/// <param name="Precision">Total digits, for <see cref="ColumnType.Decimal"/> only.</param>
/// <param name="Scale">Digits after the point, for <see cref="ColumnType.Decimal"/> only.</param>
public sealed record DatasetColumn(string Name, ColumnType Type, string Description, int Precision = 0, int Scale = 0)
{
    /// <summary>The type as DuckDB names it (also what DuckDB reports when it reads our Parquet back).</summary>
    public string DuckDbType => Type switch
    {
        ColumnType.Int64 => "BIGINT",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Decimal => $"DECIMAL({Precision},{Scale})",
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.String => "VARCHAR",
        _ => throw new InvalidOperationException($"Unknown column type {Type}."),
    };

    /// <summary>The type in Athena (Hive) DDL.</summary>
    public string AthenaType => Type switch
    {
        ColumnType.Int64 => "bigint",
        ColumnType.Int32 => "int",
        ColumnType.Decimal => $"decimal({Precision},{Scale})",
        ColumnType.Date => "date",
        ColumnType.Timestamp => "timestamp",
        ColumnType.String => "string",
        _ => throw new InvalidOperationException($"Unknown column type {Type}."),
    };

    /// <summary>The type in Redshift DDL.</summary>
    public string RedshiftType => Type switch
    {
        ColumnType.Int64 => "BIGINT",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Decimal => $"DECIMAL({Precision},{Scale})",
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.String => "VARCHAR(256)",
        _ => throw new InvalidOperationException($"Unknown column type {Type}."),
    };
}
