using System.Text.Json.Nodes;

namespace EcomOps.Core.Query;

/// <summary>
/// What the engine knows of types before a query runs: the columns of the tables it reads. Enough to tell the
/// integer and decimal expressions whose Athena semantics differ from DuckDB's.
/// </summary>
internal sealed class ColumnTypes(IReadOnlyDictionary<string, IReadOnlySet<string>> columns)
{
    private static readonly HashSet<string> Integral = new(StringComparer.OrdinalIgnoreCase)
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
    };

    private static readonly HashSet<string> IntegralFunctions = new(StringComparer.Ordinal)
    {
        "count", "count_star", "length", "len", "strlen", "year", "month", "day", "hour", "minute", "second", "quarter", "week",
        "isodow", "dayofyear", "isoyear", "date_sub", "date_diff", "strpos", "cardinality", "row_number", "rank", "dense_rank", "ntile",
    };

    // A decimal's type in the tree keeps its width and scale beside the id: DECIMAL(10,2), as DESCRIBE writes it.
    private static string? WithDecimalWidth(JsonNode? type)
    {
        var id = AthenaSqlTranslator.Text(type?["id"]);
        return id == "DECIMAL" && type?["type_info"] is JsonObject info && info["width"] is JsonValue width && width.TryGetValue<int>(out var w)
            && info["scale"] is JsonValue scale && scale.TryGetValue<int>(out var s)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DECIMAL({w},{s})")
            : id;
    }

    public static ColumnTypes None { get; } = new(new Dictionary<string, IReadOnlySet<string>>());

    /// <summary>The one type a column name has in the tables read, or null when unknown or ambiguous.</summary>
    public string? Of(string column) => columns.TryGetValue(column.ToLowerInvariant(), out var found) && found.Count == 1 ? found.First() : null;

    /// <summary>Whether an expression is known to be an integer, from literals, columns, casts and integer functions.</summary>
    public bool IsIntegral(JsonNode expression) => TypeOf(expression) is { } type && Integral.Contains(type);

    /// <summary>The DuckDB type of an expression when it can be told from the tree, else null.</summary>
    public string? TypeOf(JsonNode expression)
    {
        var text = AthenaSqlTranslator.Text;
        switch (text(expression["class"]))
        {
            case "CONSTANT":
                return WithDecimalWidth(expression["value"]?["type"]);
            case "COLUMN_REF" when expression["column_names"] is JsonArray { Count: > 0 } names:
                return text(names[^1]) is { } column ? Of(column) : null;
            case "CAST":
                return WithDecimalWidth(expression["cast_type"]);
            case "FUNCTION":
                var name = text(expression["function_name"]) ?? "";
                var args = expression["children"] as JsonArray ?? [];
                if (name is "+" or "-" or "*" or "%" or "//")
                {
                    return args.Count > 0 && args.All(a => a is not null && IsIntegral(a)) ? "BIGINT" : null;
                }

                if (name is "sum" or "min" or "max" or "abs" or "any_value" or "first" or "last" && args.Count == 1 && args[0] is { } only)
                {
                    if (IsIntegral(only))
                    {
                        return "BIGINT";
                    }

                    // A sum of DECIMAL(p,s) is DECIMAL(38,s) on both engines; the others keep their argument's type.
                    return TypeOf(only) is { } inner && inner.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase)
                        ? name == "sum" ? "DECIMAL(38," + inner[(inner.IndexOf(',', StringComparison.Ordinal) + 1)..] : inner
                        : null;
                }

                // Trino's MAP(ARRAY[keys], ARRAY[values]) is DuckDB's map constructor too.
                if (name is "map" or "map_from_entries")
                {
                    return "MAP";
                }

                return IntegralFunctions.Contains(name) ? "BIGINT" : null;
            default:
                return null;
        }
    }
}
