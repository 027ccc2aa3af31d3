using System.Text.Json.Nodes;
using DuckDB.NET.Data;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Query;

/// <summary>
/// The one statement gate of every query, lake and warehouse, local and AWS alike (DuckDB, Athena, the local warehouse
/// and Redshift): the rules of <see cref="QueryRule"/>, from one place. Three steps: the text's own rules
/// (<see cref="QueryTextRules"/>: size, characters, comments, literals, one statement, a query's first word); DuckDB's
/// parser, which must read exactly one query (<see cref="AthenaSqlTranslator.Parse"/>); and the syntax tree's rules, on
/// every table and function it names. Whatever it refuses is refused the same way on every target, before anything runs
/// or is sent. On Redshift, whose Data API has no read-only switch, the gate is the only guard; locally the DuckDB
/// sandbox (no external access, read-only warehouse) is a second one.
/// </summary>
internal static class QueryGate
{
    // The table functions a query may call: they make rows from values, and read nothing.
    private static readonly HashSet<string> AllowedTableFunctions = new(StringComparer.OrdinalIgnoreCase) { "unnest", "range", "generate_series" };

    // Functions by what they would do, by exact name; the prefixes and suffixes below catch their families.
    private static readonly Dictionary<string, QueryRule> DeniedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["glob"] = QueryRule.NoFileAccess, ["sniff_csv"] = QueryRule.NoFileAccess, ["pg_read_file"] = QueryRule.NoFileAccess,
        ["pg_read_binary_file"] = QueryRule.NoFileAccess, ["pg_ls_dir"] = QueryRule.NoFileAccess, ["pg_stat_file"] = QueryRule.NoFileAccess,
        ["pg_ls_logdir"] = QueryRule.NoFileAccess, ["pg_ls_waldir"] = QueryRule.NoFileAccess, ["lo_import"] = QueryRule.NoFileAccess,
        ["lo_export"] = QueryRule.NoFileAccess, ["dblink"] = QueryRule.NoFileAccess, ["load_aws_credentials"] = QueryRule.NoSecrets,
        ["which_secret"] = QueryRule.NoSecrets, ["getvariable"] = QueryRule.NoSystemFunctions, ["current_setting"] = QueryRule.NoSystemFunctions,
        ["set_config"] = QueryRule.NoSettings, ["getenv"] = QueryRule.NoSystemFunctions, ["enable_profiling"] = QueryRule.NoSettings,
        ["query"] = QueryRule.NoSqlInSql, ["query_table"] = QueryRule.NoSqlInSql,
    };

    private static readonly (string Prefix, QueryRule Rule)[] DeniedPrefixes =
    [
        ("read_", QueryRule.NoFileAccess), ("parquet_", QueryRule.NoFileAccess), ("http_", QueryRule.NoFileAccess),
        ("iceberg_", QueryRule.NoFileAccess), ("delta_", QueryRule.NoFileAccess), ("duckdb_secret", QueryRule.NoSecrets),
        ("duckdb_", QueryRule.NoSystemFunctions), ("pragma_", QueryRule.NoSettings), ("json_execute", QueryRule.NoSqlInSql),
    ];

    /// <summary>Checks <paramref name="sql"/> on a DuckDB connection the caller already holds (the local engines').</summary>
    /// <exception cref="QueryRefusedException">It breaks a rule (<see cref="QueryRefusedException.Rule"/>).</exception>
    /// <exception cref="QueryFailedException">It does not parse.</exception>
    public static ParsedStatement Check(DuckDBConnection connection, string sql)
    {
        QueryTextRules.Check(sql);
        var parsed = AthenaSqlTranslator.Parse(connection, sql);
        CheckTree(parsed.Tree);
        return parsed;
    }

    /// <summary>
    /// Checks <paramref name="sql"/> for an engine that runs it elsewhere (Athena, Redshift): DuckDB is used as a parser
    /// only, in memory, with no access to files or extensions.
    /// </summary>
    /// <exception cref="QueryRefusedException">It breaks a rule (<see cref="QueryRefusedException.Rule"/>).</exception>
    /// <exception cref="QueryFailedException">It does not parse.</exception>
    public static void Check(string sql)
    {
        // The text's rules first: a refusal costs no database.
        QueryTextRules.Check(sql);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET enable_external_access = false");
        Execute(connection, "SET autoinstall_known_extensions = false");
        Execute(connection, "SET autoload_known_extensions = false");
        Execute(connection, "SET lock_configuration = true");
        CheckTree(AthenaSqlTranslator.Parse(connection, sql).Tree);
    }

    // Every table and function the tree names, at any depth (subqueries, CTEs, joins, arguments).
    private static void CheckTree(JsonNode tree)
    {
        foreach (var node in AthenaSqlTranslator.Descendants(tree).OfType<JsonObject>())
        {
            var type = AthenaSqlTranslator.Text(node["type"]);
            if (type == "TABLE_FUNCTION" && node["function"] is JsonObject call)
            {
                var name = AthenaSqlTranslator.Text(call["function_name"]) ?? "";
                if (!AllowedTableFunctions.Contains(name))
                {
                    var rule = RuleOf(name) ?? QueryRule.NoFileAccess;
                    throw QueryRules.Refuse(rule, $"the table function {name}() {Does(rule)}; in FROM a query names tables, or unnest, range and generate_series.");
                }
            }
            else if (type == "BASE_TABLE" && AthenaSqlTranslator.Text(node["table_name"]) is { } table)
            {
                CheckTable(table);
            }
            else if (AthenaSqlTranslator.Text(node["class"]) == "FUNCTION" && AthenaSqlTranslator.Text(node["function_name"]) is { } function
                && RuleOf(function) is { } rule)
            {
                throw QueryRules.Refuse(rule, $"the function {function}() {Does(rule)}.");
            }
        }
    }

    // A name with a path or URL in it is DuckDB's replacement scan (FROM 'orders.csv', FROM 's3://...'): a file, not a table.
    private static void CheckTable(string table)
    {
        if (table.IndexOfAny(['/', '\\', ':', '.', '*', '?', '~']) >= 0)
        {
            throw QueryRules.Refuse(QueryRule.NoFileAccess, $"FROM '{table}' reads a file or URL, not a table of the catalog.");
        }

        if (table.StartsWith("duckdb_", StringComparison.OrdinalIgnoreCase) || table.Equals("pg_settings", StringComparison.OrdinalIgnoreCase))
        {
            throw QueryRules.Refuse(QueryRule.NoSystemFunctions, $"{table} shows the engine's own configuration, not data.");
        }
    }

    private static QueryRule? RuleOf(string function)
    {
        if (DeniedFunctions.TryGetValue(function, out var rule))
        {
            return rule;
        }

        foreach (var (prefix, prefixRule) in DeniedPrefixes)
        {
            if (function.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return prefixRule;
            }
        }

        // postgres_scan, sqlite_scan, mysql_scan, delta_scan, iceberg_scan...: other databases' or formats' files.
        return function.EndsWith("_scan", StringComparison.OrdinalIgnoreCase) ? QueryRule.NoFileAccess : null;
    }

    private static string Does(QueryRule rule) => rule switch
    {
        QueryRule.NoFileAccess => "reads files or URLs outside the lake's tables",
        QueryRule.NoSecrets => "shows or uses the engine's credentials",
        QueryRule.NoSystemFunctions => "shows the engine's configuration, extensions or variables",
        QueryRule.NoSettings => "reads or changes the engine's settings",
        QueryRule.NoSqlInSql => "runs SQL held in a string, past the gate",
        _ => "is not allowed in a query",
    };
}
