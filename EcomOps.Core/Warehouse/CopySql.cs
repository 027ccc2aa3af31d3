using System.Globalization;
using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>Quoting of identifiers and string literals the way the parser reads them back.</summary>
internal static class CopySql
{
    // Redshift's reserved words that could plausibly name a table or column; a bare one would not parse there.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "authorization", "between", "binary", "both",
        "case", "cast", "check", "collate", "column", "constraint", "create", "credentials", "cross", "current_date",
        "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else",
        "end", "except", "false", "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in",
        "initially", "inner", "intersect", "into", "is", "isnull", "join", "leading", "left", "like", "limit",
        "localtime", "localtimestamp", "natural", "new", "not", "notnull", "null", "off", "offset", "old", "on",
        "only", "open", "or", "order", "outer", "overlaps", "percent", "placing", "primary", "references", "right",
        "select", "session_user", "similar", "some", "system", "table", "tag", "then", "to", "top", "trailing", "true",
        "union", "unique", "user", "using", "verbose", "when", "where", "with", "without",
    };

    /// <summary>The identifier bare when it reads back the same unquoted (lower case, not reserved), else in double quotes.</summary>
    public static string Identifier(string name)
    {
        var bare = name.Length > 0
            && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '$')
            && !Reserved.Contains(name);
        return bare ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal: quotes doubled, backslashes and control characters escaped (Redshift reads escapes).</summary>
    public static string Literal(string value)
    {
        var sql = new StringBuilder(value.Length + 2).Append('\'');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\'':
                    sql.Append("''");
                    break;
                // A backslash the tokenizer would keep as written (as in NULL AS '\N') stays single, for readability.
                case '\\' when i + 1 < value.Length && !IsEscapeStart(value[i + 1]):
                    sql.Append('\\');
                    break;
                case '\\':
                    sql.Append(@"\\");
                    break;
                case '\t':
                    sql.Append(@"\t");
                    break;
                case '\n':
                    sql.Append(@"\n");
                    break;
                case '\r':
                    sql.Append(@"\r");
                    break;
                default:
                    if (c < ' ' || c == '\u007f')
                    {
                        // Octal, three digits: Redshift's own notation (DELIMITER '\036', NULL AS '\000').
                        sql.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
                    }
                    else
                    {
                        sql.Append(c);
                    }
                    break;
            }
        }
        return sql.Append('\'').ToString();
    }

    // True when a single backslash before c would read back as an escape: c starts one, or c itself is written escaped.
    private static bool IsEscapeStart(char c) => c is 't' or 'n' or 'r' or 'b' or 'f' or '\\' or '\'' or (>= '0' and <= '7') or < ' ' or '\u007f';

    public static string Literal(char value) => Literal(value.ToString());

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
