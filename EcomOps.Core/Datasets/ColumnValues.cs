using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace EcomOps.Core.Datasets;

/// <summary>
/// The rules a CSV value must follow to be loaded into its column, shared by the upload check and the
/// converter so both accept and refuse the same values. Formats are those the generator writes.
/// </summary>
/// <remarks>
/// The UTF-16 methods define the rules. The UTF-8 overloads, which the converter calls for every value,
/// take a fast path for the shapes the generator writes (such as <c>2024-01-31 13:45:00</c> or
/// <c>12.50</c>) and hand everything else to the UTF-16 method, so both accept exactly the same values.
/// They are compiled fully optimized from the first call: a conversion calls them tens of millions of
/// times, and would otherwise spend its first second in unoptimized code waiting for tiered compilation.
/// </remarks>
public static class ColumnValues
{
    /// <summary>Longest text the warehouse's VARCHAR(256) columns hold, in UTF-8 bytes.</summary>
    public const int MaxTextBytes = 256;

    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    // Longer than any accepted date or timestamp ("yyyy-MM-ddTHH:mm:ss.FFFFFFF" is 27 characters).
    private const int MaxDateTimeLength = 64;

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
    ];

    private static readonly decimal[] PowersOfTen = [.. Enumerable.Range(0, 29).Select(p => Pow10(p))];

    private static readonly ulong[] UlongPowersOfTen = [.. Enumerable.Range(0, 19).Select(p => (ulong)Pow10(p))];

    /// <summary>Why <paramref name="value"/> cannot go into <paramref name="column"/>, or null when it can.</summary>
    public static string? Problem(DatasetColumn column, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "is empty; every column needs a value";
        }

        return column.Type switch
        {
            ColumnType.Int64 => TryParseInt64(value, out _) ? null : "is not a whole number",
            ColumnType.Int32 => TryParseInt32(value, out _) ? null : $"is not a whole number between {int.MinValue} and {int.MaxValue}",
            ColumnType.Decimal => DecimalProblem(column, value),
            ColumnType.Date => TryParseDate(value, out _) ? null : $"is not a date as {DatasetRegistry.DateFormat}, such as 2024-01-31",
            ColumnType.Timestamp => TryParseTimestamp(value, out _) ? null : $"is not a timestamp as {DatasetRegistry.TimestampFormat}, such as 2024-01-31 13:45:00",
            ColumnType.String => Encoding.UTF8.GetByteCount(value) > MaxTextBytes ? $"is longer than {MaxTextBytes} bytes, the warehouse column's size" : null,
            _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
        };
    }

    /// <summary>
    /// Why the UTF-8 bytes <paramref name="utf8"/> cannot go into <paramref name="column"/>, or null when they
    /// can: bytes that are not valid UTF-8, then the rules of <see cref="Problem(DatasetColumn, ReadOnlySpan{char})"/>.
    /// </summary>
    public static string? Problem(DatasetColumn column, ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            return "is not valid UTF-8 (save the file as UTF-8)";
        }

        // Only called for values that failed the fast checks, so decoding to a string costs nothing that matters.
        return Problem(column, Encoding.UTF8.GetString(utf8));
    }

    public static bool TryParseInt64(ReadOnlySpan<char> value, out long number) =>
        long.TryParse(value, IntegerStyle, CultureInfo.InvariantCulture, out number);

    /// <summary>As <see cref="TryParseInt64(ReadOnlySpan{char}, out long)"/>, from UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseInt64(ReadOnlySpan<byte> utf8, out long number)
    {
        // Up to 18 digits cannot overflow a long; signs, longer values and anything odd take the general path.
        if (utf8.Length is > 0 and <= 18 && TryDigits(utf8, out var digits))
        {
            number = (long)digits;
            return true;
        }

        return long.TryParse(utf8, IntegerStyle, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryParseInt32(ReadOnlySpan<char> value, out int number) =>
        int.TryParse(value, IntegerStyle, CultureInfo.InvariantCulture, out number);

    /// <summary>As <see cref="TryParseInt32(ReadOnlySpan{char}, out int)"/>, from UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseInt32(ReadOnlySpan<byte> utf8, out int number)
    {
        if (utf8.Length is > 0 and <= 9 && TryDigits(utf8, out var digits))
        {
            number = (int)digits;
            return true;
        }

        return int.TryParse(utf8, IntegerStyle, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryParseDate(ReadOnlySpan<char> value, out DateOnly date) =>
        DateOnly.TryParseExact(value, DatasetRegistry.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>As <see cref="TryParseDate(ReadOnlySpan{char}, out DateOnly)"/>, from UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDate(ReadOnlySpan<byte> utf8, out DateOnly date)
    {
        if (utf8.Length == 10 && TryDateParts(utf8, out var year, out var month, out var day))
        {
            date = new DateOnly(year, month, day);
            return true;
        }

        Span<char> chars = stackalloc char[MaxDateTimeLength];
        date = default;
        return TryDecodeShort(utf8, chars, out var length) && TryParseDate(chars[..length], out date);
    }

    /// <summary>Parses a UTC timestamp without a zone; fractional seconds and a 'T' separator are accepted.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> value, out DateTime timestamp) =>
        DateTime.TryParseExact(value, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp);

    /// <summary>As <see cref="TryParseTimestamp(ReadOnlySpan{char}, out DateTime)"/>, from UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseTimestamp(ReadOnlySpan<byte> utf8, out DateTime timestamp)
    {
        if (utf8.Length == 19
            && utf8[10] is (byte)' ' or (byte)'T' && utf8[13] == ':' && utf8[16] == ':'
            && TryDateParts(utf8, out var year, out var month, out var day)
            && TryTwoDigits(utf8, 11, out var hour) && hour < 24
            && TryTwoDigits(utf8, 14, out var minute) && minute < 60
            && TryTwoDigits(utf8, 17, out var second) && second < 60)
        {
            timestamp = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
            return true;
        }

        Span<char> chars = stackalloc char[MaxDateTimeLength];
        timestamp = default;
        return TryDecodeShort(utf8, chars, out var length) && TryParseTimestamp(chars[..length], out timestamp);
    }

    /// <summary>Parses a decimal number: an optional sign, digits and an optional point; no thousands separators or exponent.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> value, out decimal number) =>
        decimal.TryParse(value, DecimalStyle, CultureInfo.InvariantCulture, out number);

    /// <summary>As <see cref="TryParseDecimal(ReadOnlySpan{char}, out decimal)"/>, from UTF-8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDecimal(ReadOnlySpan<byte> utf8, out decimal number)
    {
        // Fast path: [-]digits[.digits] with at most 18 digits, which a ulong holds exactly.
        var negative = utf8.Length > 0 && utf8[0] == '-';
        var digits = negative ? utf8[1..] : utf8;
        var point = digits.IndexOf((byte)'.');
        var whole = point < 0 ? digits : digits[..point];
        var fraction = point < 0 ? default : digits[(point + 1)..];
        if (whole.Length > 0 && (point < 0 || fraction.Length > 0) && whole.Length + fraction.Length <= 18
            && TryDigits(whole, out var integerPart) && TryDigits(fraction, out var fractionPart))
        {
            var unscaled = integerPart * UlongPowersOfTen[fraction.Length] + fractionPart;
            number = new decimal((int)(uint)unscaled, (int)(uint)(unscaled >> 32), 0, negative, (byte)fraction.Length);
            return true;
        }

        return decimal.TryParse(utf8, DecimalStyle, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// Parses a decimal for <paramref name="column"/>: a valid number with no more decimal places than the
    /// column's scale and no more integer digits than its precision allows. False when
    /// <see cref="Problem(DatasetColumn, ReadOnlySpan{byte})"/> would name a problem.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseDecimal(DatasetColumn column, ReadOnlySpan<byte> utf8, out decimal number) =>
        TryParseDecimal(utf8, out number) && FractionDigits(utf8.IndexOf((byte)'.'), utf8.Length) <= column.Scale && FitsIntegerDigits(column, number);

    /// <summary>Whether <paramref name="utf8"/> is text the column can hold: not empty, valid UTF-8, at most <see cref="MaxTextBytes"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsValidText(ReadOnlySpan<byte> utf8) =>
        utf8.Length is > 0 and <= MaxTextBytes && Utf8.IsValid(utf8);

    private static string? DecimalProblem(DatasetColumn column, ReadOnlySpan<char> value)
    {
        if (!TryParseDecimal(value, out var number))
        {
            return "is not a decimal number such as 12.34 (a point, no thousands separators)";
        }

        var scale = FractionDigits(value.IndexOf('.'), value.Length);
        if (scale > column.Scale)
        {
            return $"has {scale} decimal places; {column.DuckDbType} allows {column.Scale}";
        }

        return FitsIntegerDigits(column, number) ? null : $"is too large for {column.DuckDbType}";
    }

    private static int FractionDigits(int point, int length) => point < 0 ? 0 : length - point - 1;

    // At most precision - scale digits before the point: |truncated value| < 10^(precision - scale).
    private static bool FitsIntegerDigits(DatasetColumn column, decimal number)
    {
        var integerDigits = column.Precision - column.Scale;
        return integerDigits >= PowersOfTen.Length || Math.Abs(decimal.Truncate(number)) < PowersOfTen[integerDigits];
    }

    private static bool TryDateParts(ReadOnlySpan<byte> utf8, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (utf8[4] != '-' || utf8[7] != '-'
            || !TryTwoDigits(utf8, 0, out var century) || !TryTwoDigits(utf8, 2, out var yearOfCentury)
            || !TryTwoDigits(utf8, 5, out month) || !TryTwoDigits(utf8, 8, out day))
        {
            return false;
        }

        year = century * 100 + yearOfCentury;
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    private static bool TryTwoDigits(ReadOnlySpan<byte> utf8, int at, out int value)
    {
        var tens = (uint)(utf8[at] - '0');
        var ones = (uint)(utf8[at + 1] - '0');
        value = (int)(tens * 10 + ones);
        return tens <= 9 && ones <= 9;
    }

    private static bool TryDigits(ReadOnlySpan<byte> utf8, out ulong value)
    {
        value = 0;
        foreach (var b in utf8)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = value * 10 + digit;
        }

        return true;
    }

    // Dates and timestamps are short and ASCII; anything longer or not UTF-8 cannot be one.
    private static bool TryDecodeShort(ReadOnlySpan<byte> utf8, Span<char> chars, out int length)
    {
        length = 0;
        return utf8.Length <= chars.Length && Utf8.IsValid(utf8) && Encoding.UTF8.TryGetChars(utf8, chars, out length);
    }

    private static decimal Pow10(int power)
    {
        var value = 1m;
        for (var i = 0; i < power; i++)
        {
            value *= 10;
        }

        return value;
    }
}
