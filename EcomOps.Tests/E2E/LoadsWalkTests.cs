using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Loads page in a browser, on a fresh data root with the sample data: a New load checked with NOLOAD, loaded, then found in the history.</summary>
[Collection(WebAppCollection.Name)]
public sealed class LoadsWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private WebApp _app = default!;

    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Loads_NewLoadOfTheSampleTransactions_ChecksWithNoLoad_Loads_AndTheHistoryShowsEveryDataLine()
    {
        // The sample CSV as the lake holds it: every line after the header is a row to load.
        var csv = Path.Combine(_app.DataRoot, "lake", "ecomops-lake", "raw", "transactions_data", "transactions_data.csv");
        var dataLines = File.ReadLines(csv).Skip(1).Count(l => l.Length > 0);
        var page = await _app.OpenAsync("/loads");
        await Assertions.Expect(page.Locator(".loads-empty")).ToContainTextAsync("No loads yet");

        await page.Locator("#new-load-button").ClickAsync();
        var dialog = page.Locator(".load-dialog");
        await dialog.Locator(".prefix-folder[data-prefix='raw/']").ClickAsync();
        await dialog.Locator(".prefix-folder[data-prefix='raw/transactions_data/']").ClickAsync();
        await Assertions.Expect(dialog.Locator(".load-source")).ToHaveTextAsync("s3://ecomops-lake/raw/transactions_data/");
        await dialog.Locator(".load-table").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("transactions_data", new() { Exact = true }).ClickAsync();
        await dialog.Locator(".format-csv").ClickAsync();
        await Assertions.Expect(dialog.Locator(".load-header input")).ToBeCheckedAsync();
        var copy = dialog.Locator(".generated-copy");
        await Assertions.Expect(copy).ToContainTextAsync("COPY transactions_data");
        await Assertions.Expect(copy).ToContainTextAsync("FORMAT AS CSV");
        await Assertions.Expect(copy).ToContainTextAsync("IGNOREHEADER 1");

        await dialog.Locator("#load-check").ClickAsync();
        await Assertions.Expect(dialog.Locator(".check-run")).ToHaveAttributeAsync("data-status", "Succeeded", WalkSteps.Slow);
        await Assertions.Expect(dialog.Locator(".check-run")).ToContainTextAsync("NOLOAD");
        await WebAppFixture.ScreenshotAsync(page, "loads-noload-check");

        await dialog.Locator("#load-start").ClickAsync();
        await Assertions.Expect(dialog.Locator(".load-run")).ToHaveAttributeAsync("data-status", "Succeeded", WalkSteps.Slow);
        await Assertions.Expect(dialog.Locator(".load-results")).ToContainTextAsync(dataLines.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await WebAppFixture.ScreenshotAsync(page, "loads-loaded");

        // The load is in the history behind the dialog, with every data line loaded.
        await dialog.Locator("#load-open").ClickAsync();
        var loaded = page.Locator($".load-row[data-rows='{dataLines}']");
        await Assertions.Expect(loaded).ToHaveCountAsync(1);
        await Assertions.Expect(loaded).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(loaded).ToContainTextAsync("s3://ecomops-lake/raw/transactions_data/");

        var detail = page.Locator(".load-detail");
        await Assertions.Expect(detail).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(detail.Locator(".detail-rows")).ToHaveTextAsync(dataLines.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(detail.Locator(".load-copy")).ToContainTextAsync("IGNOREHEADER 1");
        await Assertions.Expect(detail.Locator(".no-load-errors")).ToBeVisibleAsync();
        await WebAppFixture.ScreenshotAsync(page, "loads-detail");

        // Opened afresh at its address, the detail reads the same load.
        var queryId = await loaded.GetAttributeAsync("data-query-id");
        await page.Context.CloseAsync();
        var direct = await _app.OpenAsync($"/loads/{queryId}");
        await Assertions.Expect(direct.Locator(".load-detail .detail-rows")).ToHaveTextAsync(dataLines.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await direct.Context.CloseAsync();
    }
}
