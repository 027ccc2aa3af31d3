using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Query page in a browser, on a fresh data root with the sample data: convert it all, crawl it, run SQL.</summary>
[Collection(WebAppCollection.Name)]
[TestCaseOrderer(ConfigurableOrder.TypeName, ConfigurableOrder.AssemblyName)]
public sealed class QueryWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = WalkSteps.Slow;

    private WebApp _app = default!;

    // Each test starts its own dashboard over its own data root: no test sees another's runs or files.
    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Query_AfterConvertingAndCrawling_RunningSqlInTheEditor_ShowsTheRowsAndStatistics()
    {
        var page = await WalkSteps.ConvertAllByMonthAsync(_app);
        await WalkSteps.CrawlFromTheCatalogPageAsync(page);

        await page.Locator(".mud-navmenu").GetByText("Query").ClickAsync();
        var editor = page.Locator("#query-sql");
        await editor.FillAsync("SELECT country, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY country ORDER BY revenue DESC LIMIT 10");
        await page.Locator("#run-query").ClickAsync();

        await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "10", Slow);
        await Assertions.Expect(page.Locator(".query-grid tbody tr.query-row")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator(".query-stats .stat-engine")).ToContainTextAsync("DuckDB");
        await Assertions.Expect(page.Locator(".query-chart")).ToHaveAttributeAsync("data-kind", "bar");
        await Assertions.Expect(page.Locator(".query-chart .js-plotly-plot")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await WebAppFixture.ScreenshotAsync(page, "query-results");

        // Ctrl+Enter runs the editor's SQL too; a refusal is shown with its reason.
        await editor.FillAsync("DROP TABLE ecom.customer_data");
        await editor.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator(".query-error")).ToHaveAttributeAsync("data-kind", "refused", Slow);
        await WebAppFixture.ScreenshotAsync(page, "query-refused");

        // The builder: pick a table, and its SQL and scan estimate show; Run runs it.
        await page.Locator(".query-tabs .mud-tab", new() { HasText = "Builder" }).ClickAsync();
        await page.Locator(".builder-table").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "ecom.transactions_data" }).ClickAsync();
        await Assertions.Expect(page.Locator(".builder-sql")).ToContainTextAsync("transactions_data");
        await Assertions.Expect(page.Locator(".builder-estimate")).ToContainTextAsync("Scans ~");
        await page.Locator("#builder-run").ClickAsync();
        await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "100", Slow);
        await WebAppFixture.ScreenshotAsync(page, "query-builder");

        await page.Locator(".query-side .mud-tab", new() { HasText = "History" }).ClickAsync();
        await Assertions.Expect(page.Locator(".history-entry").First).ToHaveAttributeAsync("data-status", "Succeeded");
        await Assertions.Expect(page.Locator(".history-entry").Nth(1)).ToHaveAttributeAsync("data-status", "Refused");
        await WebAppFixture.ScreenshotAsync(page, "query-history");
        await page.Context.CloseAsync();
    }
}
