using EcomOps.Core.Catalog;

namespace EcomOps.Web.Model;

/// <summary>One line of the Catalog page's table list: a table, its partition count, and what its badges say.</summary>
public sealed record CatalogTableRow(CatalogTable Table, int Partitions)
{
    /// <summary>The last crawl made a new version of it (a schema or partition change), and it is in use.</summary>
    public bool ChangedByLastCrawl => Table.Status == TableStatus.Active && Table.Version > 1 && Table.UpdatedAt == Table.LastCrawledAt;

    /// <summary>The last crawl found a change the Log policy left unapplied.</summary>
    public bool ChangeNotApplied => Table.PendingChange is not null;

    public bool Deprecated => Table.Status == TableStatus.Deprecated;

    public string Href => CatalogLinks.Table(Table.Database, Table.Name);

    /// <summary>Every table of the catalog (or of one database), with partition counts for those that have partition keys.</summary>
    public static async Task<IReadOnlyList<CatalogTableRow>> LoadAsync(ICatalog catalog, string? database, CancellationToken cancellationToken)
    {
        var tables = await catalog.ListTablesAsync(database, cancellationToken);
        var rows = new List<CatalogTableRow>(tables.Count);
        foreach (var table in tables)
        {
            var partitions = table.PartitionKeys.Count > 0 ? (await catalog.GetPartitionsAsync(table.Database, table.Name, cancellationToken)).Count : 0;
            rows.Add(new CatalogTableRow(table, partitions));
        }

        return rows;
    }
}

/// <summary>Addresses of the Catalog page.</summary>
public static class CatalogLinks
{
    public const string List = "catalog";

    public static string Table(string database, string table) => $"catalog/{Uri.EscapeDataString(database)}/{Uri.EscapeDataString(table)}";
}
