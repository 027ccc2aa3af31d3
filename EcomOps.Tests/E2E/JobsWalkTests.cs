using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Jobs page in a browser, on a fresh data root with the sample data: convert everything to Parquet, watch it succeed, look back.</summary>
[Collection(WebAppCollection.Name)]
[TestCaseOrderer(ConfigurableOrder.TypeName, ConfigurableOrder.AssemblyName)]
public sealed class JobsWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = 90_000 };

    private WebApp _app = default!;

    // Each test starts its own dashboard over its own data root: no test sees another's runs or files.
    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Jobs_ConvertAll_ProgressReachesSucceeded_AndTheRunIsInTheHistory()
    {
        var page = await _app.OpenAsync("/jobs");

        await page.Locator("#convert-button").ClickAsync();
        await page.Locator("#convert-start").ClickAsync();

        var converts = page.Locator(".job-row", new() { HasText = "to Parquet" });
        await Assertions.Expect(converts).ToHaveCountAsync(3);
        foreach (var dataset in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            var row = page.Locator(".job-row", new() { HasText = $"Convert {dataset} to Parquet" }).First;
            await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
        }

        await Assertions.Expect(page.Locator(".active-run")).ToHaveCountAsync(0);
        await WebAppFixture.ScreenshotAsync(page, "jobs-converted");

        await page.Locator(".job-row", new() { HasText = "Convert transactions_data to Parquet" }).First.ClickAsync();
        var detail = page.Locator(".job-detail");
        await Assertions.Expect(detail.Locator(".detail-parameters")).ToContainTextAsync("snappy");
        await Assertions.Expect(detail.Locator(".detail-outputs")).ToContainTextAsync("parquet/transactions_data/");
        await WebAppFixture.ScreenshotAsync(page, "jobs-detail");
        await page.Context.CloseAsync();

        // The Lake page shows the committed Parquet.
        var lake = await _app.OpenAsync("/lake?prefix=parquet/transactions_data/");
        await Assertions.Expect(lake.Locator(".lake-object[data-key='parquet/transactions_data/_SUCCESS']")).ToBeVisibleAsync();
        await lake.Context.CloseAsync();
    }
}
