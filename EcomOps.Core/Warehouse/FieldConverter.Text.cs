using System.Globalization;
using System.Text;

namespace EcomOps.Core.Warehouse;

// CHAR and VARCHAR fields: TRIMBLANKS, ACCEPTINVCHARS and TRUNCATECOLUMNS, with lengths in UTF-8 bytes as Redshift counts them.
public sealed partial class ColumnConverter
{
    private bool TryText(string field, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var s = field;
        // TRIMBLANKS trims VARCHAR; CHAR's trailing blanks are never significant in Redshift (it pads CHAR), so
        // they do not count against the length either.
        if ((_trimBlanks || _kind == WarehouseTypeKind.Char) && s.Length > 0 && s[^1] == ' ')
        {
            s = s.TrimEnd(' ');
        }

        var bad = IndexOfInvalid(s);
        if (bad >= 0)
        {
            if (_replacement is not { } replacement)
            {
                return Fail(LoadErrorCodes.InvalidUtf8,
                    $"String contains invalid or unsupported UTF8 codepoints, Value '{Show(field)}', Pos {bad}, Type: {TypeName}", out error);
            }

            s = ReplaceInvalid(s, bad, replacement);
        }

        if (_kind == WarehouseTypeKind.Char && !System.Text.Ascii.IsValid(s))
        {
            var pos = s.AsSpan().IndexOfAnyExceptInRange('\0', '\u007f');
            return Fail(LoadErrorCodes.InvalidUtf8,
                $"Multibyte character not supported for CHAR (Hint: try using VARCHAR), Value '{Show(field)}', Pos {pos}, Type: Char", out error);
        }

        // A UTF-16 char never takes more than 3 UTF-8 bytes, so short strings skip the byte count.
        if (s.Length * 3 > _length)
        {
            var bytes = Encoding.UTF8.GetByteCount(s);
            if (bytes > _length)
            {
                if (!_truncate)
                {
                    return Fail(LoadErrorCodes.OutOfRange,
                        string.Create(CultureInfo.InvariantCulture,
                            $"String length exceeds DDL length, Value '{Show(field)}', Length {bytes}, DDL length {_length}, Type: {TypeName}"),
                        out error);
                }

                s = TruncateUtf8(s, _length);
            }
        }

        value = s;
        error = null;
        return true;
    }

    /// <summary>
    /// The first UTF-16 unit that stands for invalid UTF-8: a lone surrogate, or U+FFFD, which a UTF-8 decoder puts
    /// where the bytes were invalid (the only trace of them left once the loader has decoded the file).
    /// </summary>
    private static int IndexOfInvalid(string s)
    {
        var span = s.AsSpan();
        var i = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        var replacementChar = span.IndexOf('\uFFFD');
        if (i < 0)
        {
            return replacementChar;
        }

        for (; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '\uFFFD')
            {
                return i;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static string ReplaceInvalid(string s, int from, char replacement)
    {
        var chars = s.ToCharArray();
        for (var i = from; i < chars.Length; i++)
        {
            var c = chars[i];
            if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || c == '\uFFFD')
            {
                chars[i] = replacement;
            }
        }

        return new string(chars);
    }

    /// <summary>The longest prefix of at most <paramref name="maxBytes"/> UTF-8 bytes that ends on a character boundary.</summary>
    private static string TruncateUtf8(string s, int maxBytes)
    {
        var bytes = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var (width, units) = c < 0x80 ? (1, 1)
                : c < 0x800 ? (2, 1)
                : char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? (4, 2)
                : (3, 1);
            if (bytes + width > maxBytes)
            {
                break;
            }

            bytes += width;
            i += units;
        }

        return s[..i];
    }
}
