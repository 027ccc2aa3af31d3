using System.Globalization;

namespace EcomOps.Core.Query;

/// <summary>What the builder can do with a column of an Athena/Glue type.</summary>
internal enum AthenaTypeKind
{
    Integer,
    Floating,
    Decimal,
    String,
    Boolean,
    Date,
    Timestamp,

    /// <summary>array, map, struct, binary, ...: shown and counted, never compared.</summary>
    Other,
}

/// <summary>A column type as the catalog spells it, with what a literal of it must look like.</summary>
internal sealed record AthenaType(string Name, AthenaTypeKind Kind, long Min = 0, long Max = 0, int Precision = 0, int Scale = 0)
{
    public bool IsNumeric => Kind is AthenaTypeKind.Integer or AthenaTypeKind.Floating or AthenaTypeKind.Decimal;

    public bool IsTemporal => Kind is AthenaTypeKind.Date or AthenaTypeKind.Timestamp;

    public static AthenaType Parse(string type)
    {
        var name = type.Trim().ToLowerInvariant();
        return name switch
        {
            "tinyint" => new(name, AthenaTypeKind.Integer, sbyte.MinValue, sbyte.MaxValue),
            "smallint" => new(name, AthenaTypeKind.Integer, short.MinValue, short.MaxValue),
            "int" or "integer" => new(name, AthenaTypeKind.Integer, int.MinValue, int.MaxValue),
            "bigint" => new(name, AthenaTypeKind.Integer, long.MinValue, long.MaxValue),
            "double" or "float" or "real" => new(name, AthenaTypeKind.Floating),
            "boolean" => new(name, AthenaTypeKind.Boolean),
            "date" => new(name, AthenaTypeKind.Date),
            "timestamp" => new(name, AthenaTypeKind.Timestamp),
            "string" => new(name, AthenaTypeKind.String),
            _ when name.StartsWith("varchar", StringComparison.Ordinal) || name.StartsWith("char", StringComparison.Ordinal) => new(name, AthenaTypeKind.String),
            _ when name.StartsWith("decimal", StringComparison.Ordinal) => ParseDecimal(name),
            _ => new(name, AthenaTypeKind.Other),
        };
    }

    // Hive's bare "decimal" is decimal(10,0).
    private static AthenaType ParseDecimal(string name)
    {
        var open = name.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return new(name, AthenaTypeKind.Decimal, Precision: 10, Scale: 0);
        }

        var parts = name[(open + 1)..].TrimEnd(')').Split(',', StringSplitOptions.TrimEntries);
        var precision = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var scale = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        return new(name, AthenaTypeKind.Decimal, Precision: precision, Scale: scale);
    }
}

/// <summary>Quoting and literals in the Athena (Trino) dialect. Nothing the user typed reaches SQL any other way.</summary>
internal static class AthenaSql
{
    private static readonly string[] s_timestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFF", "yyyy-MM-dd'T'HH:mm:ss.FFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>A quoted identifier: always quoted, so reserved words, capitals and quotes in names all stay names.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A string literal. Trino's string literals have no backslash escapes (standard SQL), so doubling the quote is
    /// the whole escaping: the text cannot end the literal early.
    /// </summary>
    public static string String(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Date(DateOnly date) => "DATE '" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'";

    public static string Timestamp(DateTime value) =>
        "TIMESTAMP '" + value.ToString(value.Millisecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "'";

    /// <summary>
    /// <paramref name="value"/> as a literal of <paramref name="type"/>, or null when it is not a value of that type.
    /// The literal is rebuilt from the parsed value, never from the text, so only digits, signs and points get through.
    /// </summary>
    public static string? TryLiteral(string value, AthenaType type, out string? detail)
    {
        detail = null;
        switch (type.Kind)
        {
            case AthenaTypeKind.String:
                return String(value);

            case AthenaTypeKind.Integer:
                return long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) && integer >= type.Min && integer <= type.Max
                    ? integer.ToString(CultureInfo.InvariantCulture)
                    : null;

            case AthenaTypeKind.Floating:
                if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || !double.IsFinite(real))
                {
                    return null;
                }

                // With an exponent Trino reads a double; a plain 1.5 would be a DECIMAL literal, compared after a cast.
                var text = real.ToString("R", CultureInfo.InvariantCulture);
                return text.Contains('E', StringComparison.Ordinal) ? text : text + "E0";

            case AthenaTypeKind.Decimal:
                return DecimalLiteral(value.Trim(), type, out detail);

            case AthenaTypeKind.Boolean:
                return value.Trim().ToLowerInvariant() switch
                {
                    "true" => "TRUE",
                    "false" => "FALSE",
                    _ => null,
                };

            case AthenaTypeKind.Date:
                return DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? Date(date) : null;

            case AthenaTypeKind.Timestamp:
                return DateTime.TryParseExact(value.Trim(), s_timestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp) ? Timestamp(timestamp) : null;

            default:
                return null;
        }
    }

    // DECIMAL '12.34' rather than a bare 12.34: Athena's documentation asks for the typed literal when comparing with
    // decimal columns, and engine versions that read bare fractions as double would compare money inexactly.
    private static string? DecimalLiteral(string value, AthenaType type, out string? detail)
    {
        detail = null;
        if (!decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var text = number.ToString(CultureInfo.InvariantCulture);
        var digits = text.TrimStart('-');
        var point = digits.IndexOf('.', StringComparison.Ordinal);
        var whole = (point < 0 ? digits : digits[..point]).TrimStart('0').Length;
        var fraction = point < 0 ? 0 : digits[(point + 1)..].TrimEnd('0').Length;
        if (whole > type.Precision - type.Scale || fraction > type.Scale)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"at most {type.Precision - type.Scale} digits before the point and {type.Scale} after");
            return null;
        }

        return "DECIMAL '" + text + "'";
    }
}
