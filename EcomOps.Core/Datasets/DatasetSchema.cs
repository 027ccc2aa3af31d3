namespace EcomOps.Core.Datasets;

/// <summary>A dataset's name and ordered columns: the CSV header, Parquet schema and DDL all come from here.</summary>
/// <param name="MonthPartitionColumn">
/// The timestamp column Hive month partitions (<c>year=YYYY/month=MM/</c>) are taken from, or null when the
/// dataset is never partitioned.
/// </param>
public sealed record DatasetSchema(string Name, string Description, IReadOnlyList<DatasetColumn> Columns, string? MonthPartitionColumn = null)
{
    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> ColumnNames { get; } = Columns.Select(c => c.Name).ToArray();

    /// <summary>The CSV header line, without a line ending.</summary>
    public string CsvHeader => string.Join(',', ColumnNames);

    /// <summary>The lake key of this dataset's raw CSV as the generator writes it.</summary>
    public string RawKey => $"raw/{Name}/{Name}.csv";

    public DatasetColumn this[string name] =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Name} has no column '{name}'; its columns are {CsvHeader}.");

    public override string ToString() => Name;
}
