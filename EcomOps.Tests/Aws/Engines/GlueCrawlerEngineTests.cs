using System.Text.Json;
using EcomOps.Core.Security;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>What only the Glue crawler engine and catalog reader do: the wire, paging, re-attaching, stopping, Glue's errors.</summary>
[Collection(S3rverCollection.Name)]
public sealed class GlueCrawlerEngineTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private GlueCatalogLab _lab = null!;

    private IServiceProvider Services => _lab.Host.Services;

    public async Task InitializeAsync()
    {
        _lab = await GlueCatalogLab.StartAsync(s3rver);
        await PutParquetAsync("orders", "SELECT range AS id, 'a' AS note FROM range(10)");
        await PutParquetAsync("returns", "SELECT range AS id FROM range(5)");
        await PutParquetAsync("events/day=1", "SELECT range AS id FROM range(3)");
        await PutParquetAsync("events/day=2", "SELECT range AS id FROM range(4)");
    }

    public Task DisposeAsync()
    {
        _lab.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheAwsBackend_CrawlsWithGlue_AndEveryRequestIsOneTheModelAccepts_WithPagesFollowed()
    {
        _lab.StandIn.PageSize = 1;

        var run = await Services.CrawlAsync();
        var tables = await Services.GetRequiredService<ICatalog>().ListTablesAsync();
        var partitions = await Services.GetRequiredService<ICatalog>().GetPartitionsAsync("ecom", "events");

        Assert.IsType<GlueCrawlerEngine>(Services.GetRequiredService<ICrawlerEngine>());
        Assert.IsType<GlueDataCatalog>(Assert.IsType<CheckedCatalog>(Services.GetRequiredService<ICatalog>()).Inner);
        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal(["events", "orders", "returns"], tables.Select(t => t.Name));
        Assert.Equal(["1", "2"], partitions.Select(p => p.Values[0]));
        Assert.Empty(_lab.StandIn.Problems);
        var operations = _lab.StandIn.Operations;
        Assert.Equal(1, operations.Count(o => o == "StartCrawler"));
        Assert.Contains("GetCrawlerMetrics", operations);
        // Three tables a page each: the list took three GetTables calls, the later ones with the token the one before gave.
        var listing = _lab.StandIn.Endpoint.Requests.Where(r => r.Header("X-Amz-Target") == "AWSGlue.GetTables").TakeLast(3).ToList();
        Assert.Equal([null, "page:1", "page:2"], listing.Select(r => JsonDocument.Parse(r.Body).RootElement.TryGetProperty("NextToken", out var t) ? t.GetString() : null));
        Assert.Equal("glue", run.Parameters!["engine"]);
    }

    [Fact]
    public async Task ARunningCrawl_RecordsTheCrawlerAndStartAsItsExternalId_AndAfterARestartIsFollowedToItsEnd_NotStopped()
    {
        _lab.StandIn.Hold();
        var run = Services.GetRequiredService<ICatalogService>().StartCrawl(new CrawlOptions());
        var recorded = await ExternalIdAsync(run.Id);

        _lab.Restart();
        Assert.Equal("RUNNING", _lab.StandIn.State);
        Assert.DoesNotContain("StopCrawler", _lab.StandIn.Operations);
        await Services.GetRequiredService<JobRunner>().InitializeAsync();
        _lab.StandIn.Release();
        var done = await Services.GetRequiredService<IJobRunner>().WaitAsync(run.Id);

        Assert.StartsWith(GlueCatalogStandIn.CrawlerName + "@", recorded, StringComparison.Ordinal);
        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status}: {done.Error}");
        Assert.Equal(recorded, done.ExternalId);
        Assert.Equal("3", done.Results!.Single(r => r.Name == "tables created").Value);
        Assert.Equal(1, _lab.StandIn.Operations.Count(o => o == "StartCrawler"));
    }

    [Fact]
    public async Task CancellingACrawl_StopsTheCrawler_AndLeavesTheCatalogAsItWas()
    {
        _lab.StandIn.Hold();
        var run = Services.GetRequiredService<ICatalogService>().StartCrawl(new CrawlOptions());
        await ExternalIdAsync(run.Id);

        await Services.GetRequiredService<IJobRunner>().CancelAsync(run.Id);
        var done = await Services.GetRequiredService<IJobRunner>().WaitAsync(run.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Contains("StopCrawler", _lab.StandIn.Operations);
        await Eventually.UntilAsync(() => Task.FromResult(_lab.StandIn.State == "READY"));
        Assert.Empty(await _lab.StandIn.Catalog.ListTablesAsync());
        Assert.Empty(_lab.StandIn.Problems);
    }

    [Fact]
    public async Task AccessDenied_FailsTheRun_WithTheCodeTheRequestIdAndThePolicyToFix()
    {
        _lab.StandIn.Override = (operation, _) => operation == "StartCrawler"
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/dash/x is not authorized to perform: glue:StartCrawler", "req-denied-7")
            : null;

        var run = await Services.CrawlAsync();

        Assert.Equal(JobStatus.Failed, run.Status);
        Assert.Contains("AccessDeniedException", run.Error, StringComparison.Ordinal);
        Assert.Contains("req-denied-7", run.Error, StringComparison.Ordinal);
        Assert.Contains("iam/ecomops-dashboard.json", run.Error, StringComparison.Ordinal);
        Assert.Contains("ecomops-parquet", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACrawlerAlreadyRunning_IsWaitedFor_ThenThisCrawlStarts()
    {
        var busy = 0;
        _lab.StandIn.Override = (operation, _) => operation == "StartCrawler" && Interlocked.Increment(ref busy) == 1
            ? LoopbackAnswer.Error(400, "CrawlerRunningException", "Crawler with name ecomops-parquet has already started", "req-busy")
            : null;

        var run = await Services.CrawlAsync();

        Assert.True(run.Status == JobStatus.Succeeded, $"{run.Status}: {run.Error}");
        Assert.Equal(2, _lab.StandIn.Operations.Count(o => o == "StartCrawler"));
        Assert.Equal("3", run.Results!.Single(r => r.Name == "tables created").Value);
    }

    [Fact]
    public async Task AFailedCrawl_FailsTheRun_WithGluesMessageAndWhereItsLogIs()
    {
        _lab.StandIn.Override = (operation, number) => operation == "GetCrawler" && _lab.StandIn.Operations.Contains("StartCrawler")
            ? LoopbackAnswer.Json(FailedCrawl(), $"req-{number}")
            : null;

        var run = await Services.CrawlAsync();

        Assert.Equal(JobStatus.Failed, run.Status);
        Assert.Contains("Internal Service Exception", run.Error, StringComparison.Ordinal);
        Assert.Contains("/aws-glue/crawlers", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("include", "include paths raw/")]
    [InlineData("exclusions", "exclusions **/tmp/**")]
    [InlineData("delete", "on delete delete")]
    [InlineData("change", "on change log")]
    public async Task CrawlOptionsTheCrawlerSetsItself_AreRefused_NamingTheOption_AndNothingIsStarted(string option, string named)
    {
        var options = option switch
        {
            "include" => new CrawlOptions(IncludePaths: ["raw/"]),
            "exclusions" => new CrawlOptions(Exclusions: ["**/tmp/**"]),
            "delete" => new CrawlOptions(OnDelete: DeletePolicy.Delete),
            _ => new CrawlOptions(OnChange: SchemaChangePolicy.Log),
        };

        var run = await Services.CrawlAsync(options);

        Assert.Equal(JobStatus.Failed, run.Status);
        Assert.Contains(named, run.Error, StringComparison.Ordinal);
        Assert.Contains("infra/ecomops.yaml", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("StartCrawler", _lab.StandIn.Operations);
    }

    [Fact]
    public async Task OptionsTheCrawlerHonoursAnyway_AreAccepted()
    {
        var run = await Services.CrawlAsync(new CrawlOptions(IncludePaths: ["parquet"], Exclusions: ["**/_SUCCESS"]));

        Assert.True(run.Status == JobStatus.Succeeded, $"{run.Status}: {run.Error}");
    }

    [Fact]
    public async Task TheCatalog_ReadsGluesLocationsAndFormats_AndSeesACrawlAtOnce_ThoughItCachesTheTableList()
    {
        var catalog = Services.GetRequiredService<ICatalog>();
        Assert.Empty(await catalog.ListTablesAsync());
        Assert.Empty(await catalog.ListDatabasesAsync());

        await Services.CrawlAsync();

        // The list read (and kept) before the crawl is not what is answered after it.
        var tables = await catalog.ListTablesAsync();
        Assert.Equal(["events", "orders", "returns"], tables.Select(t => t.Name));
        var orders = tables.Single(t => t.Name == "orders");
        Assert.Equal(("parquet/orders/", "parquet", 10L, 1L), (orders.Location, orders.Classification, orders.RecordCount, orders.ObjectCount));
        Assert.Equal(["ecom"], await catalog.ListDatabasesAsync());
        var requests = _lab.StandIn.Endpoint.Requests.Count;
        Assert.Equal(orders, await catalog.GetTableAsync("ecom", "ORDERS"));
        Assert.Equal(requests, _lab.StandIn.Endpoint.Requests.Count);
    }

    private static string FailedCrawl() => new System.Text.Json.Nodes.JsonObject
    {
        ["Crawler"] = new System.Text.Json.Nodes.JsonObject
        {
            ["Name"] = GlueCatalogStandIn.CrawlerName,
            ["DatabaseName"] = GlueCatalogStandIn.Database,
            ["State"] = "READY",
            ["LastCrawl"] = new System.Text.Json.Nodes.JsonObject
            {
                ["Status"] = "FAILED",
                ["ErrorMessage"] = "Internal Service Exception",
                ["LogGroup"] = "/aws-glue/crawlers",
                ["LogStream"] = GlueCatalogStandIn.CrawlerName,
                ["StartTime"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1,
            },
        },
    }.ToJsonString();

    private async Task<string> ExternalIdAsync(Guid run)
    {
        string? id = null;
        await Eventually.UntilAsync(async () => (id = (await Services.GetRequiredService<IJobRunner>().GetAsync(run))?.ExternalId) is not null);
        return id!;
    }

    private async Task PutParquetAsync(string folder, string select)
    {
        using var scratch = new TempDirectory();
        var path = Path.Combine(scratch.Path, "part-0.parquet");
        using (var duck = new DuckDb())
        {
            duck.Scalar($"COPY ({select}) TO {DuckDb.Literal(path)} (FORMAT PARQUET)");
        }

        var lake = _lab.Host.Get<IObjectStore>();
        await using var read = File.OpenRead(path);
        await using var write = await lake.OpenWriteAsync($"parquet/{folder}/part-0.parquet");
        await read.CopyToAsync(write.Stream);
        await write.CommitAsync();
    }
}
