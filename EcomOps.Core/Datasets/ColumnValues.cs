using System.Globalization;
using System.Text;

namespace EcomOps.Core.Datasets;

/// <summary>
/// The rules a CSV value must follow to be loaded into its column, shared by the upload check and the
/// converter so both accept and refuse the same values. Formats are those the generator writes.
/// </summary>
public static class ColumnValues
{
    /// <summary>Longest text the warehouse's VARCHAR(256) columns hold, in UTF-8 bytes.</summary>
    public const int MaxTextBytes = 256;

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
    ];

    /// <summary>Why <paramref name="value"/> cannot go into <paramref name="column"/>, or null when it can.</summary>
    public static string? Problem(DatasetColumn column, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "is empty; every column needs a value";
        }

        return column.Type switch
        {
            ColumnType.Int64 => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "is not a whole number",
            ColumnType.Int32 => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : $"is not a whole number between {int.MinValue} and {int.MaxValue}",
            ColumnType.Decimal => DecimalProblem(column, value),
            ColumnType.Date => TryParseDate(value, out _) ? null : $"is not a date as {DatasetCatalog.DateFormat}, such as 2024-01-31",
            ColumnType.Timestamp => TryParseTimestamp(value, out _) ? null : $"is not a timestamp as {DatasetCatalog.TimestampFormat}, such as 2024-01-31 13:45:00",
            ColumnType.String => Encoding.UTF8.GetByteCount(value) > MaxTextBytes ? $"is longer than {MaxTextBytes} bytes, the warehouse column's size" : null,
            _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
        };
    }

    public static bool TryParseDate(ReadOnlySpan<char> value, out DateOnly date) =>
        DateOnly.TryParseExact(value, DatasetCatalog.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Parses a UTC timestamp without a zone; fractional seconds and a 'T' separator are accepted.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> value, out DateTime timestamp) =>
        DateTime.TryParseExact(value, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp);

    public static bool TryParseDecimal(ReadOnlySpan<char> value, out decimal number) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);

    private static string? DecimalProblem(DatasetColumn column, ReadOnlySpan<char> value)
    {
        if (!TryParseDecimal(value, out var number))
        {
            return "is not a decimal number such as 12.34 (a point, no thousands separators)";
        }

        var point = value.IndexOf('.');
        var scale = point < 0 ? 0 : value.Length - point - 1;
        if (scale > column.Scale)
        {
            return $"has {scale} decimal places; {column.DuckDbType} allows {column.Scale}";
        }

        var integerDigits = Math.Truncate(Math.Abs(number)).ToString(CultureInfo.InvariantCulture).TrimStart('0').Length;
        return integerDigits > column.Precision - column.Scale ? $"is too large for {column.DuckDbType}" : null;
    }
}
