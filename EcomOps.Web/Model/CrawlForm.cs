using EcomOps.Core.Catalog;

namespace EcomOps.Web.Model;

/// <summary>
/// The Run crawler dialog's form: what to crawl and the policies, as typed, turned into <see cref="CrawlOptions"/>.
/// Splitting the lists lives here; the rules (a lake prefix, a database name) are Core's <see cref="CrawlOptions.EnsureValid"/>.
/// </summary>
public sealed class CrawlForm
{
    public const string ParquetPath = "parquet/";
    public const string RawPath = "raw/";

    public bool IncludeParquet { get; set; } = true;

    /// <summary>The uploaded and generated CSVs, crawled as <c>raw_</c> tables.</summary>
    public bool IncludeRaw { get; set; }

    /// <summary>More lake prefixes, separated by commas or new lines.</summary>
    public string OtherPaths { get; set; } = "";

    /// <summary>Glob patterns, separated by commas or new lines.</summary>
    public string Exclusions { get; set; } = "";

    public SchemaChangePolicy OnChange { get; set; } = SchemaChangePolicy.Update;

    public DeletePolicy OnDelete { get; set; } = DeletePolicy.Deprecate;

    public string Database { get; set; } = CrawlOptions.DefaultDatabase;

    /// <summary>Why the options cannot be used, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The options, or null with <see cref="Error"/> set.</summary>
    public CrawlOptions? TryBuild()
    {
        Error = null;
        var paths = new List<string>();
        if (IncludeParquet)
        {
            paths.Add(ParquetPath);
        }

        if (IncludeRaw)
        {
            paths.Add(RawPath);
        }

        paths.AddRange(Split(OtherPaths));
        if (paths.Count == 0)
        {
            Error = "Pick at least one include path: parquet/, raw/ or another lake prefix.";
            return null;
        }

        var options = new CrawlOptions(paths, Split(Exclusions), OnChange, OnDelete, Database.Trim());
        try
        {
            options.EnsureValid();
            return options;
        }
        catch (ArgumentException e)
        {
            Error = e.Message;
            return null;
        }
    }

    private static List<string> Split(string text) =>
        text.Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
