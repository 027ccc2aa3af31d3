using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Overview;

/// <summary>
/// One dataset's reconciliation: each stage's figure from what recorded it, then the checks between neighbours. Only
/// listings, the manifest and recorded counts are read; a figure nothing recorded stays unknown.
/// </summary>
internal sealed class Reconciler(IObjectStore store, IJobRunner jobs, PipelineFacts facts)
{
    private const int MaxFooters = 200;

    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    public async Task<DatasetReconciliation> ReconcileAsync(string dataset, CancellationToken cancellationToken)
    {
        var mismatches = new List<ReconciliationMismatch>();
        var rawFiles = await PipelineFacts.RawFilesAsync(store, dataset, cancellationToken).ConfigureAwait(false);

        ConversionManifest? manifest = null;
        string? manifestProblem = null;
        try
        {
            manifest = await ConversionManifest.ReadAsync(store, dataset, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            manifestProblem = e.Message;
        }

        var conversion = manifest is null ? null : await jobs.GetAsync(manifest.RunId, cancellationToken).ConfigureAwait(false);
        var raw = RawFigure(dataset, rawFiles, conversion);
        var parquet = manifest is null
            ? await FooterFigureAsync(dataset, manifestProblem, cancellationToken).ConfigureAwait(false)
            : ParquetFigure(dataset, manifest);
        var quarantined = QuarantineFigure(manifest, conversion);
        if (manifest is not null)
        {
            CheckRawAgainstConversion(dataset, rawFiles, raw, manifest, conversion, mismatches);
            await CheckParquetFilesAsync(dataset, manifest, mismatches, cancellationToken).ConfigureAwait(false);
        }

        var catalog = CatalogFigure(dataset, manifest, parquet, mismatches);
        var (warehouse, rejected) = WarehouseFigures(dataset, manifest, parquet, mismatches);
        return new DatasetReconciliation(dataset, raw, parquet, catalog, warehouse, quarantined, rejected, mismatches);
    }

    private RowFigure RawFigure(string dataset, IReadOnlyList<ObjectInfo> files, JobRun? conversion)
    {
        var prefix = $"raw/{dataset}/";
        if (files.Count == 0)
        {
            return new RowFigure(0, $"no CSV under {prefix}", [OverviewLinks.Prefix(prefix)], Key: prefix);
        }

        var counts = files.Select(facts.RawRows).ToList();
        if (counts.All(c => c.Rows is not null))
        {
            var links = new List<OverviewLink> { OverviewLinks.Prefix(prefix) };
            links.AddRange(counts.Where(c => c.RunId is not null).Select(c => c.RunId!.Value).Distinct().Select(id => OverviewLinks.Run(id)));
            var source = counts.Count == 1
                ? $"{counts[0].File.Key}, {counts[0].Source}"
                : string.Join("; ", counts.Select(c => $"{c.File.Name} {c.Source}"));
            var recordedBy = counts.Select(c => c.RunId).Distinct().ToList();
            return new RowFigure(counts.Sum(c => c.Rows!.Value), source, links, recordedBy.Count == 1 ? recordedBy[0] : null, Key: prefix);
        }

        // The conversion's figure covers every file it read: usable only while none of them changed since.
        if (conversion is { Status: JobStatus.Succeeded, StartedAt: { } started } && RawUnchangedSince(files, conversion, started))
        {
            return new RowFigure(conversion.Counts.RowsRead,
                $"read by conversion run {OverviewLinks.Short(conversion.Id)}; the {files.Count} CSV files under {prefix} are unchanged since",
                [OverviewLinks.Prefix(prefix), OverviewLinks.Run(conversion.Id)], conversion.Id, Key: prefix);
        }

        var unknown = counts.Where(c => c.Rows is null).ToList();
        return new RowFigure(null,
            string.Join("; ", unknown.Select(c => $"{c.File.Name}: {c.Source}")),
            [OverviewLinks.Prefix(prefix), .. unknown.Where(c => c.RunId is not null).Select(c => OverviewLinks.Run(c.RunId!.Value))],
            Key: prefix);
    }

    // A run that read rows but counts no bytes is one whose engine does not report them (a Glue job appending past its
    // bookmark): then only the files' times can say whether the raw folder changed since.
    private static bool RawUnchangedSince(IReadOnlyList<ObjectInfo> files, JobRun conversion, DateTimeOffset started) =>
        (files.Sum(f => f.Size) == conversion.Counts.BytesRead || (conversion.Counts.BytesRead == 0 && conversion.Counts.RowsRead > 0))
        && files.All(f => f.LastModified <= started + ClockSlack);

    private static RowFigure ParquetFigure(string dataset, ConversionManifest manifest)
    {
        var prefix = ConversionManifest.PrefixOf(dataset);
        var runs = manifest.Files.Select(f => f.RunId).Distinct().Count();
        var source = string.Create(CultureInfo.InvariantCulture,
            $"{ConversionManifest.KeyOf(dataset)} of conversion run {OverviewLinks.Short(manifest.RunId)}: {manifest.Files.Count} files{(runs > 1 ? " written by " + runs.ToString(CultureInfo.InvariantCulture) + " runs (append)" : "")}");
        return new RowFigure(manifest.TotalRows, source, [OverviewLinks.Prefix(prefix), OverviewLinks.Run(manifest.RunId)], manifest.RunId, Key: ConversionManifest.KeyOf(dataset));
    }

    /// <summary>
    /// Parquet without a conversion's manifest (written by another tool): the row counts in its files' footers, two small
    /// range reads a file. Past <see cref="MaxFooters"/> files that is no longer cheap enough for the landing page.
    /// </summary>
    private async Task<RowFigure> FooterFigureAsync(string dataset, string? manifestProblem, CancellationToken cancellationToken)
    {
        var prefix = ConversionManifest.PrefixOf(dataset);
        var link = OverviewLinks.Prefix(prefix);
        var listing = await store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false);
        var files = listing.Objects
            .Where(o => o.Key.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !TableFiles.IsHidden(o.Key[prefix.Length..]))
            .ToList();
        var noManifest = manifestProblem ?? $"no {ConversionManifest.KeyOf(dataset)}";
        if (files.Count == 0)
        {
            return RowFigure.Unknown($"not converted: {noManifest}, and no Parquet files under {prefix}", link);
        }

        if (files.Count > MaxFooters)
        {
            return RowFigure.Unknown(string.Create(CultureInfo.InvariantCulture, $"unknown: {noManifest}, and {files.Count:N0} Parquet files are too many footers to read on each visit"), link);
        }

        long rows = 0;
        foreach (var file in files)
        {
            try
            {
                rows += (await ParquetFooterReader.ReadAsync(store, file, cancellationToken).ConfigureAwait(false)).Rows;
            }
            catch (Exception e) when (e is CorruptParquetException or ObjectChangedException or ObjectNotFoundException)
            {
                return RowFigure.Unknown($"unknown: {noManifest}, and {file.Key} could not be read: {e.Message}", link, OverviewLinks.File(file.Key));
            }
        }

        return new RowFigure(rows, string.Create(CultureInfo.InvariantCulture, $"footers of the {files.Count} Parquet files under {prefix} ({noManifest}: not written by a conversion)"), [link], Key: prefix);
    }

    private static RowFigure QuarantineFigure(ConversionManifest? manifest, JobRun? conversion)
    {
        if (manifest is null)
        {
            return RowFigure.Unknown("unknown: no conversion's manifest records what was quarantined");
        }

        if (conversion is null)
        {
            return RowFigure.Unknown($"unknown: conversion run {OverviewLinks.Short(manifest.RunId)} is not in the run history");
        }

        var quarantine = conversion.Outputs.FirstOrDefault(o => o.Location.StartsWith("quarantine/", StringComparison.Ordinal));
        var links = new List<OverviewLink> { OverviewLinks.Run(conversion.Id) };
        if (quarantine is not null)
        {
            links.Add(OverviewLinks.File(quarantine.Location));
        }

        return new RowFigure(conversion.Counts.RowsRejected,
            $"rejected by conversion run {OverviewLinks.Short(conversion.Id)}{(quarantine is null ? "" : ", in " + quarantine.Location)}",
            links, conversion.Id, Key: quarantine?.Location);
    }

    private static void CheckRawAgainstConversion(
        string dataset, IReadOnlyList<ObjectInfo> files, RowFigure raw, ConversionManifest manifest, JobRun? conversion, List<ReconciliationMismatch> mismatches)
    {
        var prefix = $"raw/{dataset}/";
        if (conversion is null)
        {
            // Nothing to compare the raw CSVs with: the figure says so; the run history may have been cleared.
            return;
        }

        var links = new List<OverviewLink> { OverviewLinks.Run(conversion.Id), OverviewLinks.Prefix(prefix) };
        var thisRun = manifest.Files.Where(f => f.RunId == conversion.Id).Sum(f => f.Rows);
        if (files.Count == 0)
        {
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.RawToParquet,
                string.Create(CultureInfo.InvariantCulture,
                    $"{prefix} has no CSV any more; conversion run {OverviewLinks.Short(conversion.Id)} read {conversion.Counts.RowsRead:N0} rows from it. The Parquet is what is left of them."),
                conversion.Counts.RowsRead, 0, conversion.Id, null, links));
        }
        else if (conversion.StartedAt is { } started && !RawUnchangedSince(files, conversion, started))
        {
            var newest = files.Max(f => f.LastModified);
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.RawToParquet,
                string.Create(CultureInfo.InvariantCulture,
                    $"{prefix} changed after conversion run {OverviewLinks.Short(conversion.Id)} read it at {started:yyyy-MM-dd HH:mm:ss} UTC: it read {conversion.Counts.BytesRead:N0} bytes ({conversion.Counts.RowsRead:N0} rows); the {files.Count} CSV files there now hold {files.Sum(f => f.Size):N0} bytes, the newest written at {newest:yyyy-MM-dd HH:mm:ss} UTC{(raw.Rows is { } r ? " (" + r.ToString("N0", CultureInfo.InvariantCulture) + " rows)" : "")}. The Parquet is of the earlier files; convert again."),
                conversion.Counts.RowsRead, raw.Rows, conversion.Id, null, links));
        }
        else if (raw.Rows is { } rawRows && rawRows != conversion.Counts.RowsRead)
        {
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.RawToParquet,
                string.Create(CultureInfo.InvariantCulture,
                    $"the raw CSVs of {dataset} have {rawRows:N0} rows ({raw.Source}); conversion run {OverviewLinks.Short(conversion.Id)} read {conversion.Counts.RowsRead:N0} from the same files."),
                conversion.Counts.RowsRead, rawRows, conversion.Id, null, links));
        }

        if (conversion.Counts.RowsRead != thisRun + conversion.Counts.RowsRejected)
        {
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.RawToParquet,
                string.Create(CultureInfo.InvariantCulture,
                    $"conversion run {OverviewLinks.Short(conversion.Id)} read {conversion.Counts.RowsRead:N0} rows of {dataset} and quarantined {conversion.Counts.RowsRejected:N0}; {ConversionManifest.KeyOf(dataset)} lists {thisRun:N0} rows of its files, not {conversion.Counts.RowsRead - conversion.Counts.RowsRejected:N0}."),
                conversion.Counts.RowsRead - conversion.Counts.RowsRejected, thisRun, conversion.Id, null, links));
        }
    }

    private async Task CheckParquetFilesAsync(string dataset, ConversionManifest manifest, List<ReconciliationMismatch> mismatches, CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(ConversionManifest.PrefixOf(dataset), null, cancellationToken).ConfigureAwait(false);
        var present = listing.Objects.ToDictionary(o => o.Key, StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var message = !present.TryGetValue(file.Key, out var info)
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{file.Key} ({file.Rows:N0} rows), listed in {ConversionManifest.KeyOf(dataset)} by conversion run {OverviewLinks.Short(file.RunId)}, is missing from the lake.")
                : info.Size != file.Bytes
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{file.Key} is {info.Size:N0} bytes; conversion run {OverviewLinks.Short(file.RunId)} wrote {file.Bytes:N0} ({file.Rows:N0} rows): it was replaced outside EcomOps.")
                    : null;
            if (message is not null)
            {
                mismatches.Add(new ReconciliationMismatch(
                    ReconciliationStage.ParquetFiles, message, file.Rows, null, file.RunId, null,
                    [OverviewLinks.Run(file.RunId), OverviewLinks.File(file.Key)]));
            }
        }
    }

    private RowFigure CatalogFigure(string dataset, ConversionManifest? manifest, RowFigure parquet, List<ReconciliationMismatch> mismatches)
    {
        if (facts.CatalogTables is null)
        {
            return RowFigure.Unknown("unknown: the catalog could not be read: " + facts.CatalogProblem);
        }

        var table = facts.CatalogTableOf(dataset);
        if (table is null)
        {
            return RowFigure.Unknown($"not crawled: no catalog table over {ConversionManifest.PrefixOf(dataset)}", OverviewLinks.Jobs);
        }

        var links = new List<OverviewLink> { OverviewLinks.Catalog(table.Database, table.Name), OverviewLinks.Run(table.LastCrawlRunId) };
        var figure = new RowFigure(table.RecordCount,
            string.Create(CultureInfo.InvariantCulture,
                $"{table.FullName} version {table.Version}, crawl run {OverviewLinks.Short(table.LastCrawlRunId)} at {table.LastCrawledAt:yyyy-MM-dd HH:mm:ss} UTC{(table.Status == TableStatus.Deprecated ? " (deprecated)" : "")}{(table.PendingChange is { } p ? "; a change was logged, not applied: " + p : "")}"),
            links, table.LastCrawlRunId, Key: table.Location);

        if (parquet.Rows is { } parquetRows && table.RecordCount != parquetRows)
        {
            var why = manifest is not null && table.LastCrawledAt < manifest.CreatedAt
                ? string.Create(CultureInfo.InvariantCulture, $": it was crawled before conversion run {OverviewLinks.Short(manifest.RunId)} committed the current Parquet at {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC; crawl again")
                : "";
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.ParquetToCatalog,
                string.Create(CultureInfo.InvariantCulture,
                    $"catalog table {table.FullName} has {table.RecordCount:N0} rows (crawl run {OverviewLinks.Short(table.LastCrawlRunId)}); the Parquet has {parquetRows:N0} ({parquet.Source}){why}."),
                parquetRows, table.RecordCount, parquet.RunId, null, [.. links, .. parquet.Links]));
        }

        return figure;
    }

    private (RowFigure Warehouse, RowFigure Rejected) WarehouseFigures(string dataset, ConversionManifest? manifest, RowFigure parquet, List<ReconciliationMismatch> mismatches)
    {
        if (facts.WarehouseTables is null || facts.Loads is null)
        {
            var unknown = RowFigure.Unknown("unknown: the warehouse could not be read: " + facts.WarehouseProblem);
            return (unknown, unknown);
        }

        var table = facts.WarehouseTableOf(dataset);
        if (table is null)
        {
            var none = RowFigure.Unknown($"the warehouse has no table {dataset}");
            return (none, none);
        }

        var name = $"{table.Schema}.{table.Name}";
        var loads = facts.LoadsInto(table);
        var last = loads.FirstOrDefault();
        var lastLinks = last?.Links().ToList() ?? [];
        var warehouse = new RowFigure(table.Rows,
            last is null ? $"the warehouse's count of {name} now; nothing was loaded into it" : $"the warehouse's count of {name} now; last load: {last.Describe()}",
            lastLinks, last?.RunId, last?.Entry.QueryId, name);
        if (facts.LoadsTruncated)
        {
            return (warehouse, RowFigure.Unknown(string.Create(CultureInfo.InvariantCulture, $"unknown: more than {PipelineFacts.LoadLimit:N0} loads; their sums are not read")));
        }

        var loaded = loads.Sum(l => l.Entry.LoadedRows);
        var rejected = loads.Sum(l => l.Entry.ErrorCount);
        var rejectedFigure = new RowFigure(rejected,
            string.Create(CultureInfo.InvariantCulture, $"rows the {loads.Count} completed loads into {name} rejected (stl_load_errors)"),
            lastLinks, last?.RunId, last?.Entry.QueryId, name);
        if (last is null)
        {
            if (table.Rows != 0)
            {
                mismatches.Add(new ReconciliationMismatch(
                    ReconciliationStage.Warehouse,
                    string.Create(CultureInfo.InvariantCulture, $"warehouse has {table.Rows:N0} rows of {name}, but no completed load put any in: they came from outside EcomOps' loads."),
                    0, table.Rows, null, null, []));
            }

            return (warehouse, rejectedFigure);
        }

        if (table.Rows != loaded)
        {
            var what = loads.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"the {FormatName(last.Entry.FileFormat)} the last load read had {last.RowsRead:N0}{(last.Entry.ErrorCount > 0 ? $", {last.Entry.LoadedRows:N0} of them loaded" : "")} ({last.Describe()})")
                : string.Create(CultureInfo.InvariantCulture, $"its {loads.Count} loads put {loaded:N0} in (the last: {last.Describe()}, from {last.Entry.DataSource})");
            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.Warehouse,
                string.Create(CultureInfo.InvariantCulture, $"warehouse has {table.Rows:N0} rows of {dataset}; {what}: rows were {(table.Rows < loaded ? "deleted from" : "added to")} {name} outside EcomOps' loads."),
                loaded, table.Rows, last.RunId, last.Entry.QueryId, lastLinks));
        }

        if (parquet.Rows is { } parquetRows && loaded + rejected != parquetRows)
        {
            var reasons = new List<string>();
            if (manifest is not null && last.Started < manifest.CreatedAt)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the last load ran at {last.Started:yyyy-MM-dd HH:mm:ss} UTC, before conversion run {OverviewLinks.Short(manifest.RunId)} committed the current Parquet at {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC; load again"));
            }

            if (loads.Count > 1 && loaded + rejected > parquetRows)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{loads.Count} loads went into {name}: loading the same files again adds their rows again"));
            }

            var prefix = ConversionManifest.PrefixOf(dataset);
            var elsewhere = loads.Where(l => l.Source?.Key.StartsWith(prefix, StringComparison.Ordinal) != true).Select(l => l.Entry.DataSource).Distinct().ToList();
            if (elsewhere.Count > 0)
            {
                reasons.Add("loads read " + string.Join(", ", elsewhere) + $", not {prefix}");
            }

            mismatches.Add(new ReconciliationMismatch(
                ReconciliationStage.ParquetToWarehouse,
                string.Create(CultureInfo.InvariantCulture,
                    $"the loads into {name} read {loaded + rejected:N0} rows ({loaded:N0} loaded, {rejected:N0} rejected; the last: {last.Describe()}); the Parquet has {parquetRows:N0} ({parquet.Source}){(reasons.Count > 0 ? ": " + string.Join("; ", reasons) : "")}."),
                parquetRows, loaded + rejected, parquet.RunId, last.Entry.QueryId, [.. lastLinks, .. parquet.Links]));
        }

        return (warehouse, rejectedFigure);
    }

    private static string FormatName(string format) => format.ToLowerInvariant() switch
    {
        "parquet" => "Parquet",
        "csv" => "CSV",
        _ => format,
    };
}
