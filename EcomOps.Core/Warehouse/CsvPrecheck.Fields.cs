using System.Globalization;
using System.Runtime.CompilerServices;

namespace EcomOps.Core.Warehouse;

// One field against its column: the plain forms DuckDB's typed reader and the row-by-row loader read alike.
internal sealed partial class CsvPrecheck
{
    // False (with Anomaly set) when the field is outside the forms both readers take alike.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ValidateField(ReadOnlySpan<byte> content, bool quoted, int doubledQuotes, ref ScanState s)
    {
        if (s.Field >= _width)
        {
            s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"more than {_width} fields at line {s.Lines + 1}");
            return false;
        }

        var field = s.Field;
        var kind = _kinds[field];
        string? why;
        if (!quoted && (content.Length == 0 || content.SequenceEqual(_nullAs)))
        {
            why = _notNull[field] ? "NULL in a NOT NULL column" : null;
        }
        else
        {
            why = kind switch
            {
                WarehouseTypeKind.Char or WarehouseTypeKind.Varchar => CheckText(content, doubledQuotes, kind == WarehouseTypeKind.Char, _limits[field]),
                WarehouseTypeKind.SmallInt or WarehouseTypeKind.Integer or WarehouseTypeKind.BigInt => CheckInteger(content),
                WarehouseTypeKind.Decimal => CheckDecimal(content, _scales[field]),
                WarehouseTypeKind.Double => CheckDouble(content),
                WarehouseTypeKind.Boolean => CheckBoolean(content),
                WarehouseTypeKind.Date => content.Length == 10 && IsDate(content) ? null : "not YYYY-MM-DD",
                WarehouseTypeKind.Timestamp => CheckTimestamp(content),
                _ => "an unsupported type",
            };
        }

        if (why is null)
        {
            return true;
        }

        s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"column {_columns[field].Name} at line {s.Lines + 1}: {why}");
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? CheckText(ReadOnlySpan<byte> content, int doubledQuotes, bool isChar, int limit)
    {
        if (content.Length == 0)
        {
            // Quoted "": the empty string for both, unless EMPTYASNULL makes it NULL for one.
            return _emptyAsNull ? "EMPTYASNULL on a quoted empty field" : null;
        }

        if (_blanksAsNull && content.IndexOfAnyExcept(" \t\n\v\f"u8) < 0)
        {
            return "BLANKSASNULL on a blank field";
        }

        if ((_trimBlanks || isChar) && content[^1] == (byte)' ')
        {
            return "trailing blanks to trim";
        }

        // NUL (DuckDB turns it into a space); U+FFFD or a surrogate's encoding, which the row-by-row loader reads as
        // invalid UTF-8. 0xEF and 0xED also start other characters: those files merely go row by row.
        if (content.IndexOfAny(SuspectTextBytes) >= 0)
        {
            return "a character the row-by-row loader must judge";
        }

        if (isChar && content.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
        {
            return "a multibyte character in CHAR";
        }

        var bytes = content.Length - doubledQuotes;
        return bytes > limit ? "longer than the column" : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? CheckInteger(ReadOnlySpan<byte> s)
    {
        var digits = s.Length > 0 && s[0] == (byte)'-' ? s[1..] : s;
        return digits.Length is > 0 and <= 19 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 ? null : "not a plain integer";
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? CheckDecimal(ReadOnlySpan<byte> s, int scale)
    {
        var body = s.Length > 0 && s[0] == (byte)'-' ? s[1..] : s;
        var point = body.IndexOf((byte)'.');
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? [] : body[(point + 1)..];
        if (whole.Length == 0 || whole.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return "not a plain decimal";
        }

        // DuckDB rounds digits beyond the scale; Redshift truncates them (or rounds with ROUNDEC).
        if (point >= 0 && (fraction.Length == 0 || fraction.Length > scale || fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0))
        {
            return "not a plain decimal within the column's scale";
        }

        return null;
    }

    private static string? CheckDouble(ReadOnlySpan<byte> s)
    {
        var body = s.Length > 0 && s[0] == (byte)'-' ? s[1..] : s;
        var point = body.IndexOf((byte)'.');
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? [] : body[(point + 1)..];
        return whole.Length is > 0 and <= 300 && whole.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && (point < 0 || (fraction.Length > 0 && fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0))
            ? null : "not a plain number";
    }

    private static string? CheckBoolean(ReadOnlySpan<byte> s)
    {
        Span<byte> lower = stackalloc byte[5];
        if (s.Length > 5)
        {
            return "not t, f, true, false, 1 or 0";
        }

        for (var i = 0; i < s.Length; i++)
        {
            lower[i] = (byte)(s[i] | 0x20);
        }

        var l = lower[..s.Length];
        return l.SequenceEqual("t"u8) || l.SequenceEqual("f"u8) || l.SequenceEqual("true"u8) || l.SequenceEqual("false"u8)
            || s.SequenceEqual("1"u8) || s.SequenceEqual("0"u8) ? null : "not t, f, true, false, 1 or 0";
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? CheckTimestamp(ReadOnlySpan<byte> s)
    {
        // YYYY-MM-DD HH:MI:SS[.f{1,6}]; DuckDB would move 24:00:00 to the next day.
        if (s.Length < 19 || !IsDate(s[..10]) || s[10] != (byte)' ' || s[13] != (byte)':' || s[16] != (byte)':'
            || !TwoDigits(s[11..13], 23) || !TwoDigits(s[14..16], 59) || !TwoDigits(s[17..19], 59))
        {
            return "not YYYY-MM-DD HH:MI:SS";
        }

        if (s.Length == 19)
        {
            return null;
        }

        var fraction = s[19..];
        return fraction[0] == (byte)'.' && fraction.Length is >= 2 and <= 7 && fraction[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            ? null : "not YYYY-MM-DD HH:MI:SS[.ffffff]";
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsDate(ReadOnlySpan<byte> s) =>
        s.Length == 10 && s[4] == (byte)'-' && s[7] == (byte)'-'
        && s[..4].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 && !s[..4].SequenceEqual("0000"u8)
        && TwoDigits(s[5..7], 12) && s[5..7] is not [(byte)'0', (byte)'0'] && TwoDigits(s[8..10], 31) && s[8..10] is not [(byte)'0', (byte)'0'];

    private static bool TwoDigits(ReadOnlySpan<byte> s, int max) =>
        s[0] is >= (byte)'0' and <= (byte)'9' && s[1] is >= (byte)'0' and <= (byte)'9' && ((s[0] - '0') * 10) + (s[1] - '0') <= max;
}
