using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Query page in a browser, on a fresh data root with the sample data: convert it all, crawl it, build and run queries.</summary>
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
    public async Task Query_RevenueByCountryInTheBuilder_DrawsABarChart_TheMonacoEditorRunsWithCtrlEnter_AndTabsSurviveAReload()
    {
        var page = await WalkSteps.ConvertAllByMonthAsync(_app);
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        await WalkSteps.CrawlFromTheCatalogPageAsync(page);
        await page.Locator(".mud-navmenu").GetByText("Query").ClickAsync();
        await QueryEditorSteps.WaitForEditorAsync(page);

        // The builder: revenue by country, its SQL and scan estimate before it runs, then a bar chart of the result.
        await page.Locator(".query-tabs .mud-tab", new() { HasText = "Builder" }).ClickAsync();
        await PickAsync(page, ".builder-table", "ecom.transactions_data");
        await page.Locator(".add-group").ClickAsync();
        await PickAsync(page, ".group-column", "country");
        await page.Locator(".add-aggregate").ClickAsync();
        await PickAsync(page, ".aggregate-function", "sum");
        await PickAsync(page, ".aggregate-column", "amount");
        await Assertions.Expect(page.Locator(".builder-sql")).ToContainTextAsync("GROUP BY");
        await Assertions.Expect(page.Locator(".builder-estimate")).ToContainTextAsync("Scans ~");
        await page.Locator("#builder-run").ClickAsync();
        await Assertions.Expect(page.Locator(".query-chart")).ToHaveAttributeAsync("data-kind", "bar", Slow);
        await Assertions.Expect(page.Locator(".query-stats .stat-scanned")).ToContainTextAsync("scanned");
        await Assertions.Expect(page.Locator(".query-chart .js-plotly-plot svg .barlayer .point path").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await WebAppFixture.ScreenshotAsync(page, "query-builder-chart");

        // The SQL editor: catalog names complete, Ctrl+Enter runs, a refusal shows its reason.
        await page.Locator(".query-tabs .mud-tab", new() { HasText = "SQL" }).ClickAsync();
        await QueryEditorSteps.ReplaceSqlAsync(page, "SELECT * FROM ");
        await page.Keyboard.TypeAsync("ecom.");
        await Assertions.Expect(page.Locator(".monaco-editor .suggest-widget")).ToContainTextAsync("transactions_data");
        await page.Keyboard.PressAsync("Escape");
        await QueryEditorSteps.ReplaceSqlAsync(page, "SELECT country, count(*) AS customers FROM ecom.customer_data GROUP BY country ORDER BY customers DESC, country LIMIT 5");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "5", Slow);
        await Assertions.Expect(page.Locator(".query-grid tbody tr.query-row")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".query-stats .stat-engine")).ToContainTextAsync("DuckDB");
        await WebAppFixture.ScreenshotAsync(page, "query-results");

        await QueryEditorSteps.ReplaceSqlAsync(page, "DROP TABLE ecom.customer_data");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator(".query-error")).ToHaveAttributeAsync("data-kind", "refused", Slow);

        // A second tab, renamed, with its own SQL; after a reload both tabs and their SQL are back.
        await page.Locator(".editor-tab-add").ClickAsync();
        await page.Locator(".editor-tab-rename-start").ClickAsync();
        await page.Locator(".editor-tab-rename input").FillAsync("Answer");
        await page.Locator(".editor-tab-rename input").PressAsync("Enter");
        await Assertions.Expect(page.Locator(".editor-tab[data-active=true]")).ToHaveAttributeAsync("data-title", "Answer");
        await QueryEditorSteps.ReplaceSqlAsync(page, "SELECT 42 AS answer");
        await page.Locator("#run-query").ClickAsync();
        await Assertions.Expect(page.Locator(".query-grid tbody tr.query-row td").First).ToHaveTextAsync("42", new() { Timeout = 90_000 });

        await page.ReloadAsync();
        await WebAppFixture.WaitForInteractiveAsync(page);
        await QueryEditorSteps.WaitForEditorAsync(page);
        await Assertions.Expect(page.Locator(".editor-tab")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".editor-tab[data-active=true]")).ToHaveAttributeAsync("data-title", "Answer");
        await Assertions.Expect(page.Locator("#query-sql .view-lines")).ToContainTextAsync("SELECT 42 AS answer");
        await page.Locator(".editor-tab:not([data-active=true]) .editor-tab-select").ClickAsync();
        await Assertions.Expect(page.Locator("#query-sql .view-lines")).ToContainTextAsync("DROP TABLE ecom.customer_data");
        await WebAppFixture.ScreenshotAsync(page, "query-tabs");

        await page.Locator(".query-side .mud-tab", new() { HasText = "History" }).ClickAsync();
        await Assertions.Expect(page.Locator(".history-entry").First).ToHaveAttributeAsync("data-status", "Succeeded");
        await Assertions.Expect(page.Locator(".history-entry").Nth(1)).ToHaveAttributeAsync("data-status", "Refused");
        Assert.Empty(consoleErrors);
        await page.Context.CloseAsync();
    }

    private static async Task PickAsync(IPage page, string select, string item)
    {
        await page.Locator(select).Last.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText(item, new() { Exact = true }).ClickAsync();
    }
}
