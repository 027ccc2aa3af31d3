using EcomOps.Core.Query;

namespace EcomOps.Tests.Security;

/// <summary>
/// One way a query could try to reach past the gate: its SQL, the rule that must refuse it and what the refusal must
/// name so the user can find it. <c>{canary}</c> stands for a file path no statement may create, <c>{lake}</c> for the
/// lake's folder.
/// </summary>
public sealed record SqlEscape(string Name, string Sql, QueryRule Rule, string Names);

/// <summary>The escape attempts of the safe-SQL matrix, and queries that must still run.</summary>
public static class SqlEscapeAttempts
{
    public static IReadOnlyList<SqlEscape> All { get; } =
    [
        // Files and URLs: the table functions that read them, and DuckDB's replacement scans of a quoted path.
        new("read_csv", "SELECT * FROM read_csv('/etc/passwd')", QueryRule.NoFileAccess, "read_csv()"),
        new("read_csv_auto", "SELECT * FROM read_csv_auto('/etc/hosts', header = false)", QueryRule.NoFileAccess, "read_csv_auto()"),
        new("read_parquet inside the lake", "SELECT count(*) FROM read_parquet('{lake}/parquet/transactions_data/**/*.parquet')", QueryRule.NoFileAccess, "read_parquet()"),
        new("read_json", "SELECT * FROM read_json('/etc/passwd')", QueryRule.NoFileAccess, "read_json()"),
        new("read_json_auto", "SELECT * FROM read_json_auto('/proc/self/environ')", QueryRule.NoFileAccess, "read_json_auto()"),
        new("read_text", "SELECT content FROM read_text('/etc/passwd')", QueryRule.NoFileAccess, "read_text()"),
        new("read_blob", "SELECT content FROM read_blob('/etc/shadow')", QueryRule.NoFileAccess, "read_blob()"),
        new("glob", "SELECT * FROM glob('/etc/*')", QueryRule.NoFileAccess, "glob()"),
        new("parquet_metadata", "SELECT * FROM parquet_metadata('{lake}/parquet/transactions_data/*/*/*.parquet')", QueryRule.NoFileAccess, "parquet_metadata()"),
        new("parquet_schema", "SELECT * FROM parquet_schema('/tmp/x.parquet')", QueryRule.NoFileAccess, "parquet_schema()"),
        new("sniff_csv", "SELECT * FROM sniff_csv('/etc/passwd')", QueryRule.NoFileAccess, "sniff_csv()"),
        new("FROM a quoted path", "SELECT * FROM '/etc/passwd'", QueryRule.NoFileAccess, "FROM '/etc/passwd'"),
        new("FROM a csv file name", "SELECT * FROM 'transactions.csv'", QueryRule.NoFileAccess, "FROM 'transactions.csv'"),
        new("FROM a quoted name that is a file", "SELECT * FROM \"data.parquet\"", QueryRule.NoFileAccess, "data.parquet"),
        new("FROM-first of a path", "FROM '/etc/passwd'", QueryRule.NoFileAccess, "/etc/passwd"),
        new("FROM an https URL", "SELECT * FROM 'https://example.com/orders.csv'", QueryRule.NoFileAccess, "https://example.com/orders.csv"),
        new("FROM an s3 URL", "SELECT * FROM 's3://ecomops-lake/raw/transactions/x.csv'", QueryRule.NoFileAccess, "s3://"),
        new("read_parquet of s3", "SELECT * FROM read_parquet('s3://other-bucket/x.parquet')", QueryRule.NoFileAccess, "read_parquet()"),
        new("read_csv of http", "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", QueryRule.NoFileAccess, "read_csv()"),
        new("file function in a join", "SELECT t.* FROM transactions_data t, read_csv('/etc/passwd') p", QueryRule.NoFileAccess, "read_csv()"),
        new("file function in a scalar subquery", "SELECT (SELECT count(*) FROM read_text('/etc/passwd')) AS n", QueryRule.NoFileAccess, "read_text()"),
        new("file function in a CTE", "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x", QueryRule.NoFileAccess, "read_csv()"),
        new("pg_read_file", "SELECT pg_read_file('/etc/passwd')", QueryRule.NoFileAccess, "pg_read_file()"),
        new("sqlite_scan", "SELECT * FROM sqlite_scan('/tmp/x.db', 't')", QueryRule.NoFileAccess, "sqlite_scan()"),
        new("iceberg_scan", "SELECT * FROM iceberg_scan('s3://x/warehouse/t')", QueryRule.NoFileAccess, "iceberg_scan()"),

        // Other databases.
        new("ATTACH a file", "ATTACH '{canary}' AS x", QueryRule.NoAttach, "'ATTACH' at line 1, column 1"),
        new("ATTACH in memory", "ATTACH ':memory:' AS m", QueryRule.NoAttach, "ATTACH"),
        new("DETACH", "DETACH wh", QueryRule.NoAttach, "DETACH"),
        new("USE", "USE memory", QueryRule.NoAttach, "USE"),
        new("a second statement that attaches", "SELECT 1; ATTACH 'x.db'", QueryRule.OneStatement, "line 1, column 11"),

        // Moving data to and from files.
        new("COPY table TO", "COPY transactions_data TO '{canary}' (FORMAT csv)", QueryRule.NoCopy, "COPY"),
        new("COPY query TO", "COPY (SELECT * FROM transactions_data) TO '{canary}'", QueryRule.NoCopy, "COPY"),
        new("COPY FROM", "COPY transactions_data FROM '/etc/passwd'", QueryRule.NoCopy, "COPY"),
        new("EXPORT DATABASE", "EXPORT DATABASE '{canary}'", QueryRule.NoCopy, "EXPORT"),
        new("IMPORT DATABASE", "IMPORT DATABASE '/tmp'", QueryRule.NoCopy, "IMPORT"),
        new("UNLOAD (Redshift)", "UNLOAD ('SELECT * FROM transactions_data') TO 's3://ecomops-lake/out/' IAM_ROLE 'arn:aws:iam::123456789012:role/x'", QueryRule.NoCopy, "UNLOAD"),
        new("EXPLAIN COPY", "EXPLAIN COPY transactions_data TO '{canary}'", QueryRule.NoCopy, "COPY"),

        // Extensions.
        new("INSTALL", "INSTALL httpfs", QueryRule.NoExtensions, "INSTALL"),
        new("LOAD", "LOAD httpfs", QueryRule.NoExtensions, "LOAD"),
        new("FORCE INSTALL", "FORCE INSTALL httpfs FROM 'http://127.0.0.1:9'", QueryRule.NoExtensions, "FORCE"),
        new("UPDATE EXTENSIONS", "UPDATE EXTENSIONS", QueryRule.NoExtensions, "UPDATE"),

        // Settings.
        new("SET external access", "SET enable_external_access = true", QueryRule.NoSettings, "SET"),
        new("SET allowed_directories", "SET allowed_directories = ['/']", QueryRule.NoSettings, "SET"),
        new("RESET", "RESET enable_external_access", QueryRule.NoSettings, "RESET"),
        new("PRAGMA", "PRAGMA enable_profiling", QueryRule.NoSettings, "PRAGMA"),
        new("PRAGMA database_list", "PRAGMA database_list", QueryRule.NoSettings, "PRAGMA"),
        new("CALL", "CALL pragma_version()", QueryRule.NoSettings, "CALL"),
        new("pragma table function", "SELECT * FROM pragma_database_list()", QueryRule.NoSettings, "pragma_database_list()"),
        new("set_config", "SELECT set_config('search_path', 'x', false)", QueryRule.NoSettings, "set_config()"),

        // Writes.
        new("CREATE TABLE AS", "CREATE TABLE stolen AS SELECT * FROM transactions_data", QueryRule.ReadOnly, "CREATE"),
        new("CREATE TEMP TABLE AS", "CREATE TEMP TABLE t AS SELECT * FROM transactions_data", QueryRule.ReadOnly, "CREATE"),
        new("CREATE VIEW", "CREATE VIEW v AS SELECT 1", QueryRule.ReadOnly, "CREATE"),
        new("CREATE MACRO", "CREATE MACRO m() AS 1", QueryRule.ReadOnly, "CREATE"),
        new("DROP TABLE", "DROP TABLE transactions_data", QueryRule.ReadOnly, "'DROP' at line 1, column 1"),
        new("INSERT", "INSERT INTO transactions_data SELECT * FROM transactions_data", QueryRule.ReadOnly, "INSERT"),
        new("UPDATE", "UPDATE transactions_data SET amount = 0", QueryRule.ReadOnly, "UPDATE"),
        new("DELETE", "DELETE FROM transactions_data", QueryRule.ReadOnly, "DELETE"),
        new("ALTER", "ALTER TABLE transactions_data RENAME TO gone", QueryRule.ReadOnly, "ALTER"),
        new("TRUNCATE", "TRUNCATE transactions_data", QueryRule.ReadOnly, "TRUNCATE"),
        new("MERGE", "MERGE INTO transactions_data t USING transactions_data s ON t.transactionid = s.transactionid WHEN MATCHED THEN DELETE", QueryRule.ReadOnly, "MERGE"),
        new("GRANT", "GRANT SELECT ON transactions_data TO PUBLIC", QueryRule.ReadOnly, "GRANT"),
        new("WITH ... INSERT", "WITH x AS (SELECT * FROM transactions_data) INSERT INTO transactions_data SELECT * FROM x", QueryRule.ReadOnly, "'INSERT' at line 1, column 45"),
        new("data-modifying CTE", "WITH d AS (DELETE FROM transactions_data RETURNING *) SELECT count(*) FROM d", QueryRule.ReadOnly, "DELETE"),
        new("SELECT INTO", "SELECT * INTO stolen FROM transactions_data", QueryRule.ReadOnly, "'INTO' at line 1, column 10"),
        new("EXPLAIN ANALYZE of a write", "EXPLAIN ANALYZE DELETE FROM transactions_data", QueryRule.ReadOnly, "DELETE"),
        new("EXPLAIN of an INSERT", "EXPLAIN INSERT INTO transactions_data SELECT * FROM transactions_data", QueryRule.ReadOnly, "INSERT"),
        new("VACUUM", "VACUUM transactions_data", QueryRule.OnlyQueries, "VACUUM"),
        new("CHECKPOINT", "CHECKPOINT", QueryRule.OnlyQueries, "CHECKPOINT"),
        new("BEGIN", "BEGIN TRANSACTION", QueryRule.OnlyQueries, "BEGIN"),
        new("DESCRIBE a file", "DESCRIBE '/etc/passwd'", QueryRule.OnlyQueries, "DESCRIBE"),

        // Secrets.
        new("CREATE SECRET", "CREATE SECRET s (TYPE s3, KEY_ID 'AKIAX', SECRET 'y')", QueryRule.NoSecrets, "SECRET"),
        new("CREATE OR REPLACE PERSISTENT SECRET", "CREATE OR REPLACE PERSISTENT SECRET s (TYPE s3, PROVIDER credential_chain)", QueryRule.NoSecrets, "SECRET"),
        new("DROP SECRET", "DROP SECRET s", QueryRule.NoSecrets, "SECRET"),
        new("duckdb_secrets", "SELECT * FROM duckdb_secrets()", QueryRule.NoSecrets, "duckdb_secrets()"),
        new("which_secret", "SELECT * FROM which_secret('s3://ecomops-lake/x', 's3')", QueryRule.NoSecrets, "which_secret()"),

        // The engine's configuration.
        new("duckdb_settings", "SELECT name, value FROM duckdb_settings()", QueryRule.NoSystemFunctions, "duckdb_settings()"),
        new("duckdb_extensions", "SELECT * FROM duckdb_extensions()", QueryRule.NoSystemFunctions, "duckdb_extensions()"),
        new("duckdb_databases view", "SELECT * FROM duckdb_databases", QueryRule.NoSystemFunctions, "duckdb_databases"),
        new("current_setting", "SELECT current_setting('allowed_directories') AS dirs", QueryRule.NoSystemFunctions, "current_setting()"),
        new("getvariable", "SELECT getvariable('secret') AS v", QueryRule.NoSystemFunctions, "getvariable()"),
        new("getenv", "SELECT getenv('AWS_SECRET_ACCESS_KEY') AS k", QueryRule.NoSystemFunctions, "getenv()"),
        new("pg_settings", "SELECT * FROM pg_settings", QueryRule.NoSystemFunctions, "pg_settings"),

        // SQL inside SQL.
        new("query()", "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')", QueryRule.NoSqlInSql, "query()"),
        new("query_table()", "SELECT * FROM query_table('transactions_data')", QueryRule.NoSqlInSql, "query_table()"),
        new("PREPARE", "PREPARE p AS SELECT 1", QueryRule.NoSqlInSql, "PREPARE"),
        new("EXECUTE", "EXECUTE p", QueryRule.NoSqlInSql, "EXECUTE"),
        new("json_execute_serialized_sql", "SELECT * FROM json_execute_serialized_sql('{}')", QueryRule.NoSqlInSql, "json_execute_serialized_sql()"),

        // More than one statement.
        new("two statements", "SELECT 1; DROP TABLE transactions_data", QueryRule.OneStatement, "line 1, column 11"),
        new("two statements without a space", "SELECT 1;SELECT 2", QueryRule.OneStatement, "line 1, column 10"),
        new("a second statement after a comment line", "SELECT 1; -- totals\nDELETE FROM transactions_data", QueryRule.OneStatement, "line 2, column 1"),
        new("two semicolons", "SELECT 1;;", QueryRule.OneStatement, "line 1, column 10"),
        new("a quote doubled before the second statement", "SELECT 'a'';' AS s; DROP TABLE transactions_data", QueryRule.OneStatement, "line 1, column 21"),
        new("-- comment ended by a carriage return", "SELECT 1 -- note\r; DROP TABLE transactions_data", QueryRule.OneStatement, "line 2, column 3"),
        new("-- comment ended by a carriage return, no ';'", "SELECT 1 -- note\rDROP TABLE transactions_data", QueryRule.ReadOnly, "DROP"),
        new("a block comment closed before the second statement", "SELECT 1 /* ; */ ; DROP TABLE transactions_data", QueryRule.OneStatement, "line 1, column 20"),

        // Comments engines end in different places.
        new("-- comment with a line separator", "SELECT 1 -- note\u2028; DROP TABLE transactions_data", QueryRule.HiddenStatement, "U+2028 (LINE SEPARATOR)"),
        new("-- comment with a paragraph separator", "SELECT 1 -- note\u2029DROP TABLE transactions_data", QueryRule.HiddenStatement, "U+2029"),
        new("-- comment with a next-line character", "SELECT 1 -- note\u0085DROP TABLE transactions_data", QueryRule.HiddenStatement, "U+0085"),
        new("nested block comment", "SELECT 1 /* /* */ ; DROP TABLE transactions_data; */", QueryRule.HiddenStatement, "opens another comment at line 1, column 13"),
        new("block comment never closed", "SELECT 1 /* ; DROP TABLE transactions_data", QueryRule.HiddenStatement, "never closed"),

        // String literals engines read differently.
        new("backslash before a quote", "SELECT 'x\\'; DROP TABLE transactions_data; --' AS s", QueryRule.AmbiguousLiteral, "backslash before a quote"),
        new("backslash quote then a new line", "SELECT '\\'\n'; DROP TABLE transactions_data; --' AS s", QueryRule.AmbiguousLiteral, "backslash"),
        new("E'' escape string", "SELECT E'\\''; DROP TABLE transactions_data; --' AS s", QueryRule.AmbiguousLiteral, "E'"),
        new("U&'' unicode string", "SELECT U&'\\0041' AS s", QueryRule.AmbiguousLiteral, "U&'"),
        new("dollar quoting", "SELECT $$ '; DROP TABLE transactions_data; $$ AS s", QueryRule.AmbiguousLiteral, "dollar-quoted"),

        // Unicode look-alikes and invisible characters.
        new("fullwidth semicolon", "SELECT 1\uFF1B DROP TABLE transactions_data", QueryRule.LookAlikeCharacter, "U+FF1B (FULLWIDTH SEMICOLON), which looks like ';', at line 1, column 9"),
        new("Greek question mark", "SELECT 1\u037E DROP TABLE transactions_data", QueryRule.LookAlikeCharacter, "U+037E"),
        new("Cyrillic letter in a keyword", "\u0405ELECT 1", QueryRule.LookAlikeCharacter, "U+0405 (a Cyrillic letter), which looks like 'S'"),
        new("Cyrillic letter in DROP", "DR\u041EP TABLE transactions_data", QueryRule.LookAlikeCharacter, "U+041E"),
        new("fullwidth keyword", "SELECT 1; \uFF24\uFF32\uFF2F\uFF30 TABLE transactions_data", QueryRule.LookAlikeCharacter, "which looks like 'D'"),
        new("fullwidth letters in a name", "SELECT count(*) FROM transactions_\uFF44ata", QueryRule.LookAlikeCharacter, "U+FF44"),
        new("no-break space", "SELECT\u00A01", QueryRule.LookAlikeCharacter, "U+00A0 (NO-BREAK SPACE)"),
        new("zero-width space", "SELECT\u200B1", QueryRule.InvisibleCharacter, "U+200B (ZERO WIDTH SPACE) at line 1, column 7"),
        new("zero-width joiner in a name", "SELECT count(*) FROM transactions\u200D_data", QueryRule.InvisibleCharacter, "U+200D"),
        new("right-to-left override in a comment", "SELECT 1 /* \u202E ; atad_snoitcasnart ELBAT PORD */", QueryRule.InvisibleCharacter, "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        new("right-to-left override in a string", "SELECT '\u202Eatad' AS s", QueryRule.InvisibleCharacter, "U+202E"),
        new("bidi isolate", "SELECT 1 -- \u2066 note \u2069", QueryRule.InvisibleCharacter, "U+2066"),
        new("NUL before a second statement", "SELECT 1\0; DROP TABLE transactions_data", QueryRule.InvisibleCharacter, "U+0000 (NUL) at line 1, column 9"),
        new("NUL in a comment", "SELECT 1 -- \0\nAS one", QueryRule.InvisibleCharacter, "U+0000"),
        new("NUL in a string", "SELECT 'a\0b' AS s", QueryRule.InvisibleCharacter, "U+0000"),
        new("byte order mark", "\uFEFFSELECT 1", QueryRule.InvisibleCharacter, "U+FEFF"),
        new("tag characters", "SELECT 1 -- \U000E0044\U000E0052\U000E004F\U000E0050", QueryRule.InvisibleCharacter, "U+E0044"),
        new("vertical tab", "SELECT\v1", QueryRule.InvisibleCharacter, "U+000B (VERTICAL TAB)"),

        // Size.
        new("very long SQL", "SELECT 1 AS one WHERE 1 IN (" + string.Join(", ", Enumerable.Repeat("1", 40_000)) + ")", QueryRule.TooLong, "at most 100,000"),
        new("long SQL counted in bytes", "SELECT '" + new string('\u00E9', 60_000) + "' AS s", QueryRule.TooLong, "120,014 bytes (UTF-8)"),
    ];

    /// <summary>Queries that must still run on every target, whose text looks like an attempt but is not one.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Allowed { get; } =
    [
        ("a count", "SELECT count(*) AS n FROM transactions_data"),
        ("a statement in a block comment", "SELECT 1 /* ; DROP TABLE transactions_data; */ AS one"),
        ("a statement in a -- comment", "SELECT 1 AS one -- ; DROP TABLE transactions_data"),
        ("a statement in a string", "SELECT 'DROP TABLE transactions_data; --' AS s"),
        ("a trailing semicolon", "SELECT 1 AS one;"),
        ("non-ASCII letters in a string and a comment", "SELECT 'Perú, Ѕão, ；' AS s -- café"),
        ("a keyword in a quoted name", "SELECT 1 AS \"delete\""),
        ("unnest", "SELECT x FROM unnest([1, 2, 3]) AS t(x)"),
    ];

    /// <summary>An attempt's SQL with its placeholders filled in.</summary>
    public static string Fill(SqlEscape attempt, string canary, string lake) => attempt.Sql.Replace("{canary}", canary, StringComparison.Ordinal).Replace("{lake}", lake, StringComparison.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var attempt in All)
        {
            data.Add(attempt.Name);
        }

        return data;
    }
}
