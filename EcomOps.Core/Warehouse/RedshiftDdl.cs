using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Reads the Redshift <c>CREATE TABLE</c> statements of a DDL script into <see cref="WarehouseTable"/>s and
/// renders them as DuckDB DDL for the local warehouse. Pure: strings in, strings out.
/// </summary>
public static class RedshiftDdl
{
    /// <summary>
    /// Parses every <c>CREATE TABLE</c> of a script (<c>--</c> and <c>/* */</c> comments allowed). Column and table
    /// constraints and Redshift's physical attributes (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, BACKUP, IDENTITY,
    /// DEFAULT) are read and dropped: they do not change which values a column holds.
    /// </summary>
    /// <exception cref="FormatException">A statement or clause is not supported; the message names it and its line.</exception>
    public static IReadOnlyList<WarehouseTable> Parse(string ddlScript)
    {
        ArgumentNullException.ThrowIfNull(ddlScript);
        var parser = new Parser(Tokenize(ddlScript));
        var tables = new List<WarehouseTable>();
        while (!parser.AtEnd)
        {
            if (parser.TryPunct(';'))
            {
                continue;
            }

            tables.Add(parser.CreateTable());
        }

        return tables;
    }

    /// <summary>
    /// The table as DuckDB DDL: <c>CREATE SCHEMA IF NOT EXISTS "schema"; CREATE TABLE IF NOT EXISTS "schema"."name"
    /// ("col" TYPE [NOT NULL], ...);</c>. The schema statement comes first because DuckDB has only <c>main</c> until
    /// told otherwise, while Redshift's tables live in <c>public</c>. PRIMARY KEY, UNIQUE and FOREIGN KEY are left
    /// out on purpose: Redshift accepts them but never enforces them (they only inform the planner), so enforcing
    /// them here would make local loads fail that succeed on Redshift.
    /// </summary>
    public static string ToDuckDb(WarehouseTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(Quote(table.Schema)).Append(";\n");
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Quote(table.Schema)).Append('.').Append(Quote(table.Name)).Append(" (\n");
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            sql.Append("    ").Append(Quote(column.Name)).Append(' ').Append(column.Type.DuckDbSql);
            if (column.NotNull)
            {
                sql.Append(" NOT NULL");
            }

            sql.Append(i < table.Columns.Count - 1 ? ",\n" : "\n");
        }

        return sql.Append(");").ToString();
    }

    /// <summary>An identifier in double quotes, inner quotes doubled.</summary>
    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private enum TokenKind { Word, QuotedName, Number, String, Punct }

    /// <summary>A token; <see cref="Text"/> of a word is upper-cased for matching, <see cref="Raw"/> keeps the original.</summary>
    private readonly record struct Token(TokenKind Kind, string Text, string Raw, int Line);

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < s.Length && s[i + 1] == '-')
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var startLine = line;
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new FormatException($"Line {startLine}: a /* comment is never closed with */.");
                }

                line += s.AsSpan(i, end - i).Count('\n');
                i = end + 2;
            }
            else if (c is '"' or '\'')
            {
                var startLine = line;
                var text = new StringBuilder();
                var j = i + 1;
                while (true)
                {
                    if (j >= s.Length)
                    {
                        throw new FormatException($"Line {startLine}: a {(c == '"' ? "quoted name" : "string")} is never closed with {c}.");
                    }

                    if (s[j] == c)
                    {
                        if (j + 1 < s.Length && s[j + 1] == c)
                        {
                            text.Append(c);
                            j += 2;
                            continue;
                        }

                        break;
                    }

                    if (s[j] == '\n')
                    {
                        line++;
                    }

                    text.Append(s[j++]);
                }

                tokens.Add(new(c == '"' ? TokenKind.QuotedName : TokenKind.String, text.ToString(), text.ToString(), startLine));
                i = j + 1;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var j = i;
                while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] is '_' or '$'))
                {
                    j++;
                }

                var raw = s[i..j];
                tokens.Add(new(TokenKind.Word, raw.ToUpperInvariant(), raw, line));
                i = j;
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '+' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                var j = i + 1;
                while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '.'))
                {
                    j++;
                }

                tokens.Add(new(TokenKind.Number, s[i..j], s[i..j], line));
                i = j;
            }
            else
            {
                // Operators and the like become tokens too, so the parser can name the clause they appear in.
                tokens.Add(new(TokenKind.Punct, c.ToString(), c.ToString(), line));
                i++;
            }
        }

        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        // Words that continue a multi-word type name: DOUBLE PRECISION, CHARACTER VARYING, TIMESTAMP WITH[OUT] TIME ZONE.
        private static readonly HashSet<string> TypeContinuations = ["PRECISION", "VARYING", "WITH", "WITHOUT", "TIME", "ZONE"];

        private int _pos;

        public bool AtEnd => _pos >= tokens.Count;

        private Token Peek(int ahead = 0) =>
            _pos + ahead < tokens.Count ? tokens[_pos + ahead] : new(TokenKind.Punct, "<end of script>", "<end of script>", LastLine);

        private int LastLine => tokens.Count > 0 ? tokens[^1].Line : 1;

        private Token Next()
        {
            var t = Peek();
            _pos++;
            return t;
        }

        public bool TryPunct(char c)
        {
            if (!AtEnd && Peek().Kind == TokenKind.Punct && Peek().Text[0] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private bool IsWord(string word, int ahead = 0) => Peek(ahead) is { Kind: TokenKind.Word } t && t.Text == word && _pos + ahead < tokens.Count;

        private bool TryWord(string word)
        {
            if (IsWord(word))
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void ExpectWord(string word, string context)
        {
            if (!TryWord(word))
            {
                throw Unexpected(context + $", expected {word}");
            }
        }

        private void ExpectPunct(char c, string context)
        {
            if (!TryPunct(c))
            {
                throw Unexpected(context + $", expected '{c}'");
            }
        }

        private FormatException Unexpected(string context)
        {
            var t = Peek();
            return new FormatException($"Line {t.Line}: unsupported or unexpected '{t.Raw}' {context}.");
        }

        private string Name(string what)
        {
            var t = Peek();
            if (t.Kind == TokenKind.QuotedName)
            {
                _pos++;
                return t.Raw;
            }

            if (t.Kind == TokenKind.Word && !AtEnd)
            {
                _pos++;
                // Redshift folds unquoted identifiers to lower case.
                return t.Raw.ToLowerInvariant();
            }

            throw Unexpected($"where a {what} name belongs");
        }

        public WarehouseTable CreateTable()
        {
            if (!IsWord("CREATE"))
            {
                throw Unexpected("at the start of a statement: only CREATE TABLE is supported");
            }

            _pos++;
            if (IsWord("TEMP") || IsWord("TEMPORARY") || IsWord("LOCAL"))
            {
                throw Unexpected("after CREATE: temporary tables do not belong in the warehouse DDL");
            }

            ExpectWord("TABLE", "after CREATE (only CREATE TABLE is supported)");
            if (TryWord("IF"))
            {
                ExpectWord("NOT", "in IF NOT EXISTS");
                ExpectWord("EXISTS", "in IF NOT EXISTS");
            }

            var first = Name("table");
            var (schema, name) = TryPunct('.') ? (first, Name("table")) : ("public", first);
            if (IsWord("LIKE") || IsWord("AS"))
            {
                throw Unexpected($"after table {name}: CREATE TABLE LIKE/AS is not supported, list the columns");
            }

            ExpectPunct('(', $"after table {name}");
            var columns = new List<WarehouseColumn>();
            do
            {
                if (IsWord("PRIMARY") || IsWord("FOREIGN") || IsWord("UNIQUE") || IsWord("CONSTRAINT"))
                {
                    TableConstraint();
                }
                else
                {
                    var column = Column();
                    if (columns.Any(c => c.Name == column.Name))
                    {
                        throw new FormatException($"Table {name}: column {column.Name} is declared twice.");
                    }

                    columns.Add(column);
                }
            }
            while (TryPunct(','));

            ExpectPunct(')', $"in table {name}'s column list");
            if (columns.Count == 0)
            {
                throw new FormatException($"Table {name} has no columns.");
            }

            TableAttributes(name);
            if (!AtEnd)
            {
                ExpectPunct(';', $"after table {name}");
            }

            return new WarehouseTable(schema, name, columns);
        }

        private WarehouseColumn Column()
        {
            var name = Name("column");
            var typeStart = Peek();
            if (typeStart.Kind != TokenKind.Word)
            {
                throw Unexpected($"where column {name}'s type belongs");
            }

            var typeText = new StringBuilder(Next().Text);
            while (Peek().Kind == TokenKind.Word && TypeContinuations.Contains(Peek().Text) && !AtEnd)
            {
                typeText.Append(' ').Append(Next().Text);
            }

            if (TryPunct('('))
            {
                typeText.Append('(');
                while (!TryPunct(')'))
                {
                    if (AtEnd)
                    {
                        throw new FormatException($"Line {typeStart.Line}: column {name}'s type is missing its ')'.");
                    }

                    typeText.Append(Next().Text);
                }

                typeText.Append(')');
            }

            WarehouseType type;
            try
            {
                type = WarehouseType.Parse(typeText.ToString());
            }
            catch (FormatException e)
            {
                throw new FormatException($"Line {typeStart.Line}, column {name}: {e.Message}", e);
            }

            var notNull = false;
            while (!(Peek().Kind == TokenKind.Punct && Peek().Text is "," or ")") && !AtEnd)
            {
                if (TryWord("NOT"))
                {
                    ExpectWord("NULL", $"after NOT in column {name}");
                    notNull = true;
                }
                else if (TryWord("NULL"))
                {
                    notNull = false;
                }
                else if (TryWord("DEFAULT"))
                {
                    Expression(name);
                }
                else if (TryWord("ENCODE") || TryWord("COLLATE"))
                {
                    Next();
                }
                else if (TryWord("IDENTITY"))
                {
                    Parenthesized($"IDENTITY of column {name}");
                }
                else if (TryWord("GENERATED"))
                {
                    ExpectWord("BY", "in GENERATED BY DEFAULT AS IDENTITY");
                    ExpectWord("DEFAULT", "in GENERATED BY DEFAULT AS IDENTITY");
                    ExpectWord("AS", "in GENERATED BY DEFAULT AS IDENTITY");
                    ExpectWord("IDENTITY", "in GENERATED BY DEFAULT AS IDENTITY");
                    Parenthesized($"IDENTITY of column {name}");
                }
                else if (TryWord("PRIMARY"))
                {
                    ExpectWord("KEY", $"after PRIMARY in column {name}");
                }
                else if (TryWord("UNIQUE") || TryWord("DISTKEY") || TryWord("SORTKEY"))
                {
                }
                else if (TryWord("REFERENCES"))
                {
                    References();
                }
                else
                {
                    throw Unexpected($"in column {name}");
                }
            }

            return new WarehouseColumn(name, type, notNull);
        }

        private void TableConstraint()
        {
            if (TryWord("CONSTRAINT"))
            {
                Name("constraint");
            }

            if (TryWord("PRIMARY"))
            {
                ExpectWord("KEY", "after PRIMARY");
                Parenthesized("PRIMARY KEY");
            }
            else if (TryWord("UNIQUE"))
            {
                Parenthesized("UNIQUE");
            }
            else if (TryWord("FOREIGN"))
            {
                ExpectWord("KEY", "after FOREIGN");
                Parenthesized("FOREIGN KEY");
                ExpectWord("REFERENCES", "after FOREIGN KEY (...)");
                References();
            }
            else
            {
                throw Unexpected("where a table constraint belongs");
            }
        }

        private void References()
        {
            Name("referenced table");
            if (TryPunct('.'))
            {
                Name("referenced table");
            }

            if (Peek().Kind == TokenKind.Punct && Peek().Text == "(")
            {
                Parenthesized("REFERENCES");
            }
        }

        private void TableAttributes(string table)
        {
            while (!AtEnd && !(Peek().Kind == TokenKind.Punct && Peek().Text == ";"))
            {
                if (TryWord("DISTSTYLE"))
                {
                    if (!(TryWord("ALL") || TryWord("EVEN") || TryWord("KEY") || TryWord("AUTO")))
                    {
                        throw Unexpected($"after DISTSTYLE of table {table} (ALL, EVEN, KEY or AUTO)");
                    }
                }
                else if (TryWord("DISTKEY"))
                {
                    Parenthesized($"DISTKEY of table {table}");
                }
                else if (TryWord("COMPOUND") || TryWord("INTERLEAVED"))
                {
                    ExpectWord("SORTKEY", $"in table {table}");
                    Parenthesized($"SORTKEY of table {table}");
                }
                else if (TryWord("SORTKEY"))
                {
                    if (!TryWord("AUTO"))
                    {
                        Parenthesized($"SORTKEY of table {table}");
                    }
                }
                else if (TryWord("ENCODE"))
                {
                    ExpectWord("AUTO", $"after ENCODE of table {table}");
                }
                else if (TryWord("BACKUP"))
                {
                    if (!(TryWord("YES") || TryWord("NO")))
                    {
                        throw Unexpected($"after BACKUP of table {table} (YES or NO)");
                    }
                }
                else
                {
                    throw Unexpected($"after table {table}'s columns");
                }
            }
        }

        /// <summary>A DEFAULT value: a literal, a name, or a function call; skipped, since the loader supplies every column.</summary>
        private void Expression(string column)
        {
            var t = Next();
            if (t.Kind == TokenKind.Punct && t.Text == "(")
            {
                _pos--;
                Parenthesized($"DEFAULT of column {column}");
                return;
            }

            if (t.Kind == TokenKind.Punct)
            {
                _pos--;
                throw Unexpected($"as DEFAULT of column {column}");
            }

            if (Peek().Kind == TokenKind.Punct && Peek().Text == "(")
            {
                Parenthesized($"DEFAULT of column {column}");
            }

            // Casts such as DEFAULT 'x'::varchar.
            while (Peek().Kind == TokenKind.Punct && Peek().Text == ":" && Peek(1).Text == ":")
            {
                _pos += 2;
                Next();
            }
        }

        private void Parenthesized(string context)
        {
            ExpectPunct('(', $"after {context}");
            var depth = 1;
            while (depth > 0)
            {
                if (AtEnd)
                {
                    throw new FormatException($"Line {LastLine}: {context} is missing its ')'.");
                }

                var t = Next();
                if (t.Kind == TokenKind.Punct && t.Text == "(")
                {
                    depth++;
                }
                else if (t.Kind == TokenKind.Punct && t.Text == ")")
                {
                    depth--;
                }
            }
        }
    }
}
