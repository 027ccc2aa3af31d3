using System.Text;

namespace EcomOps.Core.Query;

/// <summary>
/// Result column types in Athena's (Trino's) names, whichever engine answered: the same query shows the same
/// types locally and on AWS, and the chart and the grid choose by them.
/// </summary>
public static class AthenaTypes
{
    /// <summary>
    /// Athena's name for a DuckDB type as <c>DESCRIBE</c> prints it: <c>BIGINT</c> is <c>bigint</c>,
    /// <c>DECIMAL(10,2)</c> is <c>decimal(10,2)</c>, <c>VARCHAR</c> is <c>varchar</c>, <c>INTEGER[]</c> is
    /// <c>array(integer)</c>, <c>MAP(VARCHAR, BIGINT)</c> is <c>map(varchar, bigint)</c>. A type Athena has no
    /// name for keeps DuckDB's, lower-cased.
    /// </summary>
    public static string FromDuckDb(string duckDbType)
    {
        ArgumentNullException.ThrowIfNull(duckDbType);
        var type = duckDbType.Trim();
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            return $"array({FromDuckDb(type[..^2])})";
        }

        var open = type.IndexOf('(', StringComparison.Ordinal);
        var head = (open < 0 ? type : type[..open]).Trim().ToUpperInvariant();
        var inner = open < 0 || !type.EndsWith(')') ? "" : type[(open + 1)..^1];
        return head switch
        {
            "BIGINT" or "INT8" or "LONG" => "bigint",
            "INTEGER" or "INT4" or "INT" or "SIGNED" => "integer",
            "SMALLINT" or "INT2" or "SHORT" => "smallint",
            "TINYINT" or "INT1" => "tinyint",

            // Wider than Athena's integers: Trino would widen them to decimals.
            "HUGEINT" or "UHUGEINT" => "decimal(38,0)",
            "UBIGINT" => "decimal(20,0)",
            "UINTEGER" => "bigint",
            "USMALLINT" => "integer",
            "UTINYINT" => "smallint",
            "DOUBLE" or "FLOAT8" => "double",
            "FLOAT" or "FLOAT4" or "REAL" => "real",
            "DECIMAL" or "NUMERIC" => inner.Length == 0 ? "decimal(18,3)" : $"decimal({inner.Replace(" ", "", StringComparison.Ordinal)})",
            "VARCHAR" or "TEXT" or "STRING" or "CHAR" or "BPCHAR" => "varchar",
            "BOOLEAN" or "BOOL" => "boolean",
            "DATE" => "date",
            "TIME" => "time",
            "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" => "timestamp with time zone",
            "TIMESTAMP" or "TIMESTAMP_NS" or "TIMESTAMP_MS" or "TIMESTAMP_S" or "DATETIME" => "timestamp",
            "INTERVAL" => "interval day to second",
            "BLOB" or "BYTEA" or "VARBINARY" => "varbinary",
            "UUID" => "uuid",
            "JSON" => "json",
            "MAP" => $"map({string.Join(", ", SplitTopLevel(inner).Select(FromDuckDb))})",
            "STRUCT" => $"row({string.Join(", ", SplitTopLevel(inner).Select(Field))})",
            "\"NULL\"" or "NULL" => "unknown",
            _ => type.ToLowerInvariant(),
        };
    }

    /// <summary>
    /// Athena's name for column <paramref name="ordinal"/> of a DuckDB.NET reader, from its type and, for decimals, the
    /// precision and scale the reader's schema table holds: no second bind of the query to DESCRIBE it.
    /// </summary>
    public static string FromReader(System.Data.Common.DbDataReader reader, System.Data.DataTable? schema, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var name = reader.GetDataTypeName(ordinal);
        if (name == "Decimal" && schema?.Rows[ordinal] is { } row && row["NumericPrecision"] is IConvertible precision && row["NumericScale"] is IConvertible scale)
        {
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            return string.Create(culture, $"decimal({precision.ToInt32(culture)},{scale.ToInt32(culture)})");
        }

        return name switch
        {
            "UnsignedTinyInt" => "smallint",
            "UnsignedSmallInt" => "integer",
            "UnsignedInteger" => "bigint",
            "UnsignedBigInt" => "decimal(20,0)",
            "UnsignedHugeInt" or "HugeInt" => "decimal(38,0)",
            "TimestampS" or "TimestampMs" or "TimestampNs" => "timestamp",
            "TimestampTz" => "timestamp with time zone",
            "TimeTz" => "time with time zone",
            "Enum" => "varchar",
            "List" or "Array" => $"array({FromClr(reader.GetFieldType(ordinal).GetGenericArguments().FirstOrDefault())})",
            "Map" when reader.GetFieldType(ordinal).GetGenericArguments() is [var key, var value] => $"map({FromClr(key)}, {FromClr(value)})",
            "Struct" => "row",
            _ => FromDuckDb(name),
        };
    }

    // The element types of lists and maps, which the reader gives only as .NET types.
    private static string FromClr(Type? type) => (Nullable.GetUnderlyingType(type ?? typeof(object)) ?? type) switch
    {
        { } t when t == typeof(long) => "bigint",
        { } t when t == typeof(int) => "integer",
        { } t when t == typeof(short) => "smallint",
        { } t when t == typeof(sbyte) || t == typeof(byte) => "tinyint",
        { } t when t == typeof(decimal) => "decimal",
        { } t when t == typeof(double) => "double",
        { } t when t == typeof(float) => "real",
        { } t when t == typeof(bool) => "boolean",
        { } t when t == typeof(string) => "varchar",
        { } t when t == typeof(DateTime) => "timestamp",
        { } t when t == typeof(DateOnly) => "date",
        { } t when t == typeof(DateTimeOffset) => "timestamp with time zone",
        { IsGenericType: true } t when t.GetGenericTypeDefinition() == typeof(List<>) => $"array({FromClr(t.GetGenericArguments()[0])})",
        _ => "unknown",
    };

    /// <summary>The decimal scale of <c>decimal(p,s)</c>, or null for any other type.</summary>
    public static int? DecimalScale(string athenaType)
    {
        if (!athenaType.StartsWith("decimal(", StringComparison.OrdinalIgnoreCase) || !athenaType.EndsWith(')'))
        {
            return null;
        }

        var parts = athenaType[8..^1].Split(',');
        return parts.Length == 2 && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var scale) ? scale : null;
    }

    // A struct field is "name TYPE", the name possibly quoted.
    private static string Field(string field)
    {
        var text = field.Trim();
        var split = text.StartsWith('"') ? text.IndexOf('"', 1) + 1 : text.IndexOf(' ', StringComparison.Ordinal);
        return split <= 0 || split >= text.Length ? FromDuckDb(text) : $"{text[..split].Trim('"')} {FromDuckDb(text[split..])}";
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var current = new StringBuilder();
        foreach (var c in text)
        {
            quoted ^= c == '"';
            depth += quoted ? 0 : c switch { '(' => 1, ')' => -1, _ => 0 };
            if (c == ',' && depth == 0 && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            parts.Add(current.ToString().Trim());
        }

        return parts;
    }
}
