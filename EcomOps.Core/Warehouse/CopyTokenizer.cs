using System.Text;

namespace EcomOps.Core.Warehouse;

internal enum CopyTokenKind
{
    Word,
    QuotedIdentifier,
    String,
    Number,
    Symbol,
    End,
}

/// <summary>One token; <see cref="Value"/> is decoded (string escapes applied, quoted identifiers unquoted).</summary>
internal readonly record struct CopyToken(CopyTokenKind Kind, string Value, CopyPosition Position, int Length)
{
    public bool IsWord(string word) => Kind == CopyTokenKind.Word && string.Equals(Value, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(char symbol) => Kind == CopyTokenKind.Symbol && Value.Length == 1 && Value[0] == symbol;

    /// <summary>How a message names the token; string contents are never echoed, they may be secrets.</summary>
    public string Describe() => Kind switch
    {
        CopyTokenKind.Word => $"'{Shorten(Value)}'",
        CopyTokenKind.QuotedIdentifier => "a quoted identifier",
        CopyTokenKind.String => "a quoted string",
        CopyTokenKind.Number => $"the number {Shorten(Value)}",
        CopyTokenKind.Symbol => $"'{Value}'",
        _ => "the end of the statement",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

/// <summary>
/// Splits COPY text into tokens with line/column positions. Follows Redshift's lexical rules: <c>--</c> and
/// (nesting) <c>/* */</c> comments, <c>''</c> inside strings, and backslash escapes in strings because Redshift
/// has no standard_conforming_strings: <c>\t \n \r \b \f \\ \'</c> and octal <c>\ooo</c>. Any other backslash
/// stays as written, so <c>NULL AS '\N'</c> means the two characters <c>\N</c>, as users expect.
/// </summary>
internal sealed class CopyTokenizer
{
    private readonly string _text;
    private readonly bool _lenient;
    private int _offset;
    private int _line = 1;
    private int _lineStart;

    private CopyTokenizer(string text, bool lenient)
    {
        _text = text;
        _lenient = lenient;
    }

    /// <summary>All tokens, ending with an <see cref="CopyTokenKind.End"/> token.</summary>
    /// <param name="lenient">True to end an unterminated string or comment at the end of the text instead of throwing (for redaction).</param>
    public static List<CopyToken> Tokenize(string text, bool lenient = false) => new CopyTokenizer(text, lenient).Run();

    private CopyPosition Here => new(_line, _offset - _lineStart + 1, _offset);

    private List<CopyToken> Run()
    {
        var tokens = new List<CopyToken>();
        while (true)
        {
            SkipTrivia();
            if (_offset >= _text.Length)
            {
                tokens.Add(new CopyToken(CopyTokenKind.End, "", Here, 0));
                return tokens;
            }
            tokens.Add(Next());
        }
    }

    private void SkipTrivia()
    {
        while (_offset < _text.Length)
        {
            var c = _text[_offset];
            if (c == '\n')
            {
                Advance();
            }
            else if (char.IsWhiteSpace(c))
            {
                _offset++;
            }
            else if (c == '-' && Peek(1) == '-')
            {
                while (_offset < _text.Length && _text[_offset] != '\n')
                {
                    _offset++;
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                SkipBlockComment();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipBlockComment()
    {
        var start = Here;
        var depth = 0;
        while (_offset < _text.Length)
        {
            if (_text[_offset] == '/' && Peek(1) == '*')
            {
                depth++;
                _offset += 2;
            }
            else if (_text[_offset] == '*' && Peek(1) == '/')
            {
                depth--;
                _offset += 2;
                if (depth == 0)
                {
                    return;
                }
            }
            else
            {
                Advance();
            }
        }
        if (!_lenient)
        {
            throw new CopyParseException("/*", start, "this comment is never closed: end it with */.");
        }
    }

    private CopyToken Next()
    {
        var start = Here;
        var c = _text[_offset];
        if (c == '\'')
        {
            var value = ReadString(start);
            return new CopyToken(CopyTokenKind.String, value, start, _offset - start.Offset);
        }
        if (c == '"')
        {
            var value = ReadQuotedIdentifier(start);
            return new CopyToken(CopyTokenKind.QuotedIdentifier, value, start, _offset - start.Offset);
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_offset < _text.Length && (char.IsAsciiLetterOrDigit(_text[_offset]) || _text[_offset] is '_' or '$'))
            {
                _offset++;
            }
            return new CopyToken(CopyTokenKind.Word, _text[start.Offset.._offset], start, _offset - start.Offset);
        }
        if (char.IsAsciiDigit(c))
        {
            while (_offset < _text.Length && char.IsAsciiLetterOrDigit(_text[_offset]))
            {
                _offset++;
            }
            return new CopyToken(CopyTokenKind.Number, _text[start.Offset.._offset], start, _offset - start.Offset);
        }
        _offset++;
        return new CopyToken(CopyTokenKind.Symbol, c.ToString(), start, 1);
    }

    private string ReadString(CopyPosition start)
    {
        var value = new StringBuilder();
        _offset++;
        while (_offset < _text.Length)
        {
            var c = _text[_offset];
            if (c == '\'')
            {
                if (Peek(1) == '\'')
                {
                    value.Append('\'');
                    _offset += 2;
                    continue;
                }
                _offset++;
                return value.ToString();
            }
            if (c == '\\' && _offset + 1 < _text.Length)
            {
                _offset++;
                value.Append(Unescape());
                continue;
            }
            value.Append(c);
            Advance();
        }
        if (_lenient)
        {
            return value.ToString();
        }
        throw new CopyParseException("'", start, "this string is never closed: end it with ' (write '' for a quote inside it).");
    }

    // Called with _offset on the character after the backslash.
    private string Unescape()
    {
        var c = _text[_offset];
        if (c is >= '0' and <= '7')
        {
            var code = 0;
            var digits = 0;
            while (digits < 3 && _offset < _text.Length && _text[_offset] is >= '0' and <= '7')
            {
                code = (code * 8) + (_text[_offset] - '0');
                _offset++;
                digits++;
            }
            return ((char)code).ToString();
        }
        string? known = c switch
        {
            't' => "\t",
            'n' => "\n",
            'r' => "\r",
            'b' => "\b",
            'f' => "\f",
            '\\' => "\\",
            '\'' => "'",
            _ => null,
        };
        if (known is not null)
        {
            _offset++;
            return known;
        }
        return "\\";
    }

    private string ReadQuotedIdentifier(CopyPosition start)
    {
        var value = new StringBuilder();
        _offset++;
        while (_offset < _text.Length)
        {
            var c = _text[_offset];
            if (c == '"')
            {
                if (Peek(1) == '"')
                {
                    value.Append('"');
                    _offset += 2;
                    continue;
                }
                _offset++;
                if (value.Length == 0 && !_lenient)
                {
                    throw new CopyParseException("\"\"", start, "an identifier in double quotes cannot be empty.");
                }
                return value.ToString();
            }
            value.Append(c);
            Advance();
        }
        if (_lenient)
        {
            return value.ToString();
        }
        throw new CopyParseException("\"", start, "this quoted identifier is never closed: end it with \".");
    }

    private char? Peek(int ahead) => _offset + ahead < _text.Length ? _text[_offset + ahead] : null;

    private void Advance()
    {
        if (_text[_offset] == '\n')
        {
            _line++;
            _lineStart = _offset + 1;
        }
        _offset++;
    }
}
