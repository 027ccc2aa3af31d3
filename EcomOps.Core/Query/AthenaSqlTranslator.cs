using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace EcomOps.Core.Query;

/// <summary>
/// Turns one Athena (Trino) statement into the DuckDB statement that gives the same answer. Which statements
/// run is decided by DuckDB's own parser: the text must be exactly one SELECT (WITH, VALUES...), optionally behind
/// EXPLAIN. Functions are rewritten on the parser's syntax tree (<c>json_serialize_sql</c>, then
/// <c>json_deserialize_sql</c>), never with text replacement, so string literals and quoted identifiers are
/// never touched.
/// </summary>
internal static class AthenaSqlTranslator
{
    private const string ArgPrefix = "__ecomops_arg";

    private static readonly ConcurrentDictionary<string, string> TemplateCache = new(StringComparer.Ordinal);

    /// <summary>The names of the tables the statement reads (<c>schema.table</c> or <c>table</c>), lower case.</summary>
    public static IReadOnlyList<(string? Schema, string Table)> TablesOf(JsonNode tree)
    {
        var tables = new List<(string?, string)>();
        foreach (var node in Descendants(tree).OfType<JsonObject>())
        {
            if (Text(node["type"]) == "BASE_TABLE" && Text(node["table_name"]) is { Length: > 0 } table)
            {
                var schema = Text(node["schema_name"]);
                tables.Add((string.IsNullOrEmpty(schema) ? null : schema.ToLowerInvariant(), table.ToLowerInvariant()));
            }
        }

        return tables.Distinct().ToList();
    }

    /// <summary>Parses, checks and rewrites; returns DuckDB's SQL and the tree it came from.</summary>
    /// <exception cref="QueryRefusedException">Not one statement of a kind allowed here.</exception>
    /// <exception cref="QueryFailedException">The statement does not parse.</exception>
    public static (string Sql, JsonNode Tree) Translate(DuckDBConnection connection, string athenaSql)
    {
        var parsed = Parse(connection, athenaSql);
        return (Rewrite(connection, parsed, ColumnTypes.None), parsed.Tree);
    }

    /// <summary>Parses and checks the statement: exactly one query, optionally behind EXPLAIN.</summary>
    public static ParsedStatement Parse(DuckDBConnection connection, string athenaSql)
    {
        var (prefix, body) = SplitExplain(athenaSql);
        var tree = Serialize(connection, AthenaSampling.Rewrite(body));
        var statements = tree["statements"]!.AsArray();
        if (statements.Count != 1)
        {
            throw QueryRules.Refuse(QueryRule.OneStatement, string.Create(CultureInfo.InvariantCulture,
                $"this text holds {statements.Count} statements as DuckDB's parser reads it."));
        }

        return new ParsedStatement(prefix, tree);
    }

    /// <summary>
    /// Rewrites Athena's functions and operators into DuckDB's, using the types of the tables' columns where
    /// Athena's answer depends on them (integer division, the average of a decimal), and returns DuckDB's SQL.
    /// </summary>
    public static string Rewrite(DuckDBConnection connection, ParsedStatement parsed, ColumnTypes types)
    {
        var tree = parsed.Tree.DeepClone();
        Rewrite(connection, tree["statements"]![0]!, types);
        return parsed.Prefix + Deserialize(connection, tree);
    }

    private static JsonNode Serialize(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_serialize_sql(CAST($sql AS VARCHAR))";
        command.Parameters.Add(new DuckDBParameter("sql", sql));
        var json = command.ExecuteScalar() as string ?? throw new QueryFailedException("DuckDB's parser returned nothing for the statement.");
        var tree = JsonNode.Parse(json)!;
        if (tree["error"] is JsonValue error && error.TryGetValue<bool>(out var failed) && failed)
        {
            var message = Text(tree["error_message"]) ?? "it does not parse";
            if (message.Contains("Only SELECT statements", StringComparison.Ordinal))
            {
                // The gate's text rules name most statements first; this is what DuckDB's parser says of the rest.
                throw QueryRules.Refuse(QueryRule.OnlyQueries,
                    $"DuckDB's parser reads '{FirstWord(sql)}' as a statement that is not a query.");
            }

            throw new QueryFailedException($"The statement does not parse: {message}");
        }

        return tree;
    }

    private static string Deserialize(DuckDBConnection connection, JsonNode tree)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_deserialize_sql(CAST(CAST($json AS VARCHAR) AS JSON))";
        command.Parameters.Add(new DuckDBParameter("json", tree.ToJsonString()));
        return command.ExecuteScalar() as string ?? throw new QueryFailedException("DuckDB could not turn the rewritten statement back into SQL.");
    }

    // EXPLAIN [ANALYZE] in front of one query: the query itself must pass the same checks.
    private static (string Prefix, string Body) SplitExplain(string sql)
    {
        var index = SkipTrivia(sql, 0);
        if (!StartsWithWord(sql, index, "EXPLAIN"))
        {
            return ("", sql);
        }

        var next = SkipTrivia(sql, index + "EXPLAIN".Length);
        if (StartsWithWord(sql, next, "ANALYZE"))
        {
            return ("EXPLAIN ANALYZE ", sql[SkipTrivia(sql, next + "ANALYZE".Length)..]);
        }

        return ("EXPLAIN ", sql[next..]);
    }

    private static int SkipTrivia(string sql, int index)
    {
        while (index < sql.Length)
        {
            if (char.IsWhiteSpace(sql[index]))
            {
                index++;
            }
            else if (sql.AsSpan(index).StartsWith("--"))
            {
                var end = sql.IndexOf('\n', index);
                index = end < 0 ? sql.Length : end + 1;
            }
            else if (sql.AsSpan(index).StartsWith("/*"))
            {
                var end = sql.IndexOf("*/", index + 2, StringComparison.Ordinal);
                index = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        return index;
    }

    private static bool StartsWithWord(string sql, int index, string word) =>
        sql.Length >= index + word.Length
        && sql.AsSpan(index, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
        && (sql.Length == index + word.Length || !char.IsLetterOrDigit(sql[index + word.Length]));

    private static string FirstWord(string sql)
    {
        var start = SkipTrivia(sql, 0);
        var end = start;
        while (end < sql.Length && char.IsLetter(sql[end]))
        {
            end++;
        }

        return end > start ? sql[start..end].ToUpperInvariant() : "this";
    }

    // Post-order, so an argument is rewritten before the call that holds it.
    private static void Rewrite(DuckDBConnection connection, JsonNode node, ColumnTypes types)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is null)
                    {
                        continue;
                    }

                    Rewrite(connection, child, types);
                    if (child is JsonObject function && Replace(connection, function, types) is { } replacement)
                    {
                        obj[key] = replacement;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    if (child is null)
                    {
                        continue;
                    }

                    Rewrite(connection, child, types);
                    if (child is JsonObject function && Replace(connection, function, types) is { } replacement)
                    {
                        array[i] = replacement;
                    }
                }

                break;
        }
    }

    private static JsonNode? Replace(DuckDBConnection connection, JsonObject node, ColumnTypes types)
    {
        if (Text(node["class"]) != "FUNCTION")
        {
            return null;
        }

        // Athena divides integers as integers (7 / 2 = 3, truncated); DuckDB's / gives a DOUBLE and // truncates.
        if (Text(node["function_name"]) == "/" && node["children"] is JsonArray { Count: 2 } operands
            && types.IsIntegral(operands[0]!) && types.IsIntegral(operands[1]!))
        {
            node["function_name"] = "//";
            return null;
        }

        // Athena divides decimals exactly, rounding half up to the larger scale; DuckDB's / gives a DOUBLE.
        if (Text(node["function_name"]) == "/" && node["children"] is JsonArray { Count: 2 } divided
            && AthenaFunctions.DecimalDivision(divided[0]!, divided[1]!, types) is { } exact)
        {
            var replacement = Instantiate(connection, exact, [divided[0]!, divided[1]!]);
            replacement["alias"] = node["alias"]?.DeepClone();
            return replacement;
        }

        return IsFunction(node) ? Map(connection, node, types) : null;
    }

    private static bool IsFunction(JsonObject node) =>
        Text(node["class"]) == "FUNCTION" && !(node["is_operator"] is JsonValue op && op.TryGetValue<bool>(out var isOperator) && isOperator);

    // The tree mixes values and objects under the same keys ("type" is a string on some nodes, an object on others).
    internal static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonNode? Map(DuckDBConnection connection, JsonObject function, ColumnTypes types)
    {
        // A template is a plain call: an aggregate with DISTINCT, FILTER or ORDER BY keeps DuckDB's own function.
        if (function["distinct"] is JsonValue distinct && distinct.TryGetValue<bool>(out var isDistinct) && isDistinct
            || function["filter"] is JsonObject
            || function["order_bys"]?["orders"] is JsonArray { Count: > 0 })
        {
            return null;
        }

        var name = (Text(function["function_name"]) ?? "").ToLowerInvariant();
        var args = function["children"]?.AsArray().Select(c => c!).ToList() ?? [];
        var template = AthenaFunctions.Template(name, args, types);
        if (template is null)
        {
            return null;
        }

        var replacement = Instantiate(connection, template, args);
        replacement["alias"] = function["alias"]?.DeepClone();
        return replacement;
    }

    // A template is a DuckDB expression whose arguments are column references __ecomops_arg1, 2...: serialized once,
    // its placeholders replaced by the call's own argument trees.
    private static JsonObject Instantiate(DuckDBConnection connection, string template, List<JsonNode> args)
    {
        var json = TemplateCache.GetOrAdd(template, t =>
        {
            var tree = Serialize(connection, "SELECT " + t);
            return tree["statements"]![0]!["node"]!["select_list"]![0]!.ToJsonString();
        });
        var expression = JsonNode.Parse(json)!.AsObject();
        return (JsonObject)Substitute(expression, args);
    }

    private static JsonNode Substitute(JsonNode node, List<JsonNode> args)
    {
        if (node is JsonObject obj)
        {
            if (Text(obj["class"]) == "COLUMN_REF" && obj["column_names"] is JsonArray { Count: 1 } names
                && Text(names[0]) is { } column && column.StartsWith(ArgPrefix, StringComparison.Ordinal))
            {
                var index = int.Parse(column[ArgPrefix.Length..], CultureInfo.InvariantCulture) - 1;
                return args[index].DeepClone();
            }

            foreach (var (key, child) in obj.ToList())
            {
                if (child is not null && Substitute(child, args) is var replaced && !ReferenceEquals(replaced, child))
                {
                    obj[key] = replaced;
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is { } child && Substitute(child, args) is var replaced && !ReferenceEquals(replaced, child))
                {
                    array[i] = replaced;
                }
            }
        }

        return node;
    }

    /// <summary>The node and everything under it, in document order (DuckDB's parser bounds the depth).</summary>
    internal static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is null)
            {
                continue;
            }

            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The placeholder for argument <paramref name="n"/> (from 1) in a template.</summary>
    internal static string Arg(int n) => ArgPrefix + n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A SQL string literal.</summary>
    internal static string Literal(string value) => AthenaSql.String(value);

    /// <summary>The text of a constant string argument, or null when the argument is not a string constant.</summary>
    internal static string? ConstantString(JsonNode arg) =>
        Text(arg["class"]) == "CONSTANT" && Text(arg["value"]?["type"]?["id"]) == "VARCHAR" && arg["value"]?["is_null"] is JsonValue isNull && isNull.TryGetValue<bool>(out var n) && !n
            ? Text(arg["value"]!["value"])
            : null;

    internal static string Join(IEnumerable<string> parts, string separator)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            if (builder.Length > 0)
            {
                builder.Append(separator);
            }

            builder.Append(part);
        }

        return builder.ToString();
    }
}

/// <summary>A statement that passed the gate: the EXPLAIN in front of it, if any, and DuckDB's syntax tree.</summary>
internal sealed record ParsedStatement(string Prefix, JsonNode Tree);
