using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;

namespace EcomOps.Core.Overview;

/// <summary>
/// A table's lineage from the run history, the manifest, the catalog and the warehouse's load records. Files are named
/// as the records name them; where a record is missing (a run no longer in the history, a warehouse that keeps no
/// per-file record) the lineage says so instead of guessing.
/// </summary>
internal sealed partial class LineageBuilder(IObjectStore store, IJobRunner jobs, ICatalog catalog, IWarehouse warehouse, PipelineFacts facts)
{
    // A table loaded every few minutes would list thousands of loads; the newest are the ones that explain it now.
    private const int MaxLoads = 50;

    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, LineageNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    public async Task<TableLineage> BuildAsync(string table, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        var (qualifier, name) = dot < 0 ? ((string?)null, table.Trim()) : (table[..dot].Trim(), table[(dot + 1)..].Trim());
        var warehouseTable = facts.WarehouseTables?.FirstOrDefault(t =>
            string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase) && (qualifier is null || string.Equals(t.Schema, qualifier, StringComparison.OrdinalIgnoreCase)));
        var catalogTable = facts.CatalogTables?.FirstOrDefault(t =>
            string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase) && (qualifier is null || string.Equals(t.Database, qualifier, StringComparison.OrdinalIgnoreCase)));

        if (warehouseTable is not null)
        {
            return await WarehouseLineageAsync(warehouseTable, cancellationToken).ConfigureAwait(false);
        }

        if (catalogTable is not null)
        {
            var dataset = DatasetOf(catalogTable.Location);
            await AddCatalogAsync(catalogTable, dataset, cancellationToken).ConfigureAwait(false);
            return Result(catalogTable.FullName, dataset);
        }

        var unread = string.Join(" ", new[] { facts.CatalogProblem, facts.WarehouseProblem }.Where(p => p is not null));
        throw new KeyNotFoundException($"Neither the catalog nor the warehouse has a table '{table}'.{(unread.Length > 0 ? " Not readable now: " + unread : "")}");
    }

    private async Task<TableLineage> WarehouseLineageAsync(WarehouseTableInfo table, CancellationToken cancellationToken)
    {
        var name = $"{table.Schema}.{table.Name}";
        var all = facts.LoadsInto(table);
        var loads = all.Take(MaxLoads).ToList();
        if (all.Count > loads.Count)
        {
            _notes.Add(string.Create(CultureInfo.InvariantCulture, $"{name} had {all.Count:N0} loads; the newest {MaxLoads} are shown."));
        }

        var dataset = loads.Select(l => l.Source is null ? null : DatasetOf(l.Source.Key)).FirstOrDefault(d => d is not null)
            ?? (Datasets.DatasetRegistry.All.Any(d => d.Name == table.Name) ? table.Name : null);
        var manifest = dataset is null ? null : await ManifestAsync(dataset, cancellationToken).ConfigureAwait(false);
        if (dataset is not null)
        {
            await AddConversionChainAsync(dataset, manifest, rawOnly: false, cancellationToken).ConfigureAwait(false);
        }

        var filesByLoad = await LoadedFilesAsync(loads, cancellationToken).ConfigureAwait(false);
        var current = await CurrentObjectsAsync(filesByLoad?.Values.SelectMany(f => f).Select(f => f.Key) ?? [], cancellationToken).ConfigureAwait(false);
        foreach (var load in loads)
        {
            var inputs = new List<string>();
            if (filesByLoad is not null)
            {
                foreach (var file in filesByLoad.GetValueOrDefault(load.Entry.QueryId) ?? [])
                {
                    inputs.Add(await AddLoadedFileAsync(load, file, manifest, current, dataset, cancellationToken).ConfigureAwait(false));
                }
            }
            else if (manifest is not null && load.Source?.Key == ConversionManifest.PrefixOf(manifest.Dataset))
            {
                // Without a per-file record, the files under the prefix the load read: those the manifest listed then, if it is unchanged since.
                inputs.AddRange(manifest.CreatedAt <= load.Started ? manifest.Files.Select(f => "parquet:" + f.Key) : []);
            }

            var entry = load.Entry;
            Add(new LineageNode(
                Id(entry.QueryId),
                LineageNodeKind.Load,
                string.Create(CultureInfo.InvariantCulture, $"load {entry.QueryId}"),
                string.Create(CultureInfo.InvariantCulture,
                    $"COPY {entry.TableName} FROM {entry.DataSource} ({entry.FileFormat}): {entry.LoadedRows:N0} rows loaded, {entry.ErrorCount:N0} rejected, {entry.SourceFileCount} files; {(load.RunId is { } r ? "run " + OverviewLinks.Short(r) : "no run (a COPY from outside EcomOps' jobs)")}"),
                entry.LoadedRows,
                load.Started,
                inputs,
                OverviewLinks.Load(entry.QueryId),
                load.RunId,
                entry.QueryId,
                load.Source?.Key));
        }

        if (dataset is not null && facts.CatalogTableOf(dataset) is { } catalogTable)
        {
            await AddCatalogAsync(catalogTable, dataset, cancellationToken).ConfigureAwait(false);
        }

        Add(new LineageNode(
            "warehouse:" + name,
            LineageNodeKind.WarehouseTable,
            name,
            string.Create(CultureInfo.InvariantCulture, $"{table.Rows:N0} rows now, from {all.Count:N0} completed loads"),
            table.Rows,
            null,
            [.. loads.Select(l => Id(l.Entry.QueryId))],
            loads.Count > 0 ? OverviewLinks.Load(loads[0].Entry.QueryId) : OverviewLinks.Jobs));
        if (loads.Count == 0)
        {
            _notes.Add($"Nothing was loaded into {name} by a COPY the warehouse recorded.");
        }

        return Result(name, dataset);
    }

    private async Task<string> AddLoadedFileAsync(
        LoadFact load, LoadedFile file, ConversionManifest? manifest, IReadOnlyDictionary<string, ObjectInfo> current, string? dataset, CancellationToken cancellationToken)
    {
        var inManifest = manifest?.Files.FirstOrDefault(f => f.Key == file.Key);

        // A file an earlier conversion wrote and a later one replaced: that conversion's outputs still name it.
        var writtenBy = inManifest?.RunId;
        if (writtenBy is null && file.Key.StartsWith("parquet/", StringComparison.Ordinal))
        {
            writtenBy = (await EarlierConversionsAsync(dataset, cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(r => r.Outputs.Any(o => o.InLake && o.Location == file.Key))?.Id;
        }
        var id = (file.Key.StartsWith("raw/", StringComparison.Ordinal) ? "raw:" : "parquet:") + file.Key;
        string? note = null;
        if (!current.TryGetValue(file.Key, out var now))
        {
            note = string.Create(CultureInfo.InvariantCulture, $"no longer in the lake (load {load.Entry.QueryId} read it)");
        }
        else if (file.ETag is { } etag && etag != now.ETag)
        {
            note = string.Create(CultureInfo.InvariantCulture, $"replaced since load {load.Entry.QueryId} read it");
        }
        else if (id.StartsWith("parquet:", StringComparison.Ordinal) && inManifest is null)
        {
            note = "not in the current manifest";
        }

        if (_nodes.TryGetValue(id, out var existing))
        {
            if (note is not null && existing.Note is null)
            {
                _nodes[id] = existing with { Note = note };
            }

            return id;
        }

        Add(new LineageNode(
            id,
            id.StartsWith("raw:", StringComparison.Ordinal) ? LineageNodeKind.RawFile : LineageNodeKind.ParquetFile,
            file.Key,
            string.Create(CultureInfo.InvariantCulture, $"{file.Rows:N0} rows read by load {load.Entry.QueryId}"),
            file.Rows,
            null,
            writtenBy is { } run ? [Id(run)] : [],
            OverviewLinks.File(file.Key),
            writtenBy,
            Key: file.Key,
            Note: note));
        return id;
    }

    private static LineageNode ConversionNode(JobRun conversion, IReadOnlyList<ObjectInfo> rawFiles, IReadOnlyList<string> inputs, string? note)
    {
        var rawNow = rawFiles.Where(f => conversion.StartedAt is { } s && f.LastModified <= s + ClockSlack).Sum(f => f.Size);
        return new LineageNode(
            Id(conversion.Id),
            LineageNodeKind.ConversionRun,
            "conversion run " + OverviewLinks.Short(conversion.Id),
            string.Create(CultureInfo.InvariantCulture,
                $"{conversion.Status}: {conversion.Counts.RowsRead:N0} rows read ({conversion.Counts.BytesRead:N0} bytes), {conversion.Counts.RowsRejected:N0} quarantined; {string.Join(", ", conversion.Parameters.Where(p => p.Key is "compression" or "partitioning" or "mode").Select(p => $"{p.Key} {p.Value}"))}"),
            conversion.Counts.RowsRead,
            conversion.StartedAt,
            inputs,
            OverviewLinks.Run(conversion.Id),
            conversion.Id,
            Note: note ?? (rawNow != conversion.Counts.BytesRead
                ? string.Create(CultureInfo.InvariantCulture, $"it read {conversion.Counts.BytesRead:N0} bytes of CSV; the unchanged raw files there now hold {rawNow:N0}")
                : null));
    }

    private IReadOnlyList<JobRun>? _earlierConversions;

    /// <summary>Conversions of the dataset, newest first, each added as a node (once) when a loaded file turns out to be theirs.</summary>
    private async Task<IReadOnlyList<JobRun>> EarlierConversionsAsync(string? dataset, CancellationToken cancellationToken)
    {
        if (_earlierConversions is null)
        {
            _earlierConversions = dataset is null
                ? []
                : await jobs.ListAsync(new JobRunFilter(JobStatus.Succeeded, JobKinds.Convert, dataset), cancellationToken).ConfigureAwait(false);
            foreach (var run in _earlierConversions)
            {
                if (!_nodes.ContainsKey(Id(run.Id)))
                {
                    _pendingConversions[Id(run.Id)] = run;
                }
            }
        }

        return _earlierConversions;
    }

    // Earlier conversions become nodes only if a file in the lineage is theirs.
    private readonly Dictionary<string, JobRun> _pendingConversions = new(StringComparer.Ordinal);

    /// <summary>The raw files, the conversion runs the manifest names and the Parquet files it lists.</summary>
    /// <param name="rawOnly">Only the raw files: for a table crawled from the CSVs themselves.</param>
    private async Task AddConversionChainAsync(string dataset, ConversionManifest? manifest, bool rawOnly, CancellationToken cancellationToken)
    {
        var rawFiles = await PipelineFacts.RawFilesAsync(store, dataset, cancellationToken).ConfigureAwait(false);
        var conversions = new List<JobRun>();
        foreach (var runId in manifest?.Files.Select(f => f.RunId).Append(manifest.RunId).Distinct() ?? [])
        {
            if (await jobs.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { } run)
            {
                conversions.Add(run);
            }
            else
            {
                _notes.Add($"Conversion run {runId:D} wrote files of {ConversionManifest.KeyOf(dataset)} but is no longer in the run history: which raw files it read is not known.");
            }
        }

        foreach (var file in rawFiles)
        {
            var count = facts.RawRows(file);

            // A raw file written after a conversion started is not the version that conversion read.
            var readBy = conversions.Where(c => c.StartedAt is { } s && file.LastModified <= s + ClockSlack).ToList();
            Add(new LineageNode(
                "raw:" + file.Key,
                LineageNodeKind.RawFile,
                file.Key,
                string.Create(CultureInfo.InvariantCulture, $"{file.Size:N0} bytes, written {file.LastModified:yyyy-MM-dd HH:mm:ss} UTC; rows: {(count.Rows is { } r ? r.ToString("N0", CultureInfo.InvariantCulture) + ", " : "")}{count.Source}"),
                count.Rows,
                file.LastModified,
                [],
                OverviewLinks.File(file.Key),
                count.RunId,
                Key: file.Key,
                Note: conversions.Count > 0 && readBy.Count == 0 ? "changed after the conversion that wrote the current Parquet: this version was not converted" : null));
            foreach (var conversion in readBy)
            {
                _inputsOf.GetOrAdd(Id(conversion.Id)).Add("raw:" + file.Key);
            }
        }

        foreach (var conversion in conversions)
        {
            Add(ConversionNode(conversion, rawFiles, _inputsOf.GetOrAdd(Id(conversion.Id)), note: null));
        }

        if (rawOnly)
        {
            return;
        }

        if (manifest is null)
        {
            _notes.Add($"{dataset} has no {ConversionManifest.KeyOf(dataset)}: it was not converted, or its Parquet was removed.");
            return;
        }

        foreach (var file in manifest.Files)
        {
            Add(new LineageNode(
                "parquet:" + file.Key,
                LineageNodeKind.ParquetFile,
                file.Key,
                string.Create(CultureInfo.InvariantCulture, $"{file.Rows:N0} rows, {file.Bytes:N0} bytes, {file.Compression}; in {ConversionManifest.KeyOf(dataset)}"),
                file.Rows,
                manifest.CreatedAt,
                [Id(file.RunId)],
                OverviewLinks.File(file.Key),
                file.RunId,
                Key: file.Key));
        }
    }

    private readonly Dictionary<string, List<string>> _inputsOf = new(StringComparer.Ordinal);

    private async Task AddCatalogAsync(CatalogTable table, string? dataset, CancellationToken cancellationToken)
    {
        var manifest = dataset is null ? null : await ManifestAsync(dataset, cancellationToken).ConfigureAwait(false);
        if (dataset is not null && !_nodes.Values.Any(n => n.Kind == LineageNodeKind.ConversionRun || n.Kind == LineageNodeKind.RawFile))
        {
            var csv = table.Classification == "csv";
            await AddConversionChainAsync(dataset, csv ? null : manifest, csv, cancellationToken).ConfigureAwait(false);
        }

        // The Glue Data Catalog keeps no EcomOps run id (its tables read as crawled by Guid.Empty): that is no run that left the history.
        var unrecorded = table.LastCrawlRunId == Guid.Empty;
        var crawl = unrecorded ? null : await jobs.GetAsync(table.LastCrawlRunId, cancellationToken).ConfigureAwait(false);
        var versions = await catalog.GetVersionsAsync(table.Database, table.Name, cancellationToken).ConfigureAwait(false);
        var version = versions.FirstOrDefault(v => v.Version == table.Version);

        // What the crawl read: the CSVs of a csv table; for Parquet, the manifest's files if it was committed before the crawl.
        var crawled = table.Classification == "csv"
            ? _nodes.Values.Where(n => n.Kind == LineageNodeKind.RawFile && n.Key?.StartsWith(table.Location, StringComparison.Ordinal) == true).Select(n => n.Id).ToList()
            : manifest is not null && manifest.CreatedAt <= table.LastCrawledAt ? manifest.Files.Select(f => "parquet:" + f.Key).ToList() : [];
        var crawlId = Id(table.LastCrawlRunId);
        Add(new LineageNode(
            crawlId,
            LineageNodeKind.CrawlRun,
            unrecorded ? "crawl" : "crawl run " + OverviewLinks.Short(table.LastCrawlRunId),
            unrecorded
                ? "the catalog does not record which run crawled it (see the crawl runs on the Jobs page)"
                : crawl is null
                ? "no longer in the run history"
                : string.Create(CultureInfo.InvariantCulture, $"{crawl.Status}: {string.Join(", ", crawl.Results?.Where(r => r.Name.StartsWith("tables ", StringComparison.Ordinal) && r.Value != "0").Select(r => $"{r.Name} {r.Value}") ?? [])}"),
            table.RecordCount,
            table.LastCrawledAt,
            crawled,
            unrecorded ? OverviewLinks.Jobs : OverviewLinks.Run(table.LastCrawlRunId),
            unrecorded ? null : table.LastCrawlRunId,
            Note: manifest is not null && manifest.CreatedAt > table.LastCrawledAt
                ? string.Create(CultureInfo.InvariantCulture, $"crawled before conversion run {OverviewLinks.Short(manifest.RunId)} committed the current Parquet at {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC")
                : null));
        Add(new LineageNode(
            "catalog:" + table.FullName,
            LineageNodeKind.CatalogTable,
            string.Create(CultureInfo.InvariantCulture, $"{table.FullName} version {table.Version}"),
            string.Create(CultureInfo.InvariantCulture,
                $"{table.RecordCount:N0} rows, {table.ObjectCount:N0} files at {table.Location}; {(version is null ? "its version history is gone" : "changes: " + string.Join("; ", version.Changes))}"),
            table.RecordCount,
            table.UpdatedAt,
            [crawlId],
            OverviewLinks.Catalog(table.Database, table.Name),
            unrecorded ? null : table.LastCrawlRunId,
            Key: table.Location,
            Note: table.Status == TableStatus.Deprecated ? "deprecated: its folder was gone at the last crawl" : table.PendingChange));
    }

    private void Add(LineageNode node)
    {
        if (!_nodes.TryGetValue(node.Id, out var existing))
        {
            _nodes[node.Id] = node;
        }
        else if (existing.Note is null && node.Note is not null)
        {
            _nodes[node.Id] = existing with { Note = node.Note };
        }
    }

    private TableLineage Result(string table, string? dataset)
    {
        foreach (var (id, run) in _pendingConversions)
        {
            if (!_nodes.ContainsKey(id) && _nodes.Values.Any(n => n.Inputs.Contains(id)))
            {
                // Its raw files are not recorded by file, and the ones there now may have been written after it.
                Add(ConversionNode(run, [], [], "an earlier conversion, since replaced by a later one; which raw files it read is not recorded by file"));
            }
        }

        return new(
            table,
            dataset,
            [.. _nodes.Values.OrderBy(n => n.Kind).ThenBy(n => n.At ?? DateTimeOffset.MinValue).ThenBy(n => n.Label, StringComparer.Ordinal)],
            _notes);
    }

    /// <summary>The dataset a lake key or prefix belongs to: <c>raw/&lt;dataset&gt;/...</c> or <c>parquet/&lt;dataset&gt;/...</c>.</summary>
    private static string? DatasetOf(string key)
    {
        var parts = key.Split('/');
        return parts.Length >= 2 && parts[0] is "raw" or "parquet" && Datasets.DatasetRegistry.All.Any(d => d.Name == parts[1]) ? parts[1] : null;
    }

    private static string DatasetFolder(string key)
    {
        var first = key.IndexOf('/', StringComparison.Ordinal);
        var second = first < 0 ? -1 : key.IndexOf('/', first + 1);
        return second < 0 ? key[..(key.LastIndexOf('/') + 1)] : key[..(second + 1)];
    }

    private static string Id(Guid run) => "run:" + run.ToString("D");

    private static string Id(long queryId) => "load:" + queryId.ToString(CultureInfo.InvariantCulture);
}
