using System.Text;

namespace EcomOps.Core.Query;

/// <summary>
/// Athena's <c>TABLESAMPLE BERNOULLI (10)</c> and <c>TABLESAMPLE SYSTEM (10)</c> mean 10 percent; DuckDB's parser
/// reads a bare 10 as a row count and refuses those methods with it, before any syntax tree exists to rewrite. So
/// this one rewrite works on the statement's tokens: outside string literals, quoted identifiers and comments,
/// the number in that exact token sequence gets DuckDB's <c>PERCENT</c>. Nothing else in the text changes.
/// </summary>
internal static class AthenaSampling
{
    public static string Rewrite(string sql)
    {
        var tokens = Tokens(sql);
        var inserts = new List<int>();
        for (var i = 0; i + 4 < tokens.Count; i++)
        {
            if (tokens[i].Is(sql, "TABLESAMPLE") && (tokens[i + 1].Is(sql, "BERNOULLI") || tokens[i + 1].Is(sql, "SYSTEM"))
                && tokens[i + 2].Is(sql, "(") && tokens[i + 3].Kind == TokenKind.Number && tokens[i + 4].Is(sql, ")"))
            {
                inserts.Add(tokens[i + 3].End);
            }
        }

        if (inserts.Count == 0)
        {
            return sql;
        }

        var text = new StringBuilder(sql);
        foreach (var at in inserts.OrderDescending())
        {
            text.Insert(at, " PERCENT");
        }

        return text.ToString();
    }

    private enum TokenKind
    {
        Word,
        Number,
        Symbol,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int End)
    {
        public bool Is(string sql, string text) => End - Start == text.Length && string.Compare(sql, Start, text, 0, text.Length, StringComparison.OrdinalIgnoreCase) == 0;
    }

    // Words, numbers and symbols; literals, quoted identifiers and comments are skipped whole.
    private static List<Token> Tokens(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                i = sql.IndexOf('\n', i) is var end and >= 0 ? end + 1 : sql.Length;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = sql.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : sql.Length;
            }
            else if (c is '\'' or '"')
            {
                i = SkipQuoted(sql, i, c);
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, start, i));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1])))
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || sql[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, start, i));
            }
            else
            {
                tokens.Add(new Token(TokenKind.Symbol, i, i + 1));
                i++;
            }
        }

        return tokens;
    }

    // A quote doubled inside is the quote itself.
    private static int SkipQuoted(string sql, int start, char quote)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }
}
