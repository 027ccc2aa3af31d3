using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.Logging;
using Crawler = EcomOps.Core.Aws.Glue.Crawler;
using GlueSchemaChangePolicy = EcomOps.Core.Aws.Glue.SchemaChangePolicy;
using SchemaChangePolicy = EcomOps.Core.Catalog.SchemaChangePolicy;

namespace EcomOps.Core.Aws.Engines;

// What a Glue crawl did, read back from the crawler and the Data Catalog; and the crawl options a Glue crawler takes.
internal sealed partial class GlueCrawlerEngine
{
    /// <summary>
    /// A Glue crawler takes no options per run: its targets, exclusions, database and policies are its own
    /// (infra/ecomops.yaml). Options that ask for what it does anyway are fine; any other is refused, naming it.
    /// </summary>
    private void EnsureTakes(CrawlOptions options, Crawler crawler)
    {
        var problems = new List<string>();
        var targets = Targets(crawler);
        if (options.IncludePaths is { Count: > 0 } && targets.Count > 0 && !options.EffectiveIncludePaths.Order(StringComparer.Ordinal).SequenceEqual(targets.Order(StringComparer.Ordinal)))
        {
            problems.Add($"include paths {string.Join(", ", options.EffectiveIncludePaths)} (it crawls {string.Join(", ", targets)}; its Targets)");
        }

        var exclusions = crawler.Targets?.S3Targets?.SelectMany(t => t.Exclusions ?? []).ToHashSet(StringComparer.Ordinal) ?? [];
        if (options.Exclusions?.Where(e => !exclusions.Contains(e)).ToList() is { Count: > 0 } extra)
        {
            problems.Add($"exclusions {string.Join(", ", extra)} (it excludes {(exclusions.Count > 0 ? string.Join(", ", exclusions) : "nothing")}; its Targets' Exclusions)");
        }

        if (crawler.DatabaseName is { } database && !string.Equals(database, options.Database, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"database {options.Database} (it writes {database}; its DatabaseName, and EcomOps:Aws:Glue:Database reads it)");
        }

        if (OnChange(crawler.SchemaChangePolicy) is { } onChange && onChange != options.OnChange)
        {
            problems.Add($"on change {options.OnChange.ToString().ToLowerInvariant()} (it does {crawler.SchemaChangePolicy!.UpdateBehavior}; its SchemaChangePolicy.UpdateBehavior)");
        }

        if (OnDelete(crawler.SchemaChangePolicy) is { } onDelete && onDelete != options.OnDelete)
        {
            problems.Add($"on delete {options.OnDelete.ToString().ToLowerInvariant()} (it does {crawler.SchemaChangePolicy!.DeleteBehavior}; its SchemaChangePolicy.DeleteBehavior)");
        }

        if (problems.Count > 0)
        {
            throw new GlueCrawlerException(
                $"Glue crawler '{crawler.Name}' cannot crawl with {string.Join("; ", problems)}: a Glue crawler takes these from its own settings, not per run. "
                + "Change them on the crawler (infra/ecomops.yaml, resource GlueCrawler) or crawl with the defaults.");
        }
    }

    private async Task<CrawlResult> ReadOutcomeAsync(JobContext context, Crawler crawler, LastCrawlInfo last, CancellationToken cancellationToken)
    {
        var name = crawler.Name ?? Settings.CrawlerName;
        var metrics = (await glue.GetCrawlerMetricsAsync(new GetCrawlerMetricsRequest([name]), cancellationToken).ConfigureAwait(false))
            .CrawlerMetricsList?.FirstOrDefault(m => m.CrawlerName == name);
        catalog.Invalidate();
        var database = (crawler.DatabaseName ?? Settings.Database).ToLowerInvariant();
        var targets = Targets(crawler);
        var tables = (await catalog.ReadTablesAsync(database, cancellationToken).ConfigureAwait(false))
            .Where(t => targets.Count == 0 || targets.Any(p => t.Location.StartsWith(p, StringComparison.Ordinal)))
            .ToList();
        context.BeginStep(LocalCrawlerEngine.CatalogStep, tables.Count, "tables");

        // Glue's clock throughout: tables, versions and partitions this crawl wrote are stamped at or after its start.
        var started = last.StartTime ?? DateTimeOffset.MinValue;
        var outcomes = new List<TableOutcome>();
        foreach (var table in tables)
        {
            outcomes.Add(await OutcomeAsync(database, table, started, cancellationToken).ConfigureAwait(false));
            context.Report(LocalCrawlerEngine.CatalogStep, outcomes.Count);
        }

        // Glue forgets a deleted table's name; only DELETE_FROM_DATABASE deletes, and then the metrics count them.
        var deleted = OnDelete(crawler.SchemaChangePolicy) == DeletePolicy.Delete ? (metrics?.TablesDeleted ?? 0) : 0;
        outcomes.AddRange(Enumerable.Range(1, deleted).Select(_ => new TableOutcome("(deleted, name not kept by Glue)", TableOutcomeKind.Deleted, 0, 0, [])));
        context.CompleteStep(LocalCrawlerEngine.CatalogStep, outcomes.Count);

        var live = tables.Where(t => t.Status == TableStatus.Active).ToList();
        var duration = metrics?.LastRuntimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        // Glue reports no bytes read; the data's size and files are what a full crawl lists.
        var result = new CrawlResult(outcomes, [], 0, live.Sum(t => t.SizeKey), (int)live.Sum(t => t.ObjectCount), live.Count, duration);
        context.SetCounts(c => c with { RowsRead = outcomes.Sum(t => t.Rows) });
        logger.LogInformation(
            "Glue crawler {Crawler} crawled in {Duration}: {Created} tables created, {Updated} updated, {Unchanged} unchanged, {Deprecated} deprecated (Glue's metrics: {MetricsCreated} created, {MetricsUpdated} updated, {MetricsDeleted} deleted)",
            name, duration, result.Count(TableOutcomeKind.Created), result.Count(TableOutcomeKind.Updated), result.Count(TableOutcomeKind.Unchanged),
            result.Count(TableOutcomeKind.Deprecated), metrics?.TablesCreated, metrics?.TablesUpdated, metrics?.TablesDeleted);
        return result;
    }

    /// <summary>What the crawl that started at <paramref name="started"/> did to one table, from its versions and partitions.</summary>
    private async Task<TableOutcome> OutcomeAsync(string database, CatalogTable table, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var partitions = await catalog.ReadPartitionsAsync(database, table.Name, cancellationToken).ConfigureAwait(false);
        var count = table.Status == TableStatus.Deprecated ? 0 : partitions.Count;
        if (table.CreatedAt >= started)
        {
            return new TableOutcome(table.Name, TableOutcomeKind.Created, table.RecordCount, count, [new TableChange(TableChangeKind.Created, table.Name)]);
        }

        var versions = await catalog.GetVersionsAsync(database, table.Name, cancellationToken).ConfigureAwait(false);
        var changes = versions.Where(v => v.CreatedAt >= started).Reverse().SelectMany(v => v.Changes).Where(c => c.Kind != TableChangeKind.Created).ToList();
        // Glue keeps partitions apart from the table's versions: the ones this crawl added are the ones created since it started.
        var added = partitions.Where(p => p.Created >= started).Select(p => CatalogDiff.PartitionName(table.PartitionKeys, p.Partition)).ToList();
        if (added.Count > 0 && table.Status == TableStatus.Active)
        {
            changes.Add(new TableChange(TableChangeKind.PartitionsAdded, CatalogDiff.Summarize(added), After: added.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var kind = changes.Any(c => c.Kind == TableChangeKind.Deprecated) ? TableOutcomeKind.Deprecated
            : changes.Count > 0 ? TableOutcomeKind.Updated
            : TableOutcomeKind.Unchanged;
        return new TableOutcome(table.Name, kind, table.RecordCount, count, changes);
    }

    /// <summary>The crawler's S3 targets as lake prefixes (<c>parquet/</c>), each ending in '/'.</summary>
    private List<string> Targets(Crawler crawler) =>
        [.. (crawler.Targets?.S3Targets ?? []).Select(t => catalog.LakeLocation(t.Path)).Where(p => p.Length > 0).Select(p => p.EndsWith('/') ? p : p + "/")];

    private static SchemaChangePolicy? OnChange(GlueSchemaChangePolicy? policy) => policy?.UpdateBehavior switch
    {
        "UPDATE_IN_DATABASE" => SchemaChangePolicy.Update,
        "LOG" => SchemaChangePolicy.Log,
        _ => null,
    };

    private static DeletePolicy? OnDelete(GlueSchemaChangePolicy? policy) => policy?.DeleteBehavior switch
    {
        "DEPRECATE_IN_DATABASE" => DeletePolicy.Deprecate,
        "DELETE_FROM_DATABASE" => DeletePolicy.Delete,
        "LOG" => DeletePolicy.Log,
        _ => null,
    };
}
