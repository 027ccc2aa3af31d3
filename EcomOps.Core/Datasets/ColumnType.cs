namespace EcomOps.Core.Datasets;

/// <summary>The logical type of a dataset column; every engine's type is derived from it.</summary>
public enum ColumnType
{
    /// <summary>64-bit integer (ids).</summary>
    Int64,

    /// <summary>32-bit integer (counts such as Stock).</summary>
    Int32,

    /// <summary>Exact decimal with <see cref="DatasetColumn.Precision"/> and <see cref="DatasetColumn.Scale"/> (money).</summary>
    Decimal,

    /// <summary>Calendar date, written <c>yyyy-MM-dd</c>.</summary>
    Date,

    /// <summary>UTC timestamp without a zone in files, written <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    Timestamp,

    /// <summary>UTF-8 text.</summary>
    String,
}
