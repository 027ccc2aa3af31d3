using System.Text;
using System.Text.RegularExpressions;

namespace EcomOps.Core.Aws.Engines;

/// <summary>Splits a SQL script into its statements (outside comments and string literals), comments removed.</summary>
internal static partial class RedshiftDdlScript
{
    /// <summary>The statements, each CREATE TABLE made CREATE TABLE IF NOT EXISTS, so running the script again is safe.</summary>
    public static IReadOnlyList<string> Statements(string script) =>
        [.. Split(script).Select(s => CreateTableWithoutIfNotExists().Replace(s, "CREATE TABLE IF NOT EXISTS ", 1))];

    [GeneratedRegex(@"^CREATE\s+TABLE\s+(?!IF\s+NOT\s+EXISTS\b)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTableWithoutIfNotExists();

    private static List<string> Split(string script)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < script.Length; i++)
        {
            var c = script[i];
            if (c == '-' && i + 1 < script.Length && script[i + 1] == '-')
            {
                while (i < script.Length && script[i] != '\n')
                {
                    i++;
                }

                current.Append('\n');
            }
            else if (c == '/' && i + 1 < script.Length && script[i + 1] == '*')
            {
                var end = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? script.Length : end + 1;
                current.Append(' ');
            }
            else if (c is '\'' or '"')
            {
                // A doubled quote inside is part of the literal or name.
                var end = i + 1;
                while (end < script.Length && !(script[end] == c && (end + 1 >= script.Length || script[end + 1] != c)))
                {
                    end += script[end] == c ? 2 : 1;
                }

                current.Append(script, i, Math.Min(end + 1, script.Length) - i);
                i = end;
            }
            else if (c == ';')
            {
                Add(statements, current);
            }
            else
            {
                current.Append(c);
            }
        }

        Add(statements, current);
        return statements;
    }

    private static void Add(List<string> statements, StringBuilder current)
    {
        var text = current.ToString().Trim();
        if (text.Length > 0)
        {
            statements.Add(text);
        }

        current.Clear();
    }
}
