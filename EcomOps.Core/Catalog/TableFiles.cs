using EcomOps.Core.Storage;

namespace EcomOps.Core.Catalog;

/// <summary>
/// Which objects under a table's location are its data, as Athena reads them: files of the table's format whose
/// path below the location has no part starting with <c>_</c> or <c>.</c> (staging, markers, manifests).
/// </summary>
internal static class TableFiles
{
    /// <summary>Whether a path below a table's location (or a folder or file name) is one Athena skips.</summary>
    public static bool IsHidden(string relativePath) => relativePath.Split('/').Any(s => s.StartsWith('_') || s.StartsWith('.'));

    /// <summary>The table's data files now, in key order.</summary>
    public static async Task<IReadOnlyList<ObjectInfo>> ListAsync(IObjectStore store, CatalogTable table, CancellationToken cancellationToken)
    {
        var extension = table.Classification == "csv" ? ".csv" : ".parquet";
        var listing = await store.ListAsync(table.Location, null, cancellationToken).ConfigureAwait(false);
        return listing.Objects
            .Where(o => o.Key.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && !IsHidden(o.Key[table.Location.Length..]))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToList();
    }
}
