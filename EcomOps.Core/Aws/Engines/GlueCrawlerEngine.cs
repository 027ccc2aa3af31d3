using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Crawler = EcomOps.Core.Aws.Glue.Crawler;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// Crawls with the Glue crawler <c>EcomOps:Aws:Glue:CrawlerName</c>: StartCrawler, then GetCrawler every
/// <c>EcomOps:Aws:Glue:PollSeconds</c> until its crawl ends, then GetCrawlerMetrics and the Data Catalog's tables, read
/// into the same <see cref="CrawlResult"/> the in-process crawler gives. The crawl's external id is the crawler's name
/// and the time it was started, so a restart follows it again; a user's cancel stops it (StopCrawler), a shutdown does not.
/// </summary>
internal sealed partial class GlueCrawlerEngine(
    GlueClient glue, GlueDataCatalog catalog, IOptions<AwsOptions> awsOptions, TimeProvider time, ILogger<GlueCrawlerEngine> logger) : IResumableCrawlerEngine
{
    /// <summary>
    /// Our clock and Glue's may differ: a crawl Glue says started this much before our StartCrawler is still ours.
    /// SigV4 itself refuses requests further off than this, so no working client is further apart.
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Polls that may see the crawler READY with an older last crawl, just after StartCrawler, before giving up.</summary>
    private const int NotStartedPolls = 10;

    private const string Ready = "READY";
    private const string Running = "RUNNING";

    public string Name => "glue";

    // The crawler runs one crawl at a time; a second run waits for the first (see StartAsync) rather than fail.
    // Its own engine, not the Glue job's: a crawl need not wait behind conversions, but one crawler runs one crawl at a time.
    public IReadOnlyList<string> Resources { get; } = [JobResources.Engine("glue-crawler")];

    private GlueResourceOptions Settings => awsOptions.Value.Glue;

    private TimeSpan PollInterval => TimeSpan.FromSeconds(Settings.PollSeconds);

    public async Task<CrawlResult> CrawlAsync(JobContext context, CrawlOptions options, CancellationToken cancellationToken)
    {
        var name = Settings.CrawlerName;
        var crawler = await GetCrawlerAsync(name, cancellationToken).ConfigureAwait(false);
        EnsureTakes(options, crawler);
        context.BeginStep(LocalCrawlerEngine.ScanStep, null, "seconds");
        var requestedAt = await StartAsync(name, crawler, cancellationToken).ConfigureAwait(false);
        // Recorded whatever the token says: the crawl runs now, and a restart must be able to find it.
        await context.SetExternalIdAsync(ExternalId(name, requestedAt), CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("Started Glue crawler {Crawler} into {Database}", name, crawler.DatabaseName);
        return await FollowAsync(context, name, requestedAt, cancellationToken).ConfigureAwait(false);
    }

    public Task<CrawlResult> ResumeAsync(JobContext context, CrawlOptions options, string externalId, CancellationToken cancellationToken)
    {
        var (name, requestedAt) = ParseExternalId(externalId);
        logger.LogInformation("Following Glue crawler {Crawler} again, crawl started at {Started}", name, requestedAt);
        context.BeginStep(LocalCrawlerEngine.ScanStep, null, "seconds");
        return FollowAsync(context, name, requestedAt, cancellationToken);
    }

    internal static string ExternalId(string crawler, DateTimeOffset requestedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{crawler}@{requestedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}");

    internal static (string Crawler, DateTimeOffset RequestedAt) ParseExternalId(string externalId)
    {
        var at = externalId.LastIndexOf('@');
        if (at <= 0 || !DateTimeOffset.TryParse(externalId[(at + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var requestedAt))
        {
            throw new GlueCrawlerException($"'{externalId}' is not a Glue crawl's external id (crawler@start time); check the crawler's last run in the Glue console.");
        }

        return (externalId[..at], requestedAt);
    }

    private async Task<Crawler> GetCrawlerAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await glue.GetCrawlerAsync(new GetCrawlerRequest(name), cancellationToken).ConfigureAwait(false)).Crawler
                ?? throw new GlueCrawlerException($"Glue answered GetCrawler for '{name}' without a crawler.");
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityNotFoundException")
        {
            throw new GlueCrawlerException(
                $"Glue crawler '{name}' does not exist here ({e.ErrorCode}, request id {e.RequestId ?? "none"}): set EcomOps:Aws:Glue:CrawlerName to the crawler infra/ecomops.yaml created (its CrawlerName output), in the region of EcomOps:Aws:Region.", e);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "AccessDeniedException")
        {
            throw Denied(e, name);
        }
    }

    /// <summary>Starts a crawl; while the crawler is busy with another (CrawlerRunningException), waits for it to end first.</summary>
    private async Task<DateTimeOffset> StartAsync(string name, Crawler crawler, CancellationToken cancellationToken)
    {
        var state = crawler.State;
        while (true)
        {
            if (state is not null and not Ready)
            {
                // Another crawl (from the console, a schedule, or another EcomOps) is on: this one would not see the data that
                // crawl is reading any better by failing now, so it starts as soon as the crawler is free.
                logger.LogInformation("Glue crawler {Crawler} is {State}; waiting for it to be READY before starting this crawl", name, state);
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
                state = (await GetCrawlerAsync(name, cancellationToken).ConfigureAwait(false)).State;
                continue;
            }

            var requestedAt = time.GetUtcNow();
            try
            {
                // Not cancellable once sent: a cancel mid-call would leave a crawl running that no run knows of. A cancel that
                // comes now is seen by the first poll, which stops the crawl it can then name.
                await glue.StartCrawlerAsync(new StartCrawlerRequest(name), CancellationToken.None).ConfigureAwait(false);
                return requestedAt;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "CrawlerRunningException")
            {
                state = Running;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "AccessDeniedException")
            {
                throw Denied(e, name);
            }
        }
    }

    /// <summary>Polls the crawler until the crawl started at <paramref name="requestedAt"/> ends; on a user's cancel, stops it.</summary>
    private async Task<CrawlResult> FollowAsync(JobContext context, string name, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        Crawler crawler;
        LastCrawlInfo last;
        try
        {
            (crawler, last) = await WaitForEndAsync(context, name, requestedAt, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !context.IsStopping)
        {
            await StopAsync(name).ConfigureAwait(false);
            throw;
        }

        switch (last.Status)
        {
            case "SUCCEEDED":
                break;
            case "CANCELLED":
                throw new GlueCrawlerException($"Glue crawler '{name}' was stopped outside this run (its crawl started at {last.StartTime:u} ended CANCELLED); crawl again to bring the catalog up to date.");
            default:
                throw new GlueCrawlerException(
                    $"Glue crawler '{name}' failed ({last.Status}): {last.ErrorMessage ?? "no message"}. Its log: CloudWatch log group {last.LogGroup ?? "(none)"}, stream {last.LogStream ?? "(none)"}; fix what it says and crawl again.");
        }

        context.CompleteStep(LocalCrawlerEngine.ScanStep, (long)stopwatch.Elapsed.TotalSeconds);
        return await ReadOutcomeAsync(context, crawler, last, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(Crawler Crawler, LastCrawlInfo Last)> WaitForEndAsync(JobContext context, string name, DateTimeOffset requestedAt, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var notStarted = 0;
        while (true)
        {
            var crawler = await GetCrawlerAsync(name, cancellationToken).ConfigureAwait(false);
            if (crawler.State == Ready)
            {
                if (crawler.LastCrawl is { StartTime: { } started } last && started >= requestedAt - ClockSkew)
                {
                    return (crawler, last);
                }

                // Just after StartCrawler Glue may still show the crawler idle with the crawl before ours.
                if (++notStarted > NotStartedPolls)
                {
                    throw new GlueCrawlerException(
                        $"Glue crawler '{name}' is READY, but its last crawl started at {crawler.LastCrawl?.StartTime:u}, before this run's crawl was started ({requestedAt:u}); the crawl was lost or never ran: check the crawler's history in the Glue console and crawl again.");
                }
            }

            context.Report(LocalCrawlerEngine.ScanStep, (long)stopwatch.Elapsed.TotalSeconds);
            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopAsync(string name)
    {
        try
        {
            // Cancelled already: the stop itself must not be, or the crawler would run on with nobody following it.
            await glue.StopCrawlerAsync(new StopCrawlerRequest(name), CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("Asked Glue crawler {Crawler} to stop, as the run was cancelled", name);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "CrawlerNotRunningException" or "CrawlerStoppingException")
        {
            logger.LogInformation("Glue crawler {Crawler} was not running any more when the run was cancelled ({Code})", name, e.ErrorCode);
        }
        catch (AwsServiceException e)
        {
            logger.LogWarning("Could not stop Glue crawler {Crawler} after a cancel: {Error}; stop it in the Glue console", name, e.Message);
        }
    }

    private static GlueCrawlerException Denied(AwsServiceException e, string name) =>
        new($"{e.Message}. The dashboard's IAM identity may not call {e.Operation} on crawler '{name}': grant it as iam/ecomops-dashboard.json (statement GlueCrawler) does.", e);
}

/// <summary>A Glue crawl that could not run or did not succeed; the message says why and what to do.</summary>
public sealed class GlueCrawlerException : Exception
{
    /// <summary>Creates the exception with what went wrong and what to do.</summary>
    public GlueCrawlerException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
