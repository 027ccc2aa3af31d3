using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Catalog;

internal sealed class CatalogService(ICatalog catalog, IObjectStore store, ILakeService lake, IJobRunner jobs, IAccess access) : ICatalogService
{
    public JobRun StartCrawl(CrawlOptions options)
    {
        access.Demand(CoreAction.Crawl);
        options.EnsureValid();
        return jobs.Start(new CrawlJob(options));
    }

    public async Task<LakePreview> SampleAsync(string database, string table, int rows = 20, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var found = await catalog.GetTableAsync(database, table, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"The catalog has no table {database}.{table}; crawl the lake first.");
        var files = await TableFiles.ListAsync(store, found, cancellationToken).ConfigureAwait(false);
        if (files.Count == 0)
        {
            throw new KeyNotFoundException($"{found.FullName} has no {found.Classification} files under {found.Location} any more; crawl again.");
        }

        // Files in key order (the first partitions first) until there are enough rows: a partition can be small.
        var first = await lake.PreviewAsync(files[0].Key, rows, cancellationToken).ConfigureAwait(false);
        var sample = first.Rows.ToList();
        var used = 1;
        foreach (var file in files.Skip(1))
        {
            if (sample.Count >= rows)
            {
                break;
            }

            var next = await lake.PreviewAsync(file.Key, rows - sample.Count, cancellationToken).ConfigureAwait(false);
            if (!next.Columns.Select(c => c.Name).SequenceEqual(first.Columns.Select(c => c.Name), StringComparer.Ordinal))
            {
                break;
            }

            sample.AddRange(next.Rows);
            used++;
        }

        return first with
        {
            Rows = sample,
            RowCount = found.RecordCount,
            RowCountRunId = null,
            Note = used > 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The first {sample.Count} rows of the table, from its first {used} files in key order.") : first.Note,
        };
    }

    public VersionComparison Compare(TableVersion left, TableVersion right) => CatalogDiff.Compare(left, right);

    public string StarterQuery(CatalogTable table)
    {
        var columns = string.Join(",\n       ", table.Columns.Select(c => Quote(c.Name)).Concat(table.PartitionKeys.Select(k => Quote(k.Name))));
        var order = table.PartitionKeys.Count > 0 ? $"\nORDER BY {string.Join(", ", table.PartitionKeys.Select(k => Quote(k.Name) + " DESC"))}" : "";
        return $"SELECT {columns}\nFROM {Quote(table.Database)}.{Quote(table.Name)}{order}\nLIMIT 100;";
    }

    // Athena quotes identifiers with double quotes; a plain lower-case name needs none.
    private static string Quote(string name) =>
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && !char.IsAsciiDigit(name[0]) ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
