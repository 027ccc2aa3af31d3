using System.Collections.Concurrent;

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
public sealed partial class ColumnConverter
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
}
