using Bunit;
using EcomOps.Core;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using CatalogPage = EcomOps.Web.Components.Pages.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Catalog page over a real crawl: generated data converted to Parquet and crawled through Core's services.</summary>
public sealed class CatalogPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private readonly DashboardContext _context;
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;
    private InterceptingStore _store = default!;

    // The lake's store the test can make fail replaces Core's: it is registered first, since Core's is a TryAdd.
    public CatalogPageTests()
    {
        _context = new DashboardContext(overrides: services => services.AddSingleton<IObjectStore>(sp =>
            _store = new InterceptingStore(new LocalObjectStore(sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath))));
    }

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private string LakePath => Path.Combine(_context.DataRoot, "lake", "ecomops-lake");

    private ICatalog CatalogReader => _context.Get<ICatalog>();

    [Fact]
    public async Task TableList_AfterACrawl_ShowsTheThreeTables_WithTheirRowCountsAndPartitions()
    {
        await GenerateAndConvertAsync();
        await CrawlAsync(new CrawlOptions());

        var page = _context.Render<CatalogPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".catalog-table").Count));
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], page.FindAll(".catalog-table").Select(r => r.GetAttribute("data-table")));
        Assert.Equal(["20", "200", "2,000"], page.FindAll(".catalog-table .table-rows").Select(c => c.TextContent.Trim()));
        var months = (await CatalogReader.GetPartitionsAsync("ecom", "transactions_data")).Count;
        Assert.Equal($"{months} by year, month", page.Find(".catalog-table[data-table=transactions_data] .table-partitions").TextContent.Trim());
        Assert.Empty(page.FindAll(".badge-changed, .badge-pending, .badge-deprecated"));
    }

    [Fact]
    public async Task TableView_OfTransactions_ShowsAthenaTypes_ThePartitionKeys_ThePartitions_AndASample()
    {
        await GenerateAndConvertAsync();
        await CrawlAsync(new CrawlOptions());

        var page = RenderTable("ecom", "transactions_data");

        var types = page.FindAll(".schema-column").ToDictionary(r => r.GetAttribute("data-column")!, r => r.QuerySelector(".column-type")!.TextContent.Trim());
        Assert.Equal("decimal(10,2)", types["amount"]);
        Assert.Equal("timestamp", types["timestamp"]);
        Assert.Equal("bigint", types["transactionid"]);
        Assert.Equal(["year", "month"], page.FindAll(".schema-column.partition-key").Select(r => r.GetAttribute("data-column")));
        Assert.Contains("Amount", page.Find(".schema-column[data-column=amount]").TextContent);
        Assert.Contains("2,000", page.Find(".table-properties .table-rows").TextContent);
        Assert.Contains("parquet/transactions_data/", page.Find(".table-properties").TextContent);

        var partitions = await CatalogReader.GetPartitionsAsync("ecom", "transactions_data");
        var rows = page.FindAll(".partition-row");
        Assert.Equal(partitions.Count, rows.Count);
        Assert.Equal(
            partitions.Select(p => $"year={p.Values[0]}/month={p.Values[1]}"),
            rows.Select(r => r.QuerySelector("td")!.TextContent.Trim()));
        Assert.StartsWith("year=2024/month=", rows[0].TextContent.Trim());
        Assert.Equal(Format(partitions[0].RecordCount), rows[0].QuerySelectorAll("td")[1].TextContent.Trim());
        Assert.Contains(page.FindAll(".mud-tab"), t => t.TextContent.Contains($"Partitions ({partitions.Count})", StringComparison.Ordinal));

        // A sample of 20 rows even when the first month holds fewer: the next partitions' files make up the rest.
        Assert.True(partitions[0].RecordCount < 20, "the sample data's first month is small, which this test relies on");
        page.WaitForAssertion(() => Assert.Equal(20, page.FindAll(".lake-preview .preview-table tbody tr").Count), Slow);
        Assert.Contains("Amount", page.Find(".lake-preview .preview-table thead").TextContent);
    }

    [Fact]
    public async Task Versions_AfterAnAddedColumnAndAChangedType_AreComparedSideBySide_WithBothHighlighted()
    {
        WriteDuckDbTable("orders", "SELECT range AS id, 'a' AS note FROM range(10)");
        await CrawlAsync(new CrawlOptions());
        WriteDuckDbTable("orders", "SELECT range::INT AS id, 'a' AS note, 2.5::DOUBLE AS price FROM range(10)");
        await CrawlAsync(new CrawlOptions());

        var list = _context.Render<CatalogPage>();
        list.WaitForAssertion(() => Assert.Contains("changed by the last crawl", list.Find(".catalog-table[data-table=orders] .badge-changed").TextContent));
        list.Dispose();

        var page = RenderTable("ecom", "orders");

        Assert.Equal(["2", "1"], page.FindAll(".version-row").Select(r => r.GetAttribute("data-version")));
        var latest = page.Find(".version-row[data-version='2']").TextContent;
        Assert.Contains("column price added (double)", latest);
        Assert.Contains("column id: bigint → int", latest);

        // Previous against latest, unless the user picks others.
        var comparison = page.Find(".comparison-table");
        Assert.Contains("version 1", comparison.QuerySelector("thead")!.TextContent);
        Assert.Equal(
            [("id", "TypeChanged"), ("note", "Same"), ("price", "Added")],
            page.FindAll(".comparison-row").Select(r => (r.GetAttribute("data-column")!, r.GetAttribute("data-state")!)));
        var id = page.Find(".comparison-row[data-column=id]");
        Assert.Contains("column-type-changed", id.ClassList);
        Assert.Equal(["id", "bigint", "int", "type changed"], id.QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        var price = page.Find(".comparison-row[data-column=price]");
        Assert.Contains("column-added", price.ClassList);
        Assert.Equal(["price", "—", "double", "added"], price.QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.DoesNotContain("column-", string.Join(' ', page.Find(".comparison-row[data-column=note]").ClassList));

        // The same version on both sides: nothing differs.
        var left = page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Class!.Contains("compare-left", StringComparison.Ordinal));
        await page.InvokeAsync(() => left.Instance.ValueChanged.InvokeAsync(2));
        page.WaitForAssertion(() => Assert.All(page.FindAll(".comparison-row"), r => Assert.Equal("Same", r.GetAttribute("data-state"))));
    }

    [Fact]
    public async Task UnderTheLogPolicy_AChangeIsShownAsNotApplied_WithWhatChanged()
    {
        WriteDuckDbTable("orders", "SELECT range AS id FROM range(10)");
        await CrawlAsync(new CrawlOptions());
        WriteDuckDbTable("orders", "SELECT range AS id, 'x' AS note FROM range(10)");
        await CrawlAsync(new CrawlOptions(OnChange: SchemaChangePolicy.Log));

        var page = _context.Render<CatalogPage>();

        page.WaitForAssertion(() => Assert.Contains("change not applied", page.Find(".catalog-table[data-table=orders] .badge-pending").TextContent));
        page.Dispose();
        var view = RenderTable("ecom", "orders");
        Assert.Contains("column note added (string)", view.Find(".pending-change").TextContent);
    }

    [Fact]
    public async Task ATableWhoseFolderIsGone_IsListedAsDeprecated_AndTablesOfAnotherDatabaseAreOneClickAway()
    {
        WriteDuckDbTable("orders", "SELECT range AS id FROM range(10)");
        WriteDuckDbTable("returns", "SELECT range AS id FROM range(5)");
        await CrawlAsync(new CrawlOptions());
        await CrawlAsync(new CrawlOptions(Database: "archive"));
        Directory.Delete(Path.Combine(LakePath, "parquet", "returns"), recursive: true);
        await CrawlAsync(new CrawlOptions());

        var page = _context.Render<CatalogPage>();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll(".catalog-table").Count));
        Assert.Contains("deprecated", page.Find(".catalog-table[data-database=ecom][data-table=returns] .badge-deprecated").TextContent);
        Assert.Empty(page.FindAll(".catalog-table[data-database=archive] .badge-deprecated"));

        page.FindAll(".catalog-databases .mud-chip").Single(c => c.TextContent.Trim() == "archive").Click();

        page.WaitForAssertion(() => Assert.Equal(["archive", "archive"], page.FindAll(".catalog-table").Select(r => r.GetAttribute("data-database"))));
    }

    [Fact]
    public void ADeepLinkToATableTheCatalogDoesNotHave_SaysSo()
    {
        var page = _context.Render<CatalogPage>(p => p.Add(c => c.Database, "ecom").Add(c => c.Table, "nope"));

        page.WaitForAssertion(() => Assert.Contains("The catalog has no table ecom.nope", page.Find(".table-not-found").TextContent));
    }

    [Fact]
    public async Task QueryThisTable_LinksToTheQueryPage_WithTheTable()
    {
        await GenerateAndConvertAsync();
        await CrawlAsync(new CrawlOptions());
        var page = RenderTable("ecom", "transactions_data");

        Assert.EndsWith("/query?table=ecom.transactions_data", page.Find("#query-button").GetAttribute("href"));
    }

    [Fact]
    public async Task RunCrawler_OnAnEmptyCatalog_StartsACrawl_ShowsWhatItDid_AndListsTheTables()
    {
        await GenerateAndConvertAsync();
        var page = _context.Render<CatalogPage>();
        page.WaitForAssertion(() => Assert.Contains("The catalog is empty", page.Find(".catalog-empty").TextContent));

        page.Find("#crawl-button").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("#crawl-start").Click());

        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find(".crawl-run").GetAttribute("data-status")), Slow);
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".catalog-table").Count));
        var results = page.FindAll(".crawl-results .job-result").ToDictionary(r => r.Children[0].TextContent.Trim(), r => r.Children[1].TextContent.Trim());
        Assert.Equal("3", results["tables created"]);
        Assert.StartsWith("created, 2,000 rows", results["table transactions_data"]);
        Assert.Contains("/ 3 tables", page.Find(".job-step[data-step=catalog]").TextContent);
        Assert.Contains("files", page.Find(".job-step[data-step=scan]").TextContent);
        Assert.Empty(page.FindAll(".catalog-empty"));

        var run = Assert.Single(await _context.Get<IJobRunner>().ListAsync(new JobRunFilter(Kind: JobKinds.Crawl)));
        Assert.Equal((TestCallers.ProcessUser, "parquet/", "update", "deprecate", "ecom"), (run.StartedBy, run.Parameters["include paths"], run.Parameters["on change"], run.Parameters["on delete"], run.Parameters["database"]));
    }

    [Fact]
    public void RunCrawler_WithNoIncludePath_SaysSo_AndStartsNothing()
    {
        var page = _context.Render<CatalogPage>();
        page.WaitForAssertion(() => page.Find(".catalog-empty"));
        page.Find("#crawl-button").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find(".include-parquet input"));

        _dialogs.Find(".include-parquet input").Change(false);
        _dialogs.WaitForAssertion(() => _dialogs.Find("#crawl-start").Click());

        _dialogs.WaitForAssertion(() => Assert.Contains("Pick at least one include path", _dialogs.Find(".crawl-error").TextContent));
        Assert.Empty(page.FindAll(".crawl-run"));
    }

    [Fact]
    public async Task ACrawlRunningWhenThePageOpens_IsShown_AndTheListFollowsItsEnd()
    {
        await GenerateAndConvertAsync();
        using var footers = new ManualResetEventSlim();
        _ = _context.Get<IObjectStore>();

        // The crawl reads no footer until the page is open: it is still running then, as a CLI crawl can be.
        _store.FailRead = (key, _) =>
        {
            if (key.EndsWith(".parquet", StringComparison.Ordinal))
            {
                footers.Wait(Slow);
            }

            return null;
        };
        var started = _context.Get<ICatalogService>().StartCrawl(new CrawlOptions());

        var page = _context.Render<CatalogPage>();

        page.WaitForAssertion(() => Assert.Equal(started.Id.ToString(), page.Find(".crawl-run").GetAttribute("data-run")));
        Assert.NotEqual("Succeeded", page.Find(".crawl-run").GetAttribute("data-status"));
        Assert.NotEmpty(page.FindAll(".catalog-empty"));
        footers.Set();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".catalog-table").Count), Slow);
        Assert.Equal("Succeeded", page.Find(".crawl-run").GetAttribute("data-status"));
        Assert.Contains($"by {TestCallers.ProcessUser}", page.Find(".crawl-run .job-panel").TextContent);
    }

    [Fact]
    public async Task JobsPage_RunDetails_ShowTheCrawlsResults()
    {
        await GenerateAndConvertAsync();
        await CrawlAsync(new CrawlOptions());
        var jobs = _context.Render<EcomOps.Web.Components.Pages.Jobs>();
        jobs.WaitForAssertion(() => Assert.Equal(4, jobs.FindAll(".job-row").Count));

        jobs.FindAll(".job-row").Single(r => r.TextContent.Contains("Crawl parquet/", StringComparison.Ordinal)).Click();

        jobs.WaitForAssertion(() => Assert.Contains("tables created", jobs.Find(".job-detail .detail-results").TextContent));
        Assert.Contains("table customer_data", jobs.Find(".job-detail .detail-results").TextContent);
    }

    private static string Format(long count) => count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private IRenderedComponent<CatalogPage> RenderTable(string database, string table)
    {
        var page = _context.Render<CatalogPage>(p => p.Add(c => c.Database, database).Add(c => c.Table, table));
        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".catalog-table-view").GetAttribute("data-loaded")));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".schema-column")));
        return page;
    }

    private void WriteDuckDbTable(string folder, string select)
    {
        var path = Directory.CreateDirectory(Path.Combine(LakePath, "parquet", folder)).FullName;
        using var duck = new DuckDb();
        duck.Scalar($"COPY ({select}) TO {DuckDb.Literal(Path.Combine(path, "part-0.parquet"))} (FORMAT PARQUET)");
    }

    private async Task GenerateAndConvertAsync()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, 2_000));
        await _context.Services.ConvertAllAsync();
    }

    private async Task CrawlAsync(CrawlOptions options) =>
        Assert.Equal(JobStatus.Succeeded, (await _context.Services.CrawlAsync(options)).Status);
}
