using System.Collections.Concurrent;
using System.Globalization;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Catalog;
using EcomOps.Core.Datasets;
using Microsoft.Extensions.Options;
using GlueTable = EcomOps.Core.Aws.Glue.Table;
using TableVersion = EcomOps.Core.Catalog.TableVersion;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// The Glue Data Catalog behind <see cref="ICatalog"/>: the database <c>EcomOps:Aws:Glue:Database</c> (the one the
/// crawler writes and the dashboard's IAM policy lets it read), its tables, partitions and versions, read with
/// GetDatabases/GetTables/GetTable/GetPartitions/GetTableVersions and turned into the same records the local catalog gives.
/// </summary>
internal sealed class GlueDataCatalog(GlueClient glue, IOptions<AwsOptions> awsOptions, IOptions<EcomOpsOptions> ecomOps, TimeProvider time) : ICatalog
{
    /// <summary>
    /// How long a database's table list is reused. The query engine and the query page read the whole list for every
    /// query and render (views, completions, scan estimates); one Glue GetTables round trip each would add latency and
    /// eat into Glue's API quota for a list that only changes at a crawl, and a crawl through EcomOps drops it anyway.
    /// </summary>
    internal static readonly TimeSpan TableListLifetime = TimeSpan.FromSeconds(10);

    internal const string DeprecatedParameter = "DEPRECATED_BY_CRAWLER";

    private readonly ConcurrentDictionary<string, (DateTimeOffset Read, IReadOnlyList<CatalogTable> Tables)> _tables = new(StringComparer.Ordinal);

    private string Database => awsOptions.Value.Glue.Database.ToLowerInvariant();

    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        // Only the configured database: the crawler writes nowhere else, and the policy grants GetTables on it alone.
        await foreach (var page in glue.GetDatabasesPagesAsync(new GetDatabasesRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (page.DatabaseList.FirstOrDefault(d => string.Equals(d.Name, Database, StringComparison.OrdinalIgnoreCase)) is { } found)
            {
                return (await ListTablesAsync(found.Name, cancellationToken).ConfigureAwait(false)).Count > 0 ? [found.Name.ToLowerInvariant()] : [];
            }
        }

        return [];
    }

    public async Task<IReadOnlyList<CatalogTable>> ListTablesAsync(string? database = null, CancellationToken cancellationToken = default)
    {
        var name = (database ?? Database).ToLowerInvariant();
        if (_tables.TryGetValue(name, out var cached) && time.GetUtcNow() - cached.Read < TableListLifetime)
        {
            return cached.Tables;
        }

        var tables = await ReadTablesAsync(name, cancellationToken).ConfigureAwait(false);
        _tables[name] = (time.GetUtcNow(), tables);
        return tables;
    }

    public async Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        var name = database.ToLowerInvariant();
        if (_tables.TryGetValue(name, out var cached) && time.GetUtcNow() - cached.Read < TableListLifetime)
        {
            return cached.Tables.FirstOrDefault(t => string.Equals(t.Name, table, StringComparison.OrdinalIgnoreCase));
        }

        try
        {
            var found = await glue.GetTableAsync(new GetTableRequest(name, table.ToLowerInvariant()), cancellationToken).ConfigureAwait(false);
            return found.Table is { } t ? ToCatalogTable(name, t) : null;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityNotFoundException")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<CatalogPartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default) =>
        [.. (await ReadPartitionsAsync(database, table, cancellationToken).ConfigureAwait(false)).Select(p => p.Partition)];

    public async Task<IReadOnlyList<TableVersion>> GetVersionsAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        var name = database.ToLowerInvariant();
        var versions = new List<(int Number, CatalogTable Table)>();
        try
        {
            await foreach (var page in glue.GetTableVersionsPagesAsync(new GetTableVersionsRequest(name, table.ToLowerInvariant()), cancellationToken).ConfigureAwait(false))
            {
                foreach (var version in page.TableVersions ?? [])
                {
                    if (version.Table is { } t && int.TryParse(version.VersionId ?? t.VersionId, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    {
                        versions.Add((number, ToCatalogTable(name, t)));
                    }
                }
            }
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityNotFoundException")
        {
            return [];
        }

        // Glue keeps each version whole; what changed is worked out from the one before, as the local crawler records it.
        versions.Sort((a, b) => a.Number.CompareTo(b.Number));
        var result = new List<TableVersion>(versions.Count);
        for (var i = 0; i < versions.Count; i++)
        {
            var (number, current) = versions[i];
            var changes = i == 0 ? [new TableChange(TableChangeKind.Created, current.Name)] : Changes(versions[i - 1].Table, current);
            result.Add(new TableVersion(number, current.UpdatedAt, Guid.Empty, current.Columns, current.PartitionKeys, changes));
        }

        result.Reverse();
        return result;
    }

    /// <summary>Drops the cached table lists, so the next read sees what a crawl just did.</summary>
    internal void Invalidate() => _tables.Clear();

    /// <summary>Every table of a database, read from Glue now (never cached), by name.</summary>
    internal async Task<IReadOnlyList<CatalogTable>> ReadTablesAsync(string database, CancellationToken cancellationToken)
    {
        var tables = new List<CatalogTable>();
        try
        {
            await foreach (var page in glue.GetTablesPagesAsync(new GetTablesRequest(database), cancellationToken).ConfigureAwait(false))
            {
                tables.AddRange((page.TableList ?? []).Select(t => ToCatalogTable(database, t)));
            }
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityNotFoundException")
        {
            return [];
        }

        return [.. tables.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>A table's partitions in key order, with when Glue created each (for what a crawl added).</summary>
    internal async Task<IReadOnlyList<(CatalogPartition Partition, DateTimeOffset? Created)>> ReadPartitionsAsync(string database, string table, CancellationToken cancellationToken)
    {
        var partitions = new List<(CatalogPartition, DateTimeOffset?)>();
        try
        {
            await foreach (var page in glue.GetPartitionsPagesAsync(new GetPartitionsRequest(database.ToLowerInvariant(), table.ToLowerInvariant()), cancellationToken).ConfigureAwait(false))
            {
                foreach (var p in page.Partitions ?? [])
                {
                    var parameters = p.Parameters ?? new Dictionary<string, string>();
                    partitions.Add((
                        new CatalogPartition(p.Values ?? [], LakeLocation(p.StorageDescriptor?.Location), Long(parameters, "objectCount"), Long(parameters, "recordCount"), Long(parameters, "sizeKey")),
                        p.CreationTime));
                }
            }
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityNotFoundException")
        {
            return [];
        }

        // Glue answers in no promised order; the interface gives key order (values compared one key after the other).
        partitions.Sort((a, b) => CompareValues(a.Item1.Values, b.Item1.Values));
        return partitions;
    }

    /// <summary>A Glue table as the catalog's record: Glue's names for the statistics, the crawler's deprecation mark.</summary>
    internal CatalogTable ToCatalogTable(string database, GlueTable table)
    {
        var parameters = table.Parameters ?? new Dictionary<string, string>();
        var storage = table.StorageDescriptor;
        var name = table.Name.ToLowerInvariant();
        var dataset = DatasetRegistry.Find(name);
        var created = table.CreateTime ?? DateTimeOffset.UnixEpoch;
        var updated = table.UpdateTime ?? created;
        return new CatalogTable(
            (table.DatabaseName ?? database).ToLowerInvariant(),
            name,
            LakeLocation(storage?.Location),
            Classification(table),
            parameters.TryGetValue("compressionType", out var compression) && compression.Length > 0 ? compression.ToLowerInvariant() : "none",
            [.. (storage?.Columns ?? []).Select(c => ToColumn(c, dataset))],
            [.. (table.PartitionKeys ?? []).Select(c => ToColumn(c, dataset))],
            Long(parameters, "recordCount"),
            Long(parameters, "sizeKey"),
            Long(parameters, "objectCount"),
            parameters.ContainsKey(DeprecatedParameter) ? TableStatus.Deprecated : TableStatus.Active,
            int.TryParse(table.VersionId, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0,
            created,
            updated,
            // Glue does not say when a table was last crawled, only when its definition last changed.
            updated,
            // Nor which EcomOps run crawled it: the crawler is Glue's, not a run's.
            Guid.Empty);
    }

    /// <summary>The lake key of an <c>s3://</c> location in the lake's bucket (as locations are locally), else the URI as is.</summary>
    internal string LakeLocation(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return "";
        }

        var prefix = $"s3://{ecomOps.Value.LakeBucket}/";
        if (!location.StartsWith(prefix, StringComparison.Ordinal))
        {
            return location;
        }

        var key = location[prefix.Length..];
        return key.Length == 0 || key.EndsWith('/') ? key : key + "/";
    }

    /// <summary>What changed from one version of a table to the next, in the local crawler's terms.</summary>
    internal static IReadOnlyList<TableChange> Changes(CatalogTable before, CatalogTable after)
    {
        if (after.Status == TableStatus.Deprecated && before.Status != TableStatus.Deprecated)
        {
            return [new TableChange(TableChangeKind.Deprecated, after.Name)];
        }

        var older = after.Status == TableStatus.Deprecated ? before with { Status = TableStatus.Active } : before;
        var newer = new CrawledTable(after.Name, after.Location, after.Classification, after.Compression, after.Columns, after.PartitionKeys, [], after.RecordCount, after.SizeKey, after.ObjectCount);
        return CatalogDiff.Changes(older, [], newer);
    }

    private static CatalogColumn ToColumn(Column column, DatasetSchema? dataset)
    {
        var name = column.Name.ToLowerInvariant();
        var type = (column.Type ?? "string").ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        // Glue keeps only the lower-cased name; the files' own spelling comes from the dataset's schema when it is one of ours.
        var source = dataset?.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.Name ?? column.Name;
        return new CatalogColumn(name, type, source, type);
    }

    private static string Classification(GlueTable table)
    {
        if (table.Parameters?.TryGetValue("classification", out var classification) == true && classification.Length > 0)
        {
            return classification.ToLowerInvariant();
        }

        var storage = table.StorageDescriptor;
        var hints = $"{storage?.InputFormat} {storage?.SerdeInfo?.SerializationLibrary}";
        return hints.Contains("parquet", StringComparison.OrdinalIgnoreCase) ? "parquet"
            : hints.Contains("csv", StringComparison.OrdinalIgnoreCase) || hints.Contains("LazySimpleSerDe", StringComparison.Ordinal) ? "csv"
            : "unknown";
    }

    private static long Long(IReadOnlyDictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static int CompareValues(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var order = string.CompareOrdinal(a[i], b[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return a.Count.CompareTo(b.Count);
    }
}
