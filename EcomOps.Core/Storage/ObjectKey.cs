using System.Globalization;
using System.Text;

namespace EcomOps.Core.Storage;

/// <summary>Validation of lake keys, the same for every store, so a key that works locally works on S3.</summary>
public static class ObjectKey
{
    /// <summary>S3's limit, which we apply locally too.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Returns null when <paramref name="key"/> is a valid object key, else why it is not.</summary>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "the key is empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxBytes)
        {
            return $"the key is longer than {MaxBytes} bytes";
        }

        if (key.Contains('\\'))
        {
            return "it contains a backslash; use '/' between folders";
        }

        if (key.Any(char.IsControl))
        {
            return "it contains a control character";
        }

        // Bidi overrides (U+202E) and zero-width characters make a key display as something it is not.
        if (key.FirstOrDefault(c => char.GetUnicodeCategory(c) == UnicodeCategory.Format) is var format and not '\0')
        {
            return $"it contains the invisible formatting character U+{(int)format:X4}; remove it";
        }

        if (key.StartsWith('/') || (key.Length > 1 && key[1] == ':'))
        {
            return "it is an absolute path; keys are relative, like raw/customer_data/file.csv";
        }

        if (key.EndsWith('/'))
        {
            return "it ends with '/', which names a folder, not an object";
        }

        foreach (var segment in key.Split('/'))
        {
            var decoded = Uri.UnescapeDataString(segment);
            if (segment.Length == 0)
            {
                return "it has an empty folder name ('//')";
            }

            if (decoded is "." or ".." || decoded.Contains('/') || decoded.Contains('\\'))
            {
                return $"it has the path segment '{segment}', which could leave the lake";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the key and the problem.</summary>
    public static string Validate(string? key)
    {
        var problem = Problem(key);
        return problem is null ? key! : throw new ArgumentException($"Invalid object key '{key}': {problem}.");
    }

    /// <summary>Validates a listing prefix: empty, or a key-like string that may end with '/'.</summary>
    public static string ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return string.Empty;
        }

        var trimmed = prefix.TrimEnd('/');
        var problem = trimmed.Length == 0 ? "it is only '/'" : Problem(trimmed);
        return problem is null ? prefix : throw new ArgumentException($"Invalid prefix '{prefix}': {problem}.");
    }
}
