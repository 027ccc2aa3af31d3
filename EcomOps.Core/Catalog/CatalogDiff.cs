namespace EcomOps.Core.Catalog;

/// <summary>What differs between a table in the catalog and what a crawl found; and two versions side by side.</summary>
internal static class CatalogDiff
{
    /// <summary>The changes from the catalog's table to the crawled one: columns, partition keys, partitions.</summary>
    public static IReadOnlyList<TableChange> Changes(CatalogTable existing, IReadOnlyList<CatalogPartition> existingPartitions, CrawledTable found)
    {
        var changes = new List<TableChange>();
        if (existing.Status == TableStatus.Deprecated)
        {
            changes.Add(new TableChange(TableChangeKind.Restored, existing.Name));
        }

        var before = existing.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var after = found.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var column in found.Columns)
        {
            if (!before.TryGetValue(column.Name, out var old))
            {
                changes.Add(new TableChange(TableChangeKind.ColumnAdded, column.Name, After: column.Type));
            }
            else if (old.Type != column.Type)
            {
                changes.Add(new TableChange(TableChangeKind.TypeChanged, column.Name, old.Type, column.Type));
            }
        }

        foreach (var column in existing.Columns.Where(c => !after.ContainsKey(c.Name)))
        {
            changes.Add(new TableChange(TableChangeKind.ColumnRemoved, column.Name, Before: column.Type));
        }

        var keysBefore = string.Join(", ", existing.PartitionKeys.Select(k => k.Name));
        var keysAfter = string.Join(", ", found.PartitionKeys.Select(k => k.Name));
        if (keysBefore != keysAfter)
        {
            changes.Add(new TableChange(TableChangeKind.PartitionKeysChanged, found.Name, keysBefore.Length == 0 ? "(none)" : keysBefore, keysAfter.Length == 0 ? "(none)" : keysAfter));
        }

        var locationsBefore = existingPartitions.Select(p => p.Location).ToHashSet(StringComparer.Ordinal);
        var locationsAfter = found.Partitions.Select(p => p.Location).ToHashSet(StringComparer.Ordinal);
        var added = found.Partitions.Where(p => !locationsBefore.Contains(p.Location)).Select(p => Describe(found, p)).ToList();
        var removed = existingPartitions.Where(p => !locationsAfter.Contains(p.Location)).Select(p => Describe(existing, p)).ToList();
        if (added.Count > 0)
        {
            changes.Add(new TableChange(TableChangeKind.PartitionsAdded, Summarize(added), After: added.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (removed.Count > 0)
        {
            changes.Add(new TableChange(TableChangeKind.PartitionsRemoved, Summarize(removed), Before: removed.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return changes;
    }

    /// <summary>Two versions, every column of either, in the right-hand version's order then the removed ones.</summary>
    public static VersionComparison Compare(TableVersion left, TableVersion right)
    {
        var rows = new List<ColumnDifference>();
        Add(rows, left.Columns, right.Columns, partitionKey: false);
        Add(rows, left.PartitionKeys, right.PartitionKeys, partitionKey: true);
        return new VersionComparison(left, right, rows);
    }

    private static void Add(List<ColumnDifference> rows, IReadOnlyList<CatalogColumn> left, IReadOnlyList<CatalogColumn> right, bool partitionKey)
    {
        var leftByName = left.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var rightNames = right.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var column in right)
        {
            var old = leftByName.GetValueOrDefault(column.Name);
            var state = old is null ? ColumnState.Added : old.Type != column.Type ? ColumnState.TypeChanged : ColumnState.Same;
            rows.Add(new ColumnDifference(column.Name, old?.Type, column.Type, state, partitionKey));
        }

        rows.AddRange(left.Where(c => !rightNames.Contains(c.Name)).Select(c => new ColumnDifference(c.Name, c.Type, null, ColumnState.Removed, partitionKey)));
    }

    private static string Describe(CatalogTable table, CatalogPartition partition) => PartitionName(table.PartitionKeys, partition);

    private static string Describe(CrawledTable table, CatalogPartition partition) => PartitionName(table.PartitionKeys, partition);

    internal static string PartitionName(IReadOnlyList<CatalogColumn> keys, CatalogPartition partition) =>
        string.Join('/', keys.Zip(partition.Values, (k, v) => $"{k.Name}={v}"));

    internal static string Summarize(List<string> partitions) =>
        partitions.Count <= 3 ? string.Join(", ", partitions) : $"{string.Join(", ", partitions.Take(3))} and {partitions.Count - 3} more";
}
