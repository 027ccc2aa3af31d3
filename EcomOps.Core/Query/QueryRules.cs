using System.Globalization;

namespace EcomOps.Core.Query;

/// <summary>
/// The rules of the query gate (<see cref="QueryGate"/>), one per way a statement can reach outside what a query may
/// read or change. A refusal carries its rule (<see cref="QueryRefusedException.Rule"/>) and its message starts with the
/// rule's title (<see cref="QueryRules.Title"/>), so screens, history and tests can tell which rule was broken.
/// </summary>
public enum QueryRule
{
    /// <summary>Allowed by the gate, but not runnable here (a function the local engine cannot translate).</summary>
    Unsupported,

    /// <summary>More than one statement.</summary>
    OneStatement,

    /// <summary>A statement that is not a query (BEGIN, DESCRIBE, USE, VACUUM...).</summary>
    OnlyQueries,

    /// <summary>A statement that writes: INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER, TRUNCATE, GRANT, SELECT ... INTO.</summary>
    ReadOnly,

    /// <summary>Reading files or URLs rather than the lake's tables: read_csv, glob, FROM 'file.csv', s3:// and http(s) URLs.</summary>
    NoFileAccess,

    /// <summary>COPY, UNLOAD, EXPORT DATABASE, IMPORT DATABASE: moving data between the database and files.</summary>
    NoCopy,

    /// <summary>ATTACH, DETACH, USE of another database.</summary>
    NoAttach,

    /// <summary>INSTALL, LOAD, FORCE INSTALL, UPDATE EXTENSIONS.</summary>
    NoExtensions,

    /// <summary>SET, RESET, PRAGMA, CALL: changing or reading the engine's settings.</summary>
    NoSettings,

    /// <summary>CREATE SECRET, DROP SECRET, duckdb_secrets(), which_secret().</summary>
    NoSecrets,

    /// <summary>Functions that show the engine's configuration, extensions or variables (duckdb_settings(), current_setting...).</summary>
    NoSystemFunctions,

    /// <summary>Functions that run SQL held in a string (query(), query_table(), json_execute_serialized_sql()).</summary>
    NoSqlInSql,

    /// <summary>A comment whose end engines disagree on (nested, never closed, or ended by a line separator), which can hide a statement.</summary>
    HiddenStatement,

    /// <summary>A string literal engines read differently (a backslash before a quote, E'...', U&amp;'...', dollar quoting).</summary>
    AmbiguousLiteral,

    /// <summary>A non-ASCII character in the SQL itself (outside strings, quoted names and comments): a look-alike of a keyword, name or punctuation.</summary>
    LookAlikeCharacter,

    /// <summary>An invisible or control character anywhere: zero-width characters, bidi controls, NUL, line separators.</summary>
    InvisibleCharacter,

    /// <summary>Longer than <see cref="QueryRules.MaxSqlBytes"/>.</summary>
    TooLong,

    /// <summary>More query runs than <c>EcomOps:Limits:QueriesPerMinute</c> for this user (<see cref="QueryRateLimit"/>).</summary>
    TooManyQueries,
}

/// <summary>The rules' titles and what to do about each, and the one way refusals are made.</summary>
public static class QueryRules
{
    /// <summary>
    /// The longest statement accepted, in bytes of UTF-8: Redshift's Data API refuses a query string larger than 100 kB
    /// (Athena takes 262,144 bytes), so one cap, the smaller, holds for every target.
    /// </summary>
    public const int MaxSqlBytes = 100_000;

    /// <summary>The rule's title, the stable first words of every refusal's message (such as <c>No file access</c>).</summary>
    public static string Title(QueryRule rule) => rule switch
    {
        QueryRule.Unsupported => "Not supported here",
        QueryRule.OneStatement => "Only one statement",
        QueryRule.OnlyQueries => "Only queries",
        QueryRule.ReadOnly => "Read-only",
        QueryRule.NoFileAccess => "No file access",
        QueryRule.NoCopy => "No COPY, UNLOAD, EXPORT or IMPORT",
        QueryRule.NoAttach => "No ATTACH or DETACH",
        QueryRule.NoExtensions => "No INSTALL or LOAD",
        QueryRule.NoSettings => "No SET, RESET, PRAGMA or CALL",
        QueryRule.NoSecrets => "No secrets",
        QueryRule.NoSystemFunctions => "No system functions",
        QueryRule.NoSqlInSql => "No SQL inside SQL",
        QueryRule.HiddenStatement => "Comment hides a statement",
        QueryRule.AmbiguousLiteral => "Ambiguous string literal",
        QueryRule.LookAlikeCharacter => "Look-alike character",
        QueryRule.InvisibleCharacter => "Invisible or control character",
        QueryRule.TooLong => "Statement too long",
        QueryRule.TooManyQueries => "Too many queries",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown query rule."),
    };

    /// <summary>What the user can do instead, the last sentence of a refusal.</summary>
    public static string Advice(QueryRule rule) => rule switch
    {
        QueryRule.Unsupported => "Rewrite the call, or run the query on the Aws backend.",
        QueryRule.OneStatement => "Run the statements one by one.",
        QueryRule.OnlyQueries => "Write one SELECT (or WITH ... SELECT, VALUES), optionally behind EXPLAIN.",
        QueryRule.ReadOnly => "Queries read and change nothing: load data with the Warehouse page's COPY or the pipeline, and tables come from the crawler.",
        QueryRule.NoFileAccess => "Query the tables by name (such as FROM ecom.transactions_data); the Catalog page lists them, and the Lake page shows the files.",
        QueryRule.NoCopy => "Load the warehouse from the Warehouse page (or ecomops warehouse load), and download a result from the Query page as CSV.",
        QueryRule.NoAttach => "Queries see the lake's tables (lake) or the warehouse's tables (warehouse); choose the target instead.",
        QueryRule.NoExtensions => "The engines come with what the queries need; extensions cannot be added from a query.",
        QueryRule.NoSettings => "The engines' settings are fixed by the administrator (EcomOps:Query:*).",
        QueryRule.NoSecrets => "Credentials come from the AWS default chain and are never shown or set from a query.",
        QueryRule.NoSystemFunctions => "Ask the administrator for the engine's settings; the Settings page shows what can be shown.",
        QueryRule.NoSqlInSql => "Write the query itself rather than a string that holds it.",
        QueryRule.HiddenStatement => "Use plain comments: -- up to the end of the line, or /* ... */ without another /* inside.",
        QueryRule.AmbiguousLiteral => "Write a quote inside a string as two quotes ('it''s') and use plain '...' strings.",
        QueryRule.LookAlikeCharacter => "Retype it in plain ASCII, or put it inside a string ('...') or a quoted name (\"...\") if it is meant.",
        QueryRule.InvisibleCharacter => "Delete it (retype the text around it); inside a string, write it as chr(n) if it is meant.",
        QueryRule.TooLong => "Shorten it: put long lists of values in a table and join it.",
        QueryRule.TooManyQueries => "Wait a little and run it again.",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown query rule."),
    };

    /// <summary>A refusal of <paramref name="rule"/>: its title, what broke it, and what to do.</summary>
    /// <param name="detail">What in the statement broke the rule, as one sentence ending with a full stop.</param>
    public static QueryRefusedException Refuse(QueryRule rule, string detail) =>
        new(rule, $"{Title(rule)}: {detail} {Advice(rule)}");

    /// <summary>The position of <paramref name="index"/> in <paramref name="sql"/>, as an editor shows it (line and column from 1).</summary>
    internal static string Position(string sql, int index)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < index && i < sql.Length; i++)
        {
            // \r\n is one line end; a lone \r ends a line too, as it ends a -- comment in every engine here.
            if (sql[i] == '\n' || sql[i] == '\r' && (i + 1 >= sql.Length || sql[i + 1] != '\n'))
            {
                line++;
                column = 1;
            }
            else if (sql[i] != '\r')
            {
                column++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"line {line}, column {column}");
    }
}
