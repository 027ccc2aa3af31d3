using System.Globalization;

namespace EcomOps.Core.Warehouse;

/// <summary>The Redshift column types the warehouse supports.</summary>
public enum WarehouseTypeKind
{
    SmallInt,
    Integer,
    BigInt,
    Decimal,
    Real,
    Double,
    Boolean,
    Char,
    Varchar,
    Date,
    Timestamp,
    TimestampTz,
}

/// <summary>
/// A Redshift column type: <see cref="Length"/> for CHAR/VARCHAR (in bytes of UTF-8, as Redshift counts),
/// <see cref="Precision"/> and <see cref="Scale"/> for DECIMAL; null elsewhere.
/// </summary>
public sealed record WarehouseType(WarehouseTypeKind Kind, int? Length = null, int? Precision = null, int? Scale = null)
{
    /// <summary>Redshift's longest CHAR (4096) and VARCHAR (65535) in bytes; VARCHAR(MAX) is the latter.</summary>
    public const int MaxCharLength = 4096, MaxVarcharLength = 65535;

    /// <summary>Redshift's largest DECIMAL precision.</summary>
    public const int MaxPrecision = 38;

    /// <summary>The type in Redshift's canonical spelling, e.g. <c>DECIMAL(10,2)</c>, <c>VARCHAR(256)</c>, <c>TIMESTAMPTZ</c>.</summary>
    public string Sql => Kind switch
    {
        WarehouseTypeKind.SmallInt => "SMALLINT",
        WarehouseTypeKind.Integer => "INTEGER",
        WarehouseTypeKind.BigInt => "BIGINT",
        WarehouseTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({Precision ?? 18},{Scale ?? 0})"),
        WarehouseTypeKind.Real => "REAL",
        WarehouseTypeKind.Double => "DOUBLE PRECISION",
        WarehouseTypeKind.Boolean => "BOOLEAN",
        WarehouseTypeKind.Char => string.Create(CultureInfo.InvariantCulture, $"CHAR({Length ?? 1})"),
        WarehouseTypeKind.Varchar => string.Create(CultureInfo.InvariantCulture, $"VARCHAR({Length ?? 256})"),
        WarehouseTypeKind.Date => "DATE",
        WarehouseTypeKind.Timestamp => "TIMESTAMP",
        WarehouseTypeKind.TimestampTz => "TIMESTAMPTZ",
        _ => throw new InvalidOperationException($"Unknown warehouse type kind {Kind}."),
    };

    /// <summary>
    /// The DuckDB type that holds the same values. Lengths are dropped: DuckDB's VARCHAR has none, and the
    /// byte-length limit Redshift applies is enforced by the field converter during the load instead.
    /// </summary>
    public string DuckDbSql => Kind switch
    {
        WarehouseTypeKind.SmallInt => "SMALLINT",
        WarehouseTypeKind.Integer => "INTEGER",
        WarehouseTypeKind.BigInt => "BIGINT",
        WarehouseTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({Precision ?? 18},{Scale ?? 0})"),
        WarehouseTypeKind.Real => "REAL",
        WarehouseTypeKind.Double => "DOUBLE",
        WarehouseTypeKind.Boolean => "BOOLEAN",
        WarehouseTypeKind.Char or WarehouseTypeKind.Varchar => "VARCHAR",
        WarehouseTypeKind.Date => "DATE",
        WarehouseTypeKind.Timestamp => "TIMESTAMP",
        WarehouseTypeKind.TimestampTz => "TIMESTAMPTZ",
        _ => throw new InvalidOperationException($"Unknown warehouse type kind {Kind}."),
    };

    /// <inheritdoc />
    public override string ToString() => Sql;

    /// <summary>
    /// Parses a Redshift type name or alias, case-insensitively: INT2/SMALLINT, INT/INT4/INTEGER, INT8/BIGINT,
    /// DECIMAL/NUMERIC[(p[,s])] (default (18,0)), REAL/FLOAT4, DOUBLE PRECISION/FLOAT8/FLOAT, BOOL/BOOLEAN,
    /// CHAR/CHARACTER/NCHAR/BPCHAR[(n)] (default 1), VARCHAR/CHARACTER VARYING/NVARCHAR/TEXT[(n|MAX)] (default 256),
    /// DATE, TIMESTAMP [WITHOUT TIME ZONE], TIMESTAMPTZ/TIMESTAMP WITH TIME ZONE.
    /// </summary>
    /// <exception cref="FormatException">The text is not a supported type; the message names it.</exception>
    public static WarehouseType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var name = string.Join(' ', (open < 0 ? text : text[..open]).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .ToUpperInvariant();
        string[] args = [];
        if (open >= 0)
        {
            var close = text.IndexOf(')', open);
            if (close < 0 || text[(close + 1)..].Trim().Length > 0)
            {
                throw Bad(text, "its parentheses do not close at the end");
            }

            args = text[(open + 1)..close].Split(',').Select(a => a.Trim()).ToArray();
        }

        switch (name)
        {
            case "INT2" or "SMALLINT": NoArgs(); return new(WarehouseTypeKind.SmallInt);
            case "INT" or "INT4" or "INTEGER": NoArgs(); return new(WarehouseTypeKind.Integer);
            case "INT8" or "BIGINT": NoArgs(); return new(WarehouseTypeKind.BigInt);
            case "REAL" or "FLOAT4": NoArgs(); return new(WarehouseTypeKind.Real);
            case "DOUBLE PRECISION" or "FLOAT8" or "FLOAT": NoArgs(); return new(WarehouseTypeKind.Double);
            case "BOOL" or "BOOLEAN": NoArgs(); return new(WarehouseTypeKind.Boolean);
            case "DATE": NoArgs(); return new(WarehouseTypeKind.Date);
            case "TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE": NoArgs(); return new(WarehouseTypeKind.Timestamp);
            case "TIMESTAMPTZ" or "TIMESTAMP WITH TIME ZONE": NoArgs(); return new(WarehouseTypeKind.TimestampTz);
            case "DECIMAL" or "NUMERIC":
            {
                if (args.Length > 2)
                {
                    throw Bad(text, "DECIMAL takes (precision[, scale])");
                }

                var precision = args.Length > 0 ? Number(args[0], 1, MaxPrecision, "precision") : 18;
                var scale = args.Length > 1 ? Number(args[1], 0, precision, "scale") : 0;
                return new(WarehouseTypeKind.Decimal, Precision: precision, Scale: scale);
            }

            case "CHAR" or "CHARACTER" or "NCHAR" or "BPCHAR":
                return new(WarehouseTypeKind.Char, Length: LengthArg(1, MaxCharLength));
            case "VARCHAR" or "CHARACTER VARYING" or "NVARCHAR" or "TEXT":
                return new(WarehouseTypeKind.Varchar, Length: LengthArg(256, MaxVarcharLength));
            default:
                throw new FormatException(
                    $"Unsupported Redshift type '{text.Trim()}'. Use one of SMALLINT, INTEGER, BIGINT, DECIMAL(p,s), REAL, "
                    + "DOUBLE PRECISION, BOOLEAN, CHAR(n), VARCHAR(n), DATE, TIMESTAMP, TIMESTAMPTZ (or their aliases).");
        }

        void NoArgs()
        {
            if (open >= 0)
            {
                throw Bad(text, $"{name} takes no length or precision");
            }
        }

        int LengthArg(int defaultLength, int max)
        {
            if (args.Length > 1)
            {
                throw Bad(text, "a character type takes one length");
            }

            if (args.Length == 0)
            {
                return defaultLength;
            }

            return string.Equals(args[0], "MAX", StringComparison.OrdinalIgnoreCase) ? max : Number(args[0], 1, max, "length");
        }

        int Number(string arg, int min, int max, string what) =>
            int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw Bad(text, $"its {what} '{arg}' must be a whole number from {min} to {max}");
    }

    private static FormatException Bad(string text, string why) =>
        new($"Invalid Redshift type '{text.Trim()}': {why}.");
}

/// <summary>A column of a warehouse table. <see cref="Name"/> is as Redshift stores it (unquoted names folded to lower case).</summary>
public sealed record WarehouseColumn(string Name, WarehouseType Type, bool NotNull);

/// <summary>
/// A warehouse table as its Redshift DDL declares it. <see cref="Schema"/> is <c>public</c> when the DDL names
/// none (Redshift's default search path); names are lower-cased unless they were quoted.
/// </summary>
public sealed record WarehouseTable(string Schema, string Name, IReadOnlyList<WarehouseColumn> Columns)
{
    /// <inheritdoc />
    public bool Equals(WarehouseTable? other) =>
        other is not null && Schema == other.Schema && Name == other.Name && Columns.SequenceEqual(other.Columns);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Schema, Name, Columns.Count);
}
