using System.Globalization;
using System.Numerics;
using EcomOps.Core.Aws.Athena;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// Athena's result cells (all VARCHAR text, a missing value for NULL) as the .NET values the local engine gives for the
/// same Athena type, so pages, charts and downloads see one results model: <c>bigint</c> a long, <c>integer</c> an int,
/// <c>double</c> a double, <c>decimal(p,s)</c> a decimal, <c>boolean</c> a bool, <c>date</c> a DateOnly, <c>timestamp</c> a
/// DateTime, <c>varchar</c> a string. Read with the invariant culture, as Athena writes them.
/// </summary>
internal static class AthenaResultValues
{
    private static readonly string[] TimestampFormats = ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    private static readonly string[] TimeFormats = ["HH:mm:ss.FFFFFFF", "HH:mm"];

    /// <summary>
    /// A result column's type in the names the local engine gives (<see cref="Query.AthenaTypes"/>): Athena answers
    /// <c>decimal</c> with the precision and scale beside it, and some Hive spellings (<c>int</c>, <c>float</c>, <c>string</c>).
    /// </summary>
    public static string TypeName(ColumnInfo column)
    {
        var type = column.Type.Trim().ToLowerInvariant();
        var open = type.IndexOf('(', StringComparison.Ordinal);
        var head = open < 0 ? type : type[..open].Trim();
        return head switch
        {
            "decimal" when open < 0 => string.Create(CultureInfo.InvariantCulture, $"decimal({column.Precision ?? 38},{column.Scale ?? 0})"),
            "decimal" => type.Replace(" ", "", StringComparison.Ordinal),
            "int" => "integer",
            "float" => "real",
            "string" or "char" or "varchar" => "varchar",
            "binary" => "varbinary",
            "struct" => "row",

            // timestamp(3), timestamp(6) with time zone, time(3): the local engine names them without a precision.
            "timestamp" or "time" => open < 0 ? type : head + type[(type.IndexOf(')', StringComparison.Ordinal) + 1)..],
            _ => type,
        };
    }

    /// <summary>The value of a cell of type <paramref name="type"/> (a <see cref="TypeName"/>), or null for SQL NULL; text Athena formats in a way not read here stays text.</summary>
    public static object? Parse(string? text, string type)
    {
        if (text is null)
        {
            return null;
        }

        var culture = CultureInfo.InvariantCulture;
        switch (type)
        {
            case "tinyint":
                return sbyte.TryParse(text, NumberStyles.AllowLeadingSign, culture, out var tiny) ? tiny : text;
            case "smallint":
                return short.TryParse(text, NumberStyles.AllowLeadingSign, culture, out var small) ? small : text;
            case "integer":
                return int.TryParse(text, NumberStyles.AllowLeadingSign, culture, out var integer) ? integer : text;
            case "bigint":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, culture, out var big) ? big : text;
            case "double":
                return double.TryParse(text, NumberStyles.Float, culture, out var real) ? real : text;
            case "real":
                return float.TryParse(text, NumberStyles.Float, culture, out var single) ? single : text;
            case "boolean":
                return text switch { "true" => true, "false" => false, _ => text };
            case "date":
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", culture, DateTimeStyles.None, out var date) ? date : text;
            case "timestamp":
                return DateTime.TryParseExact(Fraction7(text), TimestampFormats, culture, DateTimeStyles.None, out var timestamp) ? timestamp : text;
            case "timestamp with time zone":
                return Zoned(text) ?? (object)text;
            case "time":
                return TimeOnly.TryParseExact(Fraction7(text), TimeFormats, culture, DateTimeStyles.None, out var time) ? time : text;
            case "varbinary":
                return Bytes(text) ?? (object)text;
            case "uuid":
                return Guid.TryParse(text, out var uuid) ? uuid : text;
            case "interval day to second":
                // Athena writes "1 02:03:04.000"; TimeSpan's invariant form is "1.02:03:04.000".
                var index = text.IndexOf(' ', StringComparison.Ordinal);
                return TimeSpan.TryParse(index < 0 ? text : string.Concat(text.AsSpan(0, index), ".", text.AsSpan(index + 1)), culture, out var interval) ? interval : text;
            default:
                return type.StartsWith("decimal(", StringComparison.Ordinal) ? Decimal(text, type) : text;
        }
    }

    // decimal(38,s) holds more digits than System.Decimal: a whole number that large is a BigInteger, anything else stays text.
    private static object Decimal(string text, string type)
    {
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        return Query.AthenaTypes.DecimalScale(type) == 0 && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? whole : text;
    }

    // Trino writes up to 12 fractional digits (picoseconds); .NET reads 7.
    private static string Fraction7(string text)
    {
        var point = text.LastIndexOf('.');
        if (point < 0)
        {
            return text;
        }

        var end = point + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - point - 1 <= 7 ? text : string.Concat(text.AsSpan(0, point + 8), text.AsSpan(end));
    }

    // "2024-01-02 03:04:05.000 UTC" or "... Europe/Berlin" or "... +01:00": the instant, in UTC, as the local engine gives it.
    private static DateTime? Zoned(string text)
    {
        var space = text.LastIndexOf(' ');
        if (space < 0 || !DateTime.TryParseExact(Fraction7(text[..space]), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var zone = text[(space + 1)..];
        if (zone is "UTC" or "Z" or "GMT")
        {
            return DateTime.SpecifyKind(local, DateTimeKind.Utc);
        }

        if (TimeSpan.TryParseExact(zone.TrimStart('+', '-'), @"hh\:mm", CultureInfo.InvariantCulture, out var offset))
        {
            return DateTime.SpecifyKind(local - (zone.StartsWith('-') ? offset.Negate() : offset), DateTimeKind.Utc);
        }

        try
        {
            return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeZoneInfo.FindSystemTimeZoneById(zone));
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    // Athena writes varbinary as hex pairs separated by spaces: "68 65 6c".
    private static byte[]? Bytes(string text)
    {
        var hex = text.Replace(" ", "", StringComparison.Ordinal);
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
