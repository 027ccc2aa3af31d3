using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Catalog;

/// <summary>A crawl run: scan the include paths and bring the catalog in line, by the options' policies.</summary>
public sealed record CrawlJob(CrawlOptions Options) : IJobParameters;

/// <summary>What runs a crawl for the configured backend: the in-process crawler into the local catalog, or a Glue crawler.</summary>
public interface ICrawlerEngine
{
    /// <summary>Shown with each run's parameters, such as <c>in-process</c> or <c>glue</c>.</summary>
    string Name { get; }

    /// <summary>The resources a crawl holds (<see cref="JobResources"/>).</summary>
    IReadOnlyList<string> Resources { get; }

    /// <summary>Crawls, reporting progress (folders and files scanned) and the outcome through <paramref name="context"/>.</summary>
    Task<CrawlResult> CrawlAsync(JobContext context, CrawlOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// A crawler engine whose crawls run remotely (a Glue crawler): each crawl records an external id, and a crawl that
/// was still running when EcomOps stopped is followed again by it after a restart.
/// </summary>
public interface IResumableCrawlerEngine : ICrawlerEngine
{
    /// <summary>Follows the crawl <paramref name="externalId"/> names until it ends, then reads its outcome as <see cref="ICrawlerEngine.CrawlAsync"/> does.</summary>
    Task<CrawlResult> ResumeAsync(JobContext context, CrawlOptions options, string externalId, CancellationToken cancellationToken);
}

/// <summary>What one crawl did: each table's outcome, the files it skipped and why, and what it read.</summary>
/// <param name="BytesRead">Bytes fetched from the store: footers, manifests, CSV heads.</param>
/// <param name="DataBytes">Bytes of the files the tables are made of, for the share read.</param>
public sealed record CrawlResult(IReadOnlyList<TableOutcome> Tables, IReadOnlyList<SkippedFile> Skipped, long BytesRead, long DataBytes, int FilesScanned, int FoldersScanned, TimeSpan Duration)
{
    public int Count(TableOutcomeKind kind) => Tables.Count(t => t.Outcome == kind);

    public int PartitionsAdded => Tables.SelectMany(t => t.Changes).Where(c => c.Kind == TableChangeKind.PartitionsAdded).Sum(c => int.Parse(c.After!, CultureInfo.InvariantCulture));

    public int PartitionsRemoved => Tables.SelectMany(t => t.Changes).Where(c => c.Kind == TableChangeKind.PartitionsRemoved).Sum(c => int.Parse(c.Before!, CultureInfo.InvariantCulture));

    /// <summary>The run history's lines for this crawl: counts first, then one line a table, then skipped files.</summary>
    public IReadOnlyList<JobResult> ToResults()
    {
        var results = new List<JobResult>
        {
            new("tables created", Count(TableOutcomeKind.Created).ToString(CultureInfo.InvariantCulture)),
            new("tables updated", Count(TableOutcomeKind.Updated).ToString(CultureInfo.InvariantCulture)),
            new("tables unchanged", Count(TableOutcomeKind.Unchanged).ToString(CultureInfo.InvariantCulture)),
            new("tables deprecated", Count(TableOutcomeKind.Deprecated).ToString(CultureInfo.InvariantCulture)),
            new("tables deleted", Count(TableOutcomeKind.Deleted).ToString(CultureInfo.InvariantCulture)),
            new("changes logged, not applied", (Count(TableOutcomeKind.ChangeLogged) + Count(TableOutcomeKind.GoneLogged)).ToString(CultureInfo.InvariantCulture)),
            new("partitions added", PartitionsAdded.ToString(CultureInfo.InvariantCulture)),
            new("partitions removed", PartitionsRemoved.ToString(CultureInfo.InvariantCulture)),
            new("files scanned", FilesScanned.ToString(CultureInfo.InvariantCulture)),
            new("bytes read", string.Create(CultureInfo.InvariantCulture, $"{BytesRead:N0} of {DataBytes:N0} ({(DataBytes > 0 ? 100.0 * BytesRead / DataBytes : 0):0.###}%)")),
            new("duration", string.Create(CultureInfo.InvariantCulture, $"{Duration.TotalSeconds:0.000} s")),
        };
        results.AddRange(Tables.Select(t => new JobResult(
            "table " + t.Table,
            string.Create(CultureInfo.InvariantCulture, $"{Describe(t.Outcome)}, {t.Rows:N0} rows, {t.Partitions} partitions{(t.Changes.Count > 0 && t.Outcome != TableOutcomeKind.Created ? ": " + string.Join("; ", t.Changes) : "")}"))));
        results.AddRange(Skipped.Select(s => new JobResult("skipped " + s.Key, s.Reason)));
        return results;
    }

    public static string Describe(TableOutcomeKind outcome) => outcome switch
    {
        TableOutcomeKind.ChangeLogged => "changed (logged, not applied)",
        TableOutcomeKind.GoneLogged => "folder gone (logged, not applied)",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}

/// <summary>Runs <see cref="CrawlJob"/>s on the crawler engine of the configured backend.</summary>
internal sealed class CrawlJobHandler(ICrawlerEngine engine) : JobHandler<CrawlJob>
{
    public override string Kind => JobKinds.Crawl;

    public override JobPlan Plan(CrawlJob parameters)
    {
        var options = parameters.Options;
        options.EnsureValid();
        var display = new Dictionary<string, string>
        {
            ["include paths"] = string.Join(", ", options.EffectiveIncludePaths),
            ["exclusions"] = options.Exclusions is { Count: > 0 } e ? string.Join(", ", e) : "(none)",
            ["on change"] = options.OnChange.ToString().ToLowerInvariant(),
            ["on delete"] = options.OnDelete.ToString().ToLowerInvariant(),
            ["database"] = options.Database,
            ["engine"] = engine.Name,
        };
        return new JobPlan($"Crawl {string.Join(", ", options.EffectiveIncludePaths)} into {options.Database}", [LocalCrawlerEngine.ScanStep, LocalCrawlerEngine.CatalogStep], display, Resources: engine.Resources);
    }

    public override async Task RunAsync(JobContext context, CrawlJob parameters, CancellationToken cancellationToken)
    {
        var result = await engine.CrawlAsync(context, parameters.Options, cancellationToken).ConfigureAwait(false);
        context.SetResults(result.ToResults());
    }

    // Only a remote engine has anything to follow again; the in-process crawler's runs end Interrupted as before.
    public override bool CanResume => engine is IResumableCrawlerEngine;

    public override async Task ResumeAsync(JobContext context, CrawlJob parameters, string externalId, CancellationToken cancellationToken)
    {
        var remote = engine as IResumableCrawlerEngine ?? throw new NotSupportedException($"The {engine.Name} crawler cannot follow a crawl again after a restart.");
        var result = await remote.ResumeAsync(context, parameters.Options, externalId, cancellationToken).ConfigureAwait(false);
        context.SetResults(result.ToResults());
    }
}

/// <summary>The crawler in this process, over the lake's store, into the local catalog.</summary>
internal sealed class LocalCrawlerEngine(IObjectStore lake, LocalCatalog catalog, ILogger<LocalCrawlerEngine> logger) : ICrawlerEngine
{
    internal const string ScanStep = "scan";
    internal const string CatalogStep = "catalog";

    public string Name => "in-process";

    public IReadOnlyList<string> Resources { get; } = [JobResources.Local, JobResources.Engine("crawler")];

    public async Task<CrawlResult> CrawlAsync(JobContext context, CrawlOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        logger.LogInformation("Crawling {Paths} of {Store} into {Database}", string.Join(", ", options.EffectiveIncludePaths), lake.DisplayName, options.Database);
        var begun = false;
        var progress = new SyncProgress<CrawlProgress>(p =>
        {
            if (!begun)
            {
                context.BeginStep(ScanStep, p.FilesTotal, "files");
                begun = true;
            }

            context.Report(ScanStep, p.FilesDone, p.BytesRead);
            context.SetCounts(c => c with { BytesRead = p.BytesRead });
        });
        var scan = await new Crawler(lake).ScanAsync(options, progress, cancellationToken).ConfigureAwait(false);
        context.CompleteStep(ScanStep, scan.FilesScanned, scan.BytesRead);

        context.BeginStep(CatalogStep, scan.Tables.Count, "tables");
        var outcomes = await catalog.ApplyAsync(scan, options, context.RunId, cancellationToken).ConfigureAwait(false);
        context.CompleteStep(CatalogStep, outcomes.Count);
        var result = new CrawlResult(outcomes, scan.Skipped, scan.BytesRead, scan.DataBytes, scan.FilesScanned, scan.FoldersScanned, stopwatch.Elapsed);
        context.SetCounts(c => c with { RowsRead = outcomes.Sum(t => t.Rows), BytesRead = scan.BytesRead });
        logger.LogInformation(
            "Crawled {Files} files in {Folders} folders in {Duration}: {Created} tables created, {Updated} updated, {Unchanged} unchanged; {BytesRead} bytes read of {DataBytes}",
            scan.FilesScanned, scan.FoldersScanned, stopwatch.Elapsed, result.Count(TableOutcomeKind.Created), result.Count(TableOutcomeKind.Updated),
            result.Count(TableOutcomeKind.Unchanged), scan.BytesRead, scan.DataBytes);
        return result;
    }
}
