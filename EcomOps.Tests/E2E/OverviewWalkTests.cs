using System.Globalization;
using EcomOps.Core.Generation;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// The landing page in a browser, as a demo-giver uses it from a fresh start: one click runs the whole chain, and the
/// timeline, the query's chart, the warehouse's rows and the reconciliation all show on the same page.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class OverviewWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private WebApp _app = default!;

    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task RunDemoPipeline_OneClick_EveryStepSucceedsOnTheTimeline_AndTheChartLoadsAndReconciliationShow()
    {
        var page = await _app.OpenAsync("/");
        await Assertions.Expect(page.Locator(".demo")).ToHaveAttributeAsync("data-demo-status", "none");

        await page.Locator("#run-demo").ClickAsync();

        var demo = page.Locator(".demo");
        await Assertions.Expect(demo).ToHaveAttributeAsync("data-demo-status", "Succeeded", WalkSteps.Slow);
        await Assertions.Expect(demo.Locator(".timeline")).ToHaveAttributeAsync("data-steps", "generate:succeeded,convert:succeeded,crawl:succeeded,load:succeeded", WalkSteps.Slow);
        await Assertions.Expect(demo.Locator(".demo-chart .js-plotly-plot")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var transactions = GenerationLimits.DefaultTransactions.ToString(CultureInfo.InvariantCulture);
        await Assertions.Expect(demo.Locator(".demo-loads tr[data-table='public.transactions_data']")).ToHaveAttributeAsync("data-rows", transactions, WalkSteps.Slow);
        await WebAppFixture.ScreenshotAsync(page, "overview-demo");

        // The figures under the demo follow: rows loaded, and every dataset reconciled from raw CSV to warehouse.
        await Assertions.Expect(page.Locator(".reconciliation-row[data-dataset='transactions_data'] .warehouse")).ToHaveAttributeAsync("data-rows", transactions, WalkSteps.Slow);
        await Assertions.Expect(page.Locator(".reconciliation-row[data-reconciled='true']")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".kpi-rows-loaded")).Not.ToHaveAttributeAsync("data-value", "0");

        // One click from a dataset to where its rows came from.
        await page.Locator(".reconciliation-row[data-dataset='transactions_data'] td").First.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator(".lineage .lineage-node[data-kind='Load']")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".lineage .lineage-node[data-kind='ConversionRun']")).Not.ToHaveCountAsync(0);
        await WebAppFixture.ScreenshotAsync(page, "overview-lineage");

        // The demo's run is on the Pipeline page with the same steps.
        await demo.Locator(".demo-run-link").ClickAsync();
        await Assertions.Expect(page.Locator(".run-detail")).ToHaveAttributeAsync("data-status", "Succeeded", WalkSteps.Slow);
        await Assertions.Expect(page.Locator(".run-detail .step-row[data-status='succeeded']")).ToHaveCountAsync(4);
        await WebAppFixture.ScreenshotAsync(page, "pipeline-run");
    }
}
