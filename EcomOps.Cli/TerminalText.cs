using System.Globalization;
using System.Text;

namespace EcomOps.Cli;

/// <summary>
/// Text from the ops database (SQL someone typed, names, descriptions), made safe to print on a terminal. A control
/// character there could move the cursor, recolour or rewrite the screen (ANSI escapes), and a bidi override could make
/// the line read differently from what ran (CVE-2021-42574, "Trojan Source"). Each is shown as its code point, <c>\u202E</c>,
/// so what is printed is what is stored, and it can be seen.
/// </summary>
internal static class TerminalText
{
    /// <summary><paramref name="text"/> with every control and invisible formatting character as <c>\uXXXX</c>; tabs and line ends kept when <paramref name="keepLines"/>.</summary>
    public static string Visible(string? text, bool keepLines = false)
    {
        if (text is null || !text.Any(c => NeedsEscape(c, keepLines)))
        {
            return text ?? "";
        }

        var visible = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (NeedsEscape(c, keepLines))
            {
                visible.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                visible.Append(c);
            }
        }

        return visible.ToString();
    }

    private static bool NeedsEscape(char c, bool keepLines) =>
        !(keepLines && c is '\n' or '\r' or '\t')
        && (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
}
