using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Turns the text of one field into the value Redshift's COPY would store, by Redshift's rules and the COPY's
/// options (NULL AS, EMPTYASNULL, BLANKSASNULL, ACCEPTINVCHARS, TRUNCATECOLUMNS, TRIMBLANKS, ROUNDEC, DATEFORMAT,
/// TIMEFORMAT, ACCEPTANYDATE, FILLRECORD), or into the <see cref="LoadFieldError"/> Redshift would report.
/// Values are the .NET types the loader appends to DuckDB: <see cref="short"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="decimal"/>, <see cref="float"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <see cref="DateOnly"/> for DATE, <see cref="DateTime"/> (Unspecified kind) for TIMESTAMP and <see cref="DateTime"/>
/// (UTC kind) for TIMESTAMPTZ; null for NULL.
/// Thread-safe. For the hot loop take one <see cref="ColumnConverter"/> per column with <see cref="For"/>.
/// </summary>
public sealed class FieldConverter
{
    private readonly ConcurrentDictionary<WarehouseColumn, ColumnConverter> _columns = new(ReferenceEqualityComparer.Instance);

    /// <summary>Compiles the options' DATEFORMAT and TIMEFORMAT once.</summary>
    /// <exception cref="ArgumentException">DATEFORMAT or TIMEFORMAT is not a pattern Redshift accepts; the message names it.</exception>
    public FieldConverter(CopyOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        DateFormat = RedshiftDateTimeFormat.ForDate(options.DateFormat);
        TimeFormat = RedshiftDateTimeFormat.ForTimestamp(options.TimeFormat);
    }

    /// <summary>The COPY options the conversion follows.</summary>
    public CopyOptions Options { get; }

    internal RedshiftDateTimeFormat DateFormat { get; }

    internal RedshiftDateTimeFormat TimeFormat { get; }

    /// <summary>The converter for one column, with its type's rules chosen once; cached per column instance.</summary>
    public ColumnConverter For(WarehouseColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return _columns.GetOrAdd(column, c => new ColumnConverter(this, c));
    }

    /// <summary>
    /// Converts one field. <paramref name="field"/> null means the row had no such field (it ended early);
    /// <paramref name="wasQuoted"/> says whether the CSV field was in quotes (a quoted empty string is not NULL).
    /// Returns false with <paramref name="error"/> set when Redshift would reject the row; never throws on bad data.
    /// </summary>
    public bool TryConvert(string? field, bool wasQuoted, WarehouseColumn column, out object? value, out LoadFieldError? error) =>
        For(column).TryConvert(field, wasQuoted, out value, out error);
}

/// <summary>The conversion of one column's fields; see <see cref="FieldConverter"/> for the rules and value types.</summary>
public sealed class ColumnConverter
{
    private readonly WarehouseTypeKind _kind;
    private readonly bool _notNull, _isText, _csv, _fillRecord, _emptyAsNull, _blanksAsNull, _truncate, _trimBlanks, _roundEc, _acceptAnyDate;
    private readonly string _nullAs;
    private readonly char? _replacement;
    private readonly int _length, _precision, _scale;
    private readonly RedshiftDateTimeFormat _dateFormat, _timeFormat;

    internal ColumnConverter(FieldConverter owner, WarehouseColumn column)
    {
        Column = column;
        var o = owner.Options;
        var type = column.Type;
        _kind = type.Kind;
        _notNull = column.NotNull;
        _isText = _kind is WarehouseTypeKind.Char or WarehouseTypeKind.Varchar;
        _csv = o.Format == CopyFormat.Csv;
        _fillRecord = o.FillRecord;
        _emptyAsNull = o.EmptyAsNull;
        _blanksAsNull = o.BlanksAsNull;
        _truncate = o.TruncateColumns;
        _trimBlanks = o.TrimBlanks;
        _roundEc = o.RoundEc;
        _acceptAnyDate = o.AcceptAnyDate;
        _nullAs = o.NullAs ?? "\\N";
        _replacement = o.AcceptInvChars;
        _length = type.Length ?? (_kind == WarehouseTypeKind.Char ? 1 : 256);
        _precision = type.Precision ?? 18;
        _scale = type.Scale ?? 0;
        _dateFormat = owner.DateFormat;
        _timeFormat = owner.TimeFormat;
    }

    /// <summary>The column this converter is for.</summary>
    public WarehouseColumn Column { get; }

    /// <summary>Converts one field; see <see cref="FieldConverter.TryConvert"/>.</summary>
    public bool TryConvert(string? field, bool wasQuoted, out object? value, out LoadFieldError? error)
    {
        var ok = TryConvertValue(field, wasQuoted, out var typed, out error);
        value = typed.ToObject();
        return ok;
    }

    /// <summary>
    /// Converts a field that is present, straight from the reader's buffer: no string is made except for the
    /// value of a CHAR/VARCHAR column and for error reasons.
    /// </summary>
    public bool TryConvert(ReadOnlySpan<char> field, bool wasQuoted, out object? value, out LoadFieldError? error)
    {
        var ok = Convert(field, null, wasQuoted, out var typed, out error);
        value = typed.ToObject();
        return ok;
    }

    /// <summary>Converts one field without boxing the value; null <paramref name="field"/> means the row had no such field.</summary>
    public bool TryConvertValue(string? field, bool wasQuoted, out FieldValue value, out LoadFieldError? error)
    {
        if (field is null)
        {
            value = default;
            if (!_fillRecord)
            {
                // What Redshift reports for a row that ends before its last column.
                error = new(LoadErrorCodes.DelimiterNotFound, "Delimiter not found");
                return false;
            }

            return Null(out error);
        }

        return Convert(field.AsSpan(), field, wasQuoted, out value, out error);
    }

    /// <summary>Converts a field that is present, from the reader's buffer, without boxing the value.</summary>
    public bool TryConvertValue(ReadOnlySpan<char> field, bool wasQuoted, out FieldValue value, out LoadFieldError? error) =>
        Convert(field, null, wasQuoted, out value, out error);

    private bool Convert(ReadOnlySpan<char> field, string? original, bool wasQuoted, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        error = null;
        if (!wasQuoted && field.Length == _nullAs.Length && field.SequenceEqual(_nullAs))
        {
            return Null(out error);
        }

        if (_isText)
        {
            if (field.Length == 0)
            {
                // CSV: an unquoted empty field is NULL, a quoted one ("") the empty string. Text: empty is the empty
                // string unless EMPTYASNULL.
                if (_emptyAsNull || (_csv && !wasQuoted))
                {
                    return Null(out error);
                }
            }
            else if (_blanksAsNull && IsBlank(field))
            {
                return Null(out error);
            }

            return TryText(original ?? field.ToString(), out value, out error);
        }

        // Numbers, booleans and dates tolerate surrounding blanks; an empty or blank field of these types is always
        // NULL (Redshift's EMPTYASNULL/BLANKSASNULL docs: "always loaded with NULL").
        var span = field;
        var start = 0;
        while (start < span.Length && IsBlankChar(span[start]))
        {
            start++;
        }

        var end = span.Length;
        while (end > start && IsBlankChar(span[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return Null(out error);
        }

        var s = span[start..end];
        switch (_kind)
        {
            case WarehouseTypeKind.SmallInt:
            case WarehouseTypeKind.Integer:
            case WarehouseTypeKind.BigInt:
                return TryInteger(field, s, start, out value, out error);
            case WarehouseTypeKind.Decimal:
                return TryDecimal(field, s, start, out value, out error);
            case WarehouseTypeKind.Real:
            case WarehouseTypeKind.Double:
                return TryFloat(field, s, out value, out error);
            case WarehouseTypeKind.Boolean:
                return TryBoolean(field, s, out value, out error);
            case WarehouseTypeKind.Date:
                if (_dateFormat.TryParseDate(s, out var date))
                {
                    value = date;
                    return true;
                }

                return _acceptAnyDate ? Null(out error)
                    : Fail(LoadErrorCodes.InvalidDate, $"Invalid Date Format, Value '{Show(field)}', Format '{_dateFormat.Text}', Type: Date", out error);
            case WarehouseTypeKind.Timestamp:
            case WarehouseTypeKind.TimestampTz:
                var utc = _kind == WarehouseTypeKind.TimestampTz;
                if (_timeFormat.TryParseTimestamp(s, utc, out var timestamp))
                {
                    value = timestamp;
                    return true;
                }

                return _acceptAnyDate ? Null(out error)
                    : Fail(LoadErrorCodes.InvalidTimestamp,
                        $"Invalid timestamp format, Value '{Show(field)}', Format '{_timeFormat.Text}', Type: {(utc ? "TimestampTZ" : "Timestamp")}", out error);
            default:
                return Fail(1200, $"Unknown parse error, Type: {_kind}", out error);
        }
    }

    private bool Null(out LoadFieldError? error)
    {
        if (_notNull)
        {
            // Redshift's err_reason for code 1213.
            error = new(LoadErrorCodes.NotNullFieldEmpty, "Missing data for not-null field");
            return false;
        }

        error = null;
        return true;
    }

    private static bool Fail(int code, string reason, out LoadFieldError? error)
    {
        error = new(code, reason);
        return false;
    }

    private static bool IsBlankChar(char c) => c is ' ' or '\t' or '\r' or '\n' or '\v' or '\f';

    private static bool IsBlank(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!IsBlankChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A value as shown in a reason: at most 100 characters, as Redshift's err_reason is short.</summary>
    private static string Show(ReadOnlySpan<char> value) => value.Length <= 100 ? value.ToString() : string.Concat(value[..100], "...");

    private string TypeName => _kind switch
    {
        WarehouseTypeKind.SmallInt => "Short",
        WarehouseTypeKind.Integer => "Integer",
        WarehouseTypeKind.BigInt => "Long",
        WarehouseTypeKind.Decimal => "Decimal",
        WarehouseTypeKind.Real => "Float",
        WarehouseTypeKind.Double => "Double",
        WarehouseTypeKind.Boolean => "Boolean",
        WarehouseTypeKind.Char => "Char",
        WarehouseTypeKind.Varchar => "Varchar",
        _ => _kind.ToString(),
    };

    private bool InvalidDigit(char c, int pos, out LoadFieldError? error) =>
        Fail(LoadErrorCodes.InvalidDigit, $"Invalid digit, Value '{c}', Pos {pos}, Type: {TypeName}", out error);

    private bool Overflow(ReadOnlySpan<char> field, string range, out LoadFieldError? error) =>
        Fail(LoadErrorCodes.OutOfRange, $"Overflow ({TypeName} valid range {range}), Value '{Show(field)}', Type: {TypeName}", out error);

    private bool TryInteger(ReadOnlySpan<char> field, ReadOnlySpan<char> s, int offset, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var negative = s[0] == '-';
        var i = s[0] is '-' or '+' ? 1 : 0;
        if (i == s.Length)
        {
            return InvalidDigit(s[0], offset, out error);
        }

        ulong magnitude = 0;
        var overflow = false;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return InvalidDigit(s[i], offset + i, out error);
            }

            if (magnitude > (ulong.MaxValue - d) / 10)
            {
                overflow = true;
            }
            else
            {
                magnitude = (magnitude * 10) + d;
            }
        }

        var (min, max) = _kind switch
        {
            WarehouseTypeKind.SmallInt => (short.MinValue, (long)short.MaxValue),
            WarehouseTypeKind.Integer => (int.MinValue, (long)int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (overflow || (negative ? magnitude > (ulong)max + 1 : magnitude > (ulong)max))
        {
            return Overflow(field, string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"), out error);
        }

        var n = negative ? (long)(0 - magnitude) : (long)magnitude;
        value = _kind switch
        {
            WarehouseTypeKind.SmallInt => (short)n,
            WarehouseTypeKind.Integer => (FieldValue)(int)n,
            _ => n,
        };
        error = null;
        return true;
    }

    private bool TryDecimal(ReadOnlySpan<char> field, ReadOnlySpan<char> s, int offset, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var negative = s[0] == '-';
        var i = s[0] is '-' or '+' ? 1 : 0;
        // Up to 18 digits fit a ulong, whose arithmetic is several times cheaper than UInt128's.
        ulong small = 0;
        var useSmall = _precision <= 18;
        UInt128 mantissa = 0;
        int integerDigits = 0, fractionDigits = 0, digits = 0;
        var point = false;
        var roundUp = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.' && !point)
            {
                point = true;
                continue;
            }

            var d = (uint)(c - '0');
            if (d > 9)
            {
                return InvalidDigit(c, offset + i, out error);
            }

            digits++;
            if (!point)
            {
                // Leading zeros take no precision.
                if (integerDigits == 0 && d == 0)
                {
                    continue;
                }

                if (++integerDigits > _precision - _scale)
                {
                    continue; // counted; reported as overflow after the whole field is checked for bad characters
                }

                if (useSmall) { small = (small * 10) + d; } else { mantissa = (mantissa * 10) + d; }
            }
            else if (fractionDigits < _scale)
            {
                fractionDigits++;
                if (useSmall) { small = (small * 10) + d; } else { mantissa = (mantissa * 10) + d; }
            }
            else if (fractionDigits == _scale)
            {
                // The first digit beyond the column's scale decides ROUNDEC's rounding; by default Redshift truncates.
                roundUp = _roundEc && d >= 5;
                fractionDigits++;
            }
        }

        if (digits == 0)
        {
            return Fail(LoadErrorCodes.InvalidDecimal, $"DECIMAL data type format error, Value '{Show(field)}', Type: Decimal", out error);
        }

        if (useSmall)
        {
            mantissa = small;
        }

        if (integerDigits > _precision - _scale)
        {
            return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}), Value '{Show(field)}', Type: Decimal", out error);
        }

        for (var k = Math.Min(fractionDigits, _scale); k < _scale; k++)
        {
            mantissa *= 10;
        }

        if (roundUp)
        {
            mantissa++;
            if (mantissa >= Pow10(_precision))
            {
                return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}), Value '{Show(field)}', Type: Decimal", out error);
            }
        }

        // .NET's decimal holds 96 bits of mantissa (28-29 digits) and scale up to 28; wider Redshift decimals that
        // do not fit are refused rather than silently rounded.
        if (mantissa >> 96 != 0 || _scale > 28)
        {
            return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}) (beyond 28 digits), Value '{Show(field)}', Type: Decimal", out error);
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative && mantissa != 0, (byte)_scale);
        error = null;
        return true;
    }

    private static UInt128 Pow10(int n)
    {
        UInt128 p = 1;
        for (var k = 0; k < n; k++)
        {
            p *= 10;
        }

        return p;
    }

    private bool TryFloat(ReadOnlySpan<char> field, ReadOnlySpan<char> s, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var real = _kind == WarehouseTypeKind.Real;
        var sign = s[0] == '-' ? -1 : 1;
        var body = s[0] is '-' or '+' ? s[1..] : s;
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = real ? sign * float.PositiveInfinity : (FieldValue)(sign * double.PositiveInfinity);
            error = null;
            return true;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = real ? float.NaN : (FieldValue)double.NaN;
            error = null;
            return true;
        }

        // Digits, sign, point and exponent only: .NET would also take '∞' and culture symbols, Redshift does not.
        foreach (var c in body)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-'))
            {
                return Fail(LoadErrorCodes.InvalidFloat, $"FLOAT data type format error, Value '{Show(field)}', Type: {TypeName}", out error);
            }
        }

        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        bool parsed, infinite;
        if (real)
        {
            parsed = float.TryParse(s, style, CultureInfo.InvariantCulture, out var f);
            infinite = float.IsInfinity(f);
            value = f;
        }
        else
        {
            parsed = double.TryParse(s, style, CultureInfo.InvariantCulture, out var d);
            infinite = double.IsInfinity(d);
            value = d;
        }

        if (!parsed)
        {
            value = default;
            return Fail(LoadErrorCodes.InvalidFloat, $"FLOAT data type format error, Value '{Show(field)}', Type: {TypeName}", out error);
        }

        if (infinite)
        {
            // .NET reads a finite number too large for the type as infinity; Redshift refuses it.
            value = default;
            return Overflow(field, real ? "-3.4E38 to 3.4E38" : "-1.8E308 to 1.8E308", out error);
        }

        error = null;
        return true;
    }

    private static bool TryBoolean(ReadOnlySpan<char> field, ReadOnlySpan<char> s, out FieldValue value, out LoadFieldError? error)
    {
        error = null;
        value = null;
        if (s.Length <= 5)
        {
            Span<char> lower = stackalloc char[5];
            var n = s.ToLowerInvariant(lower);
            switch (lower[..n])
            {
                case "t" or "true" or "1" or "y" or "yes":
                    value = true;
                    return true;
                case "f" or "false" or "0" or "n" or "no":
                    value = false;
                    return true;
            }
        }

        return Fail(LoadErrorCodes.InvalidBoolean, $"BOOLEAN data type format error, Value '{Show(field)}', Type: Boolean", out error);
    }

    private bool TryText(string field, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var s = field;
        // TRIMBLANKS trims VARCHAR; CHAR's trailing blanks are never significant in Redshift (it pads CHAR), so
        // they do not count against the length either.
        if ((_trimBlanks || _kind == WarehouseTypeKind.Char) && s.Length > 0 && s[^1] == ' ')
        {
            s = s.TrimEnd(' ');
        }

        var bad = IndexOfInvalid(s);
        if (bad >= 0)
        {
            if (_replacement is not { } replacement)
            {
                return Fail(LoadErrorCodes.InvalidUtf8,
                    $"String contains invalid or unsupported UTF8 codepoints, Value '{Show(field)}', Pos {bad}, Type: {TypeName}", out error);
            }

            s = ReplaceInvalid(s, bad, replacement);
        }

        if (_kind == WarehouseTypeKind.Char && !System.Text.Ascii.IsValid(s))
        {
            var pos = s.AsSpan().IndexOfAnyExceptInRange('\0', '\u007f');
            return Fail(LoadErrorCodes.InvalidUtf8,
                $"Multibyte character not supported for CHAR (Hint: try using VARCHAR), Value '{Show(field)}', Pos {pos}, Type: Char", out error);
        }

        // A UTF-16 char never takes more than 3 UTF-8 bytes, so short strings skip the byte count.
        if (s.Length * 3 > _length)
        {
            var bytes = Encoding.UTF8.GetByteCount(s);
            if (bytes > _length)
            {
                if (!_truncate)
                {
                    return Fail(LoadErrorCodes.OutOfRange,
                        string.Create(CultureInfo.InvariantCulture,
                            $"String length exceeds DDL length, Value '{Show(field)}', Length {bytes}, DDL length {_length}, Type: {TypeName}"),
                        out error);
                }

                s = TruncateUtf8(s, _length);
            }
        }

        value = s;
        error = null;
        return true;
    }

    /// <summary>
    /// The first UTF-16 unit that stands for invalid UTF-8: a lone surrogate, or U+FFFD, which a UTF-8 decoder puts
    /// where the bytes were invalid (the only trace of them left once the loader has decoded the file).
    /// </summary>
    private static int IndexOfInvalid(string s)
    {
        var span = s.AsSpan();
        var i = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        var replacementChar = span.IndexOf('\uFFFD');
        if (i < 0)
        {
            return replacementChar;
        }

        for (; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '\uFFFD')
            {
                return i;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static string ReplaceInvalid(string s, int from, char replacement)
    {
        var chars = s.ToCharArray();
        for (var i = from; i < chars.Length; i++)
        {
            var c = chars[i];
            if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || c == '\uFFFD')
            {
                chars[i] = replacement;
            }
        }

        return new string(chars);
    }

    /// <summary>The longest prefix of at most <paramref name="maxBytes"/> UTF-8 bytes that ends on a character boundary.</summary>
    private static string TruncateUtf8(string s, int maxBytes)
    {
        var bytes = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var (width, units) = c < 0x80 ? (1, 1)
                : c < 0x800 ? (2, 1)
                : char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? (4, 2)
                : (3, 1);
            if (bytes + width > maxBytes)
            {
                break;
            }

            bytes += width;
            i += units;
        }

        return s[..i];
    }
}
