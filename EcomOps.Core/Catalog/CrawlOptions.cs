using System.Globalization;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Catalog;

/// <summary>What the crawler scans and how it treats changes, as a Glue crawler's targets and SchemaChangePolicy.</summary>
/// <param name="IncludePaths">Lake prefixes to crawl (default <c>parquet/</c>); a prefix under <c>raw/</c> is crawled as CSV tables.</param>
/// <param name="Exclusions">Glob patterns of keys to skip, relative to the include path or whole (<c>**/tmp/**</c>, <c>*.crc</c>).</param>
/// <param name="Database">The catalog database the tables go in (default <c>ecom</c>).</param>
public sealed record CrawlOptions(
    IReadOnlyList<string>? IncludePaths = null,
    IReadOnlyList<string>? Exclusions = null,
    SchemaChangePolicy OnChange = SchemaChangePolicy.Update,
    DeletePolicy OnDelete = DeletePolicy.Deprecate,
    string Database = CrawlOptions.DefaultDatabase)
{
    public const string DefaultDatabase = "ecom";

    /// <summary>The include paths, each ending in '/', or <c>parquet/</c>.</summary>
    public IReadOnlyList<string> EffectiveIncludePaths =>
        IncludePaths is { Count: > 0 } paths
            ? paths.Select(p => p.Trim().TrimStart('/')).Select(p => p.EndsWith('/') ? p : p + "/").Distinct(StringComparer.Ordinal).ToList()
            : ["parquet/"];

    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void EnsureValid()
    {
        foreach (var path in EffectiveIncludePaths)
        {
            if (ObjectKey.Problem(path.TrimEnd('/')) is { } problem)
            {
                throw new ArgumentException($"Include path '{path}' is not a lake prefix: {problem}.");
            }
        }

        foreach (var pattern in Exclusions ?? [])
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                throw new ArgumentException("An exclusion pattern is empty; remove it or give a glob such as **/tmp/**.");
            }
        }

        if (string.IsNullOrWhiteSpace(Database) || !Database.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Database '{Database}' is not a catalog database name: use lower-case letters, digits and '_'.");
        }

        if (!Enum.IsDefined(OnChange) || !Enum.IsDefined(OnDelete))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Unknown crawler policy: on change {OnChange}, on delete {OnDelete}."));
        }
    }
}
