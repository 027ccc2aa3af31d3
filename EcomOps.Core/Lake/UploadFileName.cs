using System.Globalization;
using System.Text;

namespace EcomOps.Core.Lake;

/// <summary>
/// The name an uploaded file gets in the lake, made safe from whatever the browser or the command line sent: no path,
/// no hidden or option-like names, nothing that displays differently from what it is, nothing Windows cannot store.
/// The upload panel shows the result before anything is uploaded, and the upload uses exactly that name.
/// </summary>
public static class UploadFileName
{
    /// <summary>File systems (ext4, NTFS) store names of at most 255 bytes.</summary>
    public const int MaxBytes = 255;

    private static readonly HashSet<string> WindowsReserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// The safe name of <paramref name="fileName"/>: its last path segment; control characters and invisible formatting
    /// characters (bidi overrides such as U+202E, zero-width spaces) removed; <c>&lt;&gt;:"|?*%</c> replaced by '_';
    /// runs of dots made one; leading dots, dashes and spaces and trailing dots and spaces removed; a Windows device
    /// name (CON, NUL, COM1, ...) prefixed with '_'.
    /// </summary>
    /// <exception cref="UploadRejectedException">Nothing usable is left, or the name is over <see cref="MaxBytes"/> bytes.</exception>
    public static string Sanitize(string fileName) =>
        TrySanitize(fileName, out var sanitized, out var problem) ? sanitized : throw new UploadRejectedException(problem!);

    /// <summary><see cref="Sanitize"/> without the exception: false with the refusal in <paramref name="problem"/>.</summary>
    public static bool TrySanitize(string? fileName, out string sanitized, out string? problem)
    {
        var original = fileName ?? "";
        var name = original.Replace('\\', '/').Split('/')[^1].Normalize(NormalizationForm.FormC);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            // '%' too: the lake decodes %2F and %2E in keys, so "%2e%2e" would read as "..".
            var safe = c is '<' or '>' or ':' or '"' or '|' or '?' or '*' or '%' ? '_' : c;
            if (safe == '.' && builder.Length > 0 && builder[^1] == '.')
            {
                continue;
            }

            builder.Append(safe);
        }

        sanitized = builder.ToString().TrimStart('.', '-', ' ', '\u00a0').TrimEnd('.', ' ', '\u00a0');
        var stem = sanitized.Split('.')[0].TrimEnd(' ');
        if (WindowsReserved.Contains(stem))
        {
            sanitized = "_" + sanitized;
        }

        problem = sanitized.Length == 0
            ? $"'{Printable(original)}' has nothing usable as a file name once path, dots and invisible characters are removed; rename it (letters, digits, '-', '_', '.') and upload it again. Nothing was uploaded."
            : Encoding.UTF8.GetByteCount(sanitized) > MaxBytes
                ? string.Create(CultureInfo.InvariantCulture, $"'{Printable(sanitized)[..Math.Min(60, sanitized.Length)]}...' is {Encoding.UTF8.GetByteCount(sanitized):N0} bytes long; a file name may have at most {MaxBytes} bytes. Rename it and upload it again. Nothing was uploaded.")
                : null;
        return problem is null;
    }

    // A refusal quotes the name the user sent; its control and bidi characters are shown as code points, not obeyed.
    private static string Printable(string text) => string.Concat(text.Select(c =>
        char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format ? $"\\u{(int)c:X4}" : c.ToString()));
}
