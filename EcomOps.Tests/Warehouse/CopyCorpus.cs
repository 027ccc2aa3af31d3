using System.Text.RegularExpressions;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Warehouse;

/// <summary>One statement of Corpus/copy_statements.sql with its expectations.</summary>
public sealed record CopyCase(string Title, int FileLine, IReadOnlyDictionary<string, string> Expect, string Text)
{
    public bool IsRefused => Expect.ContainsKey("refused");

    public override string ToString() => Title;
}

/// <summary>Reads the corpus: "-- case:" starts a case, "-- expect: key=value" lines follow, then the statement.</summary>
public static class CopyCorpus
{
    public static string FilePath => Path.Combine(RepoPaths.Root, "EcomOps.Tests", "Warehouse", "Corpus", "copy_statements.sql");

    public static IReadOnlyList<CopyCase> All { get; } = Load(File.ReadAllLines(FilePath));

    public static IEnumerable<object[]> RefusedTitles => All.Where(c => c.IsRefused).Select(c => new object[] { c.Title });

    public static IEnumerable<object[]> AcceptedTitles => All.Where(c => !c.IsRefused).Select(c => new object[] { c.Title });

    public static CopyCase Get(string title) => All.Single(c => c.Title == title);

    private static List<CopyCase> Load(string[] lines)
    {
        var cases = new List<CopyCase>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("-- case:", StringComparison.Ordinal))
            {
                continue;
            }
            var title = lines[i]["-- case:".Length..].Trim();
            var fileLine = i + 1;
            var expect = new Dictionary<string, string>(StringComparer.Ordinal);
            while (i + 1 < lines.Length && lines[i + 1].StartsWith("-- expect:", StringComparison.Ordinal))
            {
                var pair = lines[++i]["-- expect:".Length..].Trim();
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                expect.Add(pair[..equals].Trim(), Regex.Unescape(pair[(equals + 1)..].Trim()));
            }
            var text = new List<string>();
            while (i + 1 < lines.Length && !lines[i + 1].StartsWith("-- case:", StringComparison.Ordinal))
            {
                text.Add(lines[++i]);
            }
            cases.Add(new CopyCase(title, fileLine, expect, string.Join('\n', text).TrimEnd()));
        }
        return cases;
    }

    /// <summary>The options a case expects: defaults, changed by its keys.</summary>
    public static CopyOptions ExpectedOptions(CopyCase c)
    {
        var o = new CopyOptions();
        foreach (var (key, v) in c.Expect)
        {
            o = key switch
            {
                "format" => o with { Format = Enum.Parse<CopyFormat>(v) },
                "delimiter" => o with { Delimiter = Single(v) },
                "quote" => o with { Quote = Single(v) },
                "ignoreheader" => o with { IgnoreHeader = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) },
                "maxerror" => o with { MaxError = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) },
                "comprows" => o with { CompRows = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) },
                "dateformat" => o with { DateFormat = v },
                "timeformat" => o with { TimeFormat = v },
                "nullas" => o with { NullAs = v },
                "acceptinvchars" => o with { AcceptInvChars = Single(v) },
                "compression" => o with { Compression = Enum.Parse<CopyCompression>(v) },
                "region" => o with { Region = v },
                "compupdate" => o with { CompUpdate = Enum.Parse<CopyCompUpdate>(v) },
                "statupdate" => o with { StatUpdate = bool.Parse(v) },
                "blanksasnull" => o with { BlanksAsNull = bool.Parse(v) },
                "emptyasnull" => o with { EmptyAsNull = bool.Parse(v) },
                "acceptanydate" => o with { AcceptAnyDate = bool.Parse(v) },
                "truncatecolumns" => o with { TruncateColumns = bool.Parse(v) },
                "fillrecord" => o with { FillRecord = bool.Parse(v) },
                "removequotes" => o with { RemoveQuotes = bool.Parse(v) },
                "escape" => o with { Escape = bool.Parse(v) },
                "roundec" => o with { RoundEc = bool.Parse(v) },
                "trimblanks" => o with { TrimBlanks = bool.Parse(v) },
                "ignoreblanklines" => o with { IgnoreBlankLines = bool.Parse(v) },
                "explicitids" => o with { ExplicitIds = bool.Parse(v) },
                "noload" => o with { NoLoad = bool.Parse(v) },
                "table" or "columns" or "source" or "bucket" or "key" or "manifest" or "auth" or "role" or "warnings" => o,
                _ => throw new InvalidDataException($"{FilePath} line {c.FileLine}: unknown expect key '{key}'."),
            };
        }
        return o;
    }

    private static char Single(string value) => value.Length == 1
        ? value[0]
        : throw new InvalidDataException($"'{value}' is not one character.");
}
