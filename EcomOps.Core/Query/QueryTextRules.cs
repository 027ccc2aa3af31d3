using System.Globalization;
using System.Text;

namespace EcomOps.Core.Query;

/// <summary>
/// The gate's rules on the text itself, before any parser sees it: the size cap, characters, comments, string literals,
/// the statement count and the kind of statement. The text goes to three parsers (DuckDB's here, Athena's Trino and
/// Redshift's), so wherever they could read it differently the text is refused rather than guessed at.
/// </summary>
/// <remarks>
/// Unicode is refused, not normalised: a look-alike (Cyrillic 'С', fullwidth '；') or an invisible character (zero-width,
/// bidi override) outside a string means the text shown is not the text run. Normalising would run something other than
/// what the user typed and saved, and the engines would still receive the original; a refusal naming the character and
/// where it is lets the user see and fix it. Inside strings, quoted names and comments letters of any script are fine;
/// invisible and control characters are refused everywhere, since they reorder or hide what is displayed (Trojan Source).
/// </remarks>
internal static class QueryTextRules
{
    private static readonly HashSet<string> QueryStarts = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "VALUES", "FROM", "TABLE" };

    // What a first word is refused for, when it is not a query's; anything else not a query is OnlyQueries.
    private static readonly Dictionary<string, QueryRule> FirstWordRules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["INSERT"] = QueryRule.ReadOnly, ["UPDATE"] = QueryRule.ReadOnly, ["DELETE"] = QueryRule.ReadOnly, ["MERGE"] = QueryRule.ReadOnly,
        ["UPSERT"] = QueryRule.ReadOnly, ["CREATE"] = QueryRule.ReadOnly, ["DROP"] = QueryRule.ReadOnly, ["ALTER"] = QueryRule.ReadOnly,
        ["TRUNCATE"] = QueryRule.ReadOnly, ["GRANT"] = QueryRule.ReadOnly, ["REVOKE"] = QueryRule.ReadOnly, ["COMMENT"] = QueryRule.ReadOnly,
        ["REPLACE"] = QueryRule.ReadOnly, ["COPY"] = QueryRule.NoCopy, ["UNLOAD"] = QueryRule.NoCopy, ["EXPORT"] = QueryRule.NoCopy,
        ["IMPORT"] = QueryRule.NoCopy, ["ATTACH"] = QueryRule.NoAttach, ["DETACH"] = QueryRule.NoAttach, ["USE"] = QueryRule.NoAttach,
        ["INSTALL"] = QueryRule.NoExtensions, ["LOAD"] = QueryRule.NoExtensions, ["FORCE"] = QueryRule.NoExtensions,
        ["SET"] = QueryRule.NoSettings, ["RESET"] = QueryRule.NoSettings, ["PRAGMA"] = QueryRule.NoSettings, ["CALL"] = QueryRule.NoSettings,
        ["PREPARE"] = QueryRule.NoSqlInSql, ["EXECUTE"] = QueryRule.NoSqlInSql,
    };

    // Words that only a statement that writes or moves data holds, wherever they stand (WITH ... INSERT, SELECT ... INTO,
    // EXPLAIN ANALYZE DELETE, Redshift's WITH d AS (DELETE ... RETURNING *)): no query needs them outside a string or a
    // quoted name.
    private static readonly Dictionary<string, QueryRule> WriteWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["INSERT"] = QueryRule.ReadOnly, ["UPDATE"] = QueryRule.ReadOnly, ["DELETE"] = QueryRule.ReadOnly, ["MERGE"] = QueryRule.ReadOnly,
        ["UPSERT"] = QueryRule.ReadOnly, ["CREATE"] = QueryRule.ReadOnly, ["DROP"] = QueryRule.ReadOnly, ["ALTER"] = QueryRule.ReadOnly,
        ["TRUNCATE"] = QueryRule.ReadOnly, ["GRANT"] = QueryRule.ReadOnly, ["REVOKE"] = QueryRule.ReadOnly, ["INTO"] = QueryRule.ReadOnly,
        ["VACUUM"] = QueryRule.ReadOnly, ["CHECKPOINT"] = QueryRule.ReadOnly, ["COPY"] = QueryRule.NoCopy, ["UNLOAD"] = QueryRule.NoCopy,
        ["EXPORT"] = QueryRule.NoCopy, ["IMPORT"] = QueryRule.NoCopy, ["ATTACH"] = QueryRule.NoAttach, ["DETACH"] = QueryRule.NoAttach,
        ["INSTALL"] = QueryRule.NoExtensions, ["PRAGMA"] = QueryRule.NoSettings,
    };

    private readonly record struct Word(string Text, int Index);

    /// <summary>Refuses the text when it breaks a rule a parser cannot be trusted with.</summary>
    /// <exception cref="QueryRefusedException">The rule it broke, with the position.</exception>
    public static void Check(string sql)
    {
        // A character is at least one byte: the count is needed only when the length alone does not decide.
        if (sql.Length > QueryRules.MaxSqlBytes || sql.Length > QueryRules.MaxSqlBytes / 3 && Encoding.UTF8.GetByteCount(sql) > QueryRules.MaxSqlBytes)
        {
            throw QueryRules.Refuse(QueryRule.TooLong, string.Create(CultureInfo.InvariantCulture,
                $"the statement is {Encoding.UTF8.GetByteCount(sql):N0} bytes (UTF-8); at most {QueryRules.MaxSqlBytes:N0} are accepted, as Redshift's Data API takes no more."));
        }

        var words = Scan(sql);
        CheckKind(sql, words);
    }

    // One pass over the text as the engines' lexers read it: strings '...', quoted names "...", -- and /* */ comments.
    private static List<Word> Scan(string sql)
    {
        var words = new List<Word>();
        var statementEnd = -1;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            CheckInvisible(sql, i);
            if (c == '\'')
            {
                if (i > 0 && (sql[i - 1] is 'E' or 'e' && !IsWordChar(i > 1 ? sql[i - 2] : ' ') || sql[i - 1] == '&'))
                {
                    // E'..' reads backslash escapes in Redshift and DuckDB but is a syntax error in Trino; U&'..' differs in all three.
                    var prefix = sql[i - 1] == '&' && i > 1 ? i - 2 : i - 1;
                    throw QueryRules.Refuse(QueryRule.AmbiguousLiteral, $"the string at {QueryRules.Position(sql, prefix)} has a prefix ({sql[prefix..(i + 1)]}...') that the engines read differently.");
                }

                i = SkipQuoted(sql, i, '\'');
                continue;
            }

            if (c == '"')
            {
                i = SkipQuoted(sql, i, '"');
                continue;
            }

            if (c == '-' && At(sql, i + 1) == '-')
            {
                i = SkipLineComment(sql, i);
                continue;
            }

            if (c == '/' && At(sql, i + 1) == '*')
            {
                i = SkipBlockComment(sql, i);
                continue;
            }

            if (c == '$' && (At(sql, i + 1) == '$' || char.IsAsciiLetter(At(sql, i + 1)) || At(sql, i + 1) == '_'))
            {
                throw QueryRules.Refuse(QueryRule.AmbiguousLiteral, $"a dollar-quoted string starts at {QueryRules.Position(sql, i)}; DuckDB and Redshift read $...$ as a string, Athena does not.");
            }

            if (c > 0x7F)
            {
                throw LookAlike(sql, i);
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (statementEnd >= 0)
            {
                throw QueryRules.Refuse(QueryRule.OneStatement, $"a second statement starts at {QueryRules.Position(sql, i)}, after the ';' at {QueryRules.Position(sql, statementEnd)}.");
            }

            if (c == ';')
            {
                statementEnd = i;
                i++;
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && IsWordChar(sql[i]))
                {
                    i++;
                }

                words.Add(new Word(sql[start..i], start));
                continue;
            }

            i++;
        }

        return words;
    }

    // The first word must start a query; then no word of a write may stand anywhere.
    private static void CheckKind(string sql, List<Word> words)
    {
        var first = 0;
        if (words.Count > 0 && words[0].Text.Equals("EXPLAIN", StringComparison.OrdinalIgnoreCase))
        {
            first = words.Count > 1 && words[1].Text.Equals("ANALYZE", StringComparison.OrdinalIgnoreCase) ? 2 : 1;
        }

        if (words.Count > first && !QueryStarts.Contains(words[first].Text))
        {
            var word = words[first];
            if (IsSecretStatement(words, first))
            {
                throw QueryRules.Refuse(QueryRule.NoSecrets, $"'{Upper(word.Text)} ... SECRET' at {QueryRules.Position(sql, word.Index)} would change the engine's credentials.");
            }

            var rule = word.Text.Equals("UPDATE", StringComparison.OrdinalIgnoreCase) && words.Count > first + 1 && words[first + 1].Text.Equals("EXTENSIONS", StringComparison.OrdinalIgnoreCase)
                ? QueryRule.NoExtensions
                : FirstWordRules.GetValueOrDefault(word.Text, QueryRule.OnlyQueries);
            throw QueryRules.Refuse(rule, $"'{Upper(word.Text)}' at {QueryRules.Position(sql, word.Index)} starts {What(rule)}, not a query.");
        }

        foreach (var word in words.Skip(first + 1))
        {
            if (WriteWords.TryGetValue(word.Text, out var rule))
            {
                var what = word.Text.Equals("INTO", StringComparison.OrdinalIgnoreCase) ? "writes its rows into a table" : $"is part of {What(rule)}";
                throw QueryRules.Refuse(rule, $"'{Upper(word.Text)}' at {QueryRules.Position(sql, word.Index)} {what}; a query may not hold one.");
            }
        }
    }

    private static bool IsSecretStatement(List<Word> words, int first) =>
        words[first].Text is var verb && (verb.Equals("CREATE", StringComparison.OrdinalIgnoreCase) || verb.Equals("DROP", StringComparison.OrdinalIgnoreCase))
        && words.Skip(first + 1).Take(4).Any(w => w.Text.Equals("SECRET", StringComparison.OrdinalIgnoreCase));

    private static string What(QueryRule rule) => rule switch
    {
        QueryRule.ReadOnly => "a statement that writes",
        QueryRule.NoCopy => "a statement that moves data to or from files",
        QueryRule.NoAttach => "a statement that opens another database",
        QueryRule.NoExtensions => "a statement that adds code to the engine",
        QueryRule.NoSettings => "a statement that reads or changes the engine's settings",
        QueryRule.NoSqlInSql => "a statement that runs other SQL",
        _ => "a statement",
    };

    private static int SkipQuoted(string sql, int start, char quote)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            CheckInvisible(sql, i);
            if (sql[i] == '\\' && At(sql, i + 1) == quote && quote == '\'')
            {
                // Redshift reads \' as a quote inside the string, DuckDB and Athena as the string's end: they would disagree
                // where the string stops, and so on what the rest of the text is.
                throw QueryRules.Refuse(QueryRule.AmbiguousLiteral, $"the string that starts at {QueryRules.Position(sql, start)} has a backslash before a quote at {QueryRules.Position(sql, i)}; Redshift reads \\' as a quote, DuckDB and Athena as the end of the string; a backslash that is meant can be written chr(92).");
            }

            if (sql[i] == quote)
            {
                if (At(sql, i + 1) != quote)
                {
                    return i + 1;
                }

                i++;
            }

            i++;
        }

        // Never closed: the parser says so (a syntax error), and nothing after it is read as SQL.
        return i;
    }

    private static int SkipLineComment(string sql, int start)
    {
        var i = start + 2;
        while (i < sql.Length && sql[i] is not ('\n' or '\r'))
        {
            if (sql[i] is '\u2028' or '\u2029' or '\u0085' or '\v' or '\f')
            {
                throw QueryRules.Refuse(QueryRule.HiddenStatement, $"the -- comment at {QueryRules.Position(sql, start)} holds {Describe(sql, i)} at {QueryRules.Position(sql, i)}; editors show a new line there, the engines do not end the comment, so what runs is not what is shown.");
            }

            CheckInvisible(sql, i);
            i++;
        }

        return i;
    }

    private static int SkipBlockComment(string sql, int start)
    {
        var i = start + 2;
        while (i < sql.Length)
        {
            CheckInvisible(sql, i);
            if (sql[i] == '/' && At(sql, i + 1) == '*')
            {
                // DuckDB and Redshift nest /* */ comments, Athena (Trino) does not: they end the comment in different places.
                throw QueryRules.Refuse(QueryRule.HiddenStatement, $"the comment at {QueryRules.Position(sql, start)} opens another comment at {QueryRules.Position(sql, i)}; DuckDB nests comments, Athena does not, so they would run different text.");
            }

            if (sql[i] == '*' && At(sql, i + 1) == '/')
            {
                return i + 2;
            }

            i++;
        }

        throw QueryRules.Refuse(QueryRule.HiddenStatement, $"the comment at {QueryRules.Position(sql, start)} is never closed with */; everything after it would be hidden.");
    }

    private static void CheckInvisible(string sql, int i)
    {
        var c = sql[i];
        var invisible = c switch
        {
            '\t' or '\n' or '\r' => false,
            < ' ' or '\u007F' => true,
            >= '\u0080' and <= '\u009F' => true,
            '\u115F' or '\u1160' or '\u3164' or '\uFFA0' or '\u034F' => true,
            // By code point, so the tag characters (U+E0000 to U+E007F, "ASCII smuggling") are seen through their surrogates.
            _ => CharUnicodeInfo.GetUnicodeCategory(sql, i) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator,
        };
        if (invisible)
        {
            throw QueryRules.Refuse(QueryRule.InvisibleCharacter, $"{Describe(sql, i)} at {QueryRules.Position(sql, i)} does not show on screen but changes what runs.");
        }
    }

    private static QueryRefusedException LookAlike(string sql, int i)
    {
        var text = char.IsHighSurrogate(sql[i]) && i + 1 < sql.Length ? sql.Substring(i, 2) : sql[i].ToString();
        var looksLike = LooksLike(text);
        var like = looksLike is null ? "" : $", which looks like '{looksLike}'";
        return QueryRules.Refuse(QueryRule.LookAlikeCharacter, $"{Describe(sql, i)}{like}, at {QueryRules.Position(sql, i)} is not ASCII; outside strings and quoted names the engines do not read it as the keyword, name or punctuation it resembles.");
    }

    // Fullwidth and other compatibility forms fold to what they look like; Greek and Cyrillic capitals that look Latin do not.
    private static string? LooksLike(string text)
    {
        var folded = text.Normalize(NormalizationForm.FormKC);
        if (folded != text && folded.All(char.IsAscii))
        {
            return folded;
        }

        const string cyrillic = "АВСЕНКМОРТХЅІЈаеорсухіјѕԁԛԝ";
        const string latinForCyrillic = "ABCEHKMOPTXSIJaeopcyxijsdqw";
        const string greek = "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧορν";
        const string latinForGreek = "ABEZHIKMNOPTYXopv";
        if (cyrillic.IndexOf(text[0], StringComparison.Ordinal) is >= 0 and var c)
        {
            return latinForCyrillic[c].ToString();
        }

        if (greek.IndexOf(text[0], StringComparison.Ordinal) is >= 0 and var g)
        {
            return latinForGreek[g].ToString();
        }

        return text switch
        {
            "\u037E" => ";",
            "\u00A0" or "\u2000" or "\u2001" or "\u2002" or "\u2003" or "\u2009" or "\u3000" => " ",
            "\u2018" or "\u2019" or "\u02BC" => "'",
            "\u201C" or "\u201D" => "\"",
            "\u2212" or "\u2010" or "\u2011" or "\u2013" => "-",
            _ => null,
        };
    }

    /// <summary>A character as a user can find it: U+202E (RIGHT-TO-LEFT OVERRIDE).</summary>
    internal static string Describe(string sql, int i)
    {
        var codePoint = char.IsHighSurrogate(sql[i]) && i + 1 < sql.Length && char.IsLowSurrogate(sql[i + 1]) ? char.ConvertToUtf32(sql[i], sql[i + 1]) : sql[i];
        var name = codePoint switch
        {
            0x00 => "NUL",
            0x0B => "VERTICAL TAB",
            0x0C => "FORM FEED",
            0x85 => "NEXT LINE",
            0xA0 => "NO-BREAK SPACE",
            0xAD => "SOFT HYPHEN",
            0x200B => "ZERO WIDTH SPACE",
            0x200C => "ZERO WIDTH NON-JOINER",
            0x200D => "ZERO WIDTH JOINER",
            0x200E => "LEFT-TO-RIGHT MARK",
            0x200F => "RIGHT-TO-LEFT MARK",
            0x2028 => "LINE SEPARATOR",
            0x2029 => "PARAGRAPH SEPARATOR",
            0x202A => "LEFT-TO-RIGHT EMBEDDING",
            0x202B => "RIGHT-TO-LEFT EMBEDDING",
            0x202C => "POP DIRECTIONAL FORMATTING",
            0x202D => "LEFT-TO-RIGHT OVERRIDE",
            0x202E => "RIGHT-TO-LEFT OVERRIDE",
            0x2060 => "WORD JOINER",
            0x2066 => "LEFT-TO-RIGHT ISOLATE",
            0x2067 => "RIGHT-TO-LEFT ISOLATE",
            0x2068 => "FIRST STRONG ISOLATE",
            0x2069 => "POP DIRECTIONAL ISOLATE",
            0xFEFF => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
            0xFF1B => "FULLWIDTH SEMICOLON",
            0x037E => "GREEK QUESTION MARK",
            >= 0x0400 and <= 0x04FF => "a Cyrillic letter",
            >= 0x0370 and <= 0x03FF => "a Greek letter",
            >= 0xFF01 and <= 0xFF5E => "a fullwidth form",
            < 0x20 or 0x7F or (>= 0x80 and <= 0x9F) => "a control character",
            _ => null,
        };
        var code = string.Create(CultureInfo.InvariantCulture, $"U+{codePoint:X4}");
        return name is null ? $"the character {code}" : $"the character {code} ({name})";
    }

    private static char At(string sql, int i) => i < sql.Length ? sql[i] : '\0';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Upper(string word) => word.ToUpperInvariant();
}
