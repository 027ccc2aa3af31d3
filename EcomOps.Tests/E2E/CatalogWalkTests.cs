using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Catalog page in a browser, on a fresh data root with the sample data: convert it all, crawl it, look at a table.</summary>
[Collection(WebAppCollection.Name)]
[TestCaseOrderer(ConfigurableOrder.TypeName, ConfigurableOrder.AssemblyName)]
public sealed class CatalogWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = WalkSteps.Slow;

    private WebApp _app = default!;

    // Each test starts its own dashboard over its own data root: no test sees another's runs or files.
    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Catalog_RunCrawlerAfterConvertingEverything_ListsTheThreeTables_AndATableShowsItsSchemaAndPartitions()
    {
        var page = await WalkSteps.ConvertAllByMonthAsync(_app);

        await page.Locator(".mud-navmenu").GetByText("Catalog").ClickAsync();
        await Assertions.Expect(page.Locator(".catalog-empty")).ToContainTextAsync("The catalog is empty");
        await page.Locator("#crawl-button").ClickAsync();
        await Assertions.Expect(page.Locator(".crawl-dialog")).ToContainTextAsync("parquet/");
        await WebAppFixture.ScreenshotAsync(page, "catalog-crawl-dialog");
        await page.Locator("#crawl-start").ClickAsync();

        await Assertions.Expect(page.Locator(".crawl-run")).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
        var tables = page.Locator(".catalog-table");
        await Assertions.Expect(tables).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".catalog-table[data-table=transactions_data] .table-rows")).ToHaveTextAsync("10,000");
        await Assertions.Expect(page.Locator(".catalog-table[data-table=transactions_data] .table-partitions")).ToContainTextAsync("by year, month");
        await Assertions.Expect(page.Locator(".crawl-results")).ToContainTextAsync("tables created");
        await Assertions.Expect(page.Locator("#crawl-button")).ToBeEnabledAsync();
        await WebAppFixture.ScreenshotAsync(page, "catalog-crawled");

        await page.Locator(".catalog-table[data-table=transactions_data] .table-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/catalog/ecom/transactions_data$"));
        var view = page.Locator(".catalog-table-view[data-loaded=true]");
        await Assertions.Expect(view.Locator(".schema-column[data-column=amount] .column-type")).ToHaveTextAsync("decimal(10,2)");
        await Assertions.Expect(view.Locator(".schema-column.partition-key")).ToHaveCountAsync(2);
        await WebAppFixture.ScreenshotAsync(page, "catalog-table");

        await view.Locator(".mud-tab", new() { HasText = "Partitions" }).ClickAsync();
        await Assertions.Expect(view.Locator(".partition-row").First).ToContainTextAsync("year=2024/month=");
        await view.Locator(".mud-tab", new() { HasText = "Sample" }).ClickAsync();
        await Assertions.Expect(view.Locator(".lake-preview .preview-table tbody tr").First).ToBeVisibleAsync();
        await WebAppFixture.ScreenshotAsync(page, "catalog-table-sample");

        await page.Locator("#query-button").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/query\\?table=ecom\\.transactions_data$"));
        await QueryEditorSteps.WaitForEditorAsync(page);
        await Assertions.Expect(page.Locator("#query-sql .view-lines")).ToContainTextAsync("FROM ecom.transactions_data");
        await WebAppFixture.ScreenshotAsync(page, "catalog-query");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Catalog_AfterAColumnIsAddedAndATypeChanges_TheCrawlMarksTheTable_AndItsVersionsAreComparedSideBySide()
    {
        WriteDuckDbTable("orders", "SELECT range AS id, 'a' AS note FROM range(10)");
        var page = await _app.OpenAsync("/catalog");
        await CrawlAsync(page);
        await Assertions.Expect(page.Locator(".catalog-table[data-table=orders]")).ToBeVisibleAsync();

        WriteDuckDbTable("orders", "SELECT range::INT AS id, 'a' AS note, 2.5::DOUBLE AS price FROM range(10)");
        await CrawlAsync(page);

        await Assertions.Expect(page.Locator(".catalog-table[data-table=orders] .badge-changed")).ToContainTextAsync("changed by the last crawl");
        await Assertions.Expect(page.Locator(".crawl-results")).ToContainTextAsync("column price added (double)");
        await page.Locator(".catalog-table[data-table=orders] .table-link").ClickAsync();
        var view = page.Locator(".catalog-table-view[data-loaded=true]");
        await view.Locator(".mud-tab", new() { HasText = "Versions (2)" }).ClickAsync();
        await Assertions.Expect(view.Locator(".comparison-row[data-column=price]")).ToHaveAttributeAsync("data-state", "Added");
        await Assertions.Expect(view.Locator(".comparison-row[data-column=id]")).ToHaveAttributeAsync("data-state", "TypeChanged");
        await Assertions.Expect(view.Locator(".comparison-row[data-column=id]")).ToContainTextAsync("type changed");
        await WebAppFixture.ScreenshotAsync(page, "catalog-versions");
        await page.Context.CloseAsync();
    }

    private static async Task CrawlAsync(IPage page)
    {
        // The previous crawl stays on the page until the new one replaces it.
        var before = await page.Locator(".crawl-run").CountAsync() > 0 ? await page.Locator(".crawl-run").GetAttributeAsync("data-run") : null;
        await page.Locator("#crawl-button").ClickAsync();
        await page.Locator("#crawl-start").ClickAsync();
        var run = before is null ? page.Locator(".crawl-run") : page.Locator($".crawl-run:not([data-run='{before}'])");
        await Assertions.Expect(run).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
    }

    // Parquet written by another tool into the dashboard's own lake, as a folder of its own.
    private void WriteDuckDbTable(string folder, string select)
    {
        var path = Directory.CreateDirectory(Path.Combine(_app.DataRoot, "lake", "ecomops-lake", "parquet", folder)).FullName;
        using var duck = new DuckDb();
        duck.Scalar($"COPY ({select}) TO {DuckDb.Literal(Path.Combine(path, "part-0.parquet"))} (FORMAT PARQUET)");
    }
}
