using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>Steps several browser walks take on the way to what they test, done as a user does them.</summary>
internal static class WalkSteps
{
    public static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = 90_000 };

    /// <summary>
    /// Chooses a file in a Blazor file input once Blazor listens to it: the input is in the page a moment before
    /// Blazor's InputFile script attaches its change listener, and a file chosen in between is never seen (a person
    /// is never that fast; a test on a busy machine is).
    /// </summary>
    public static async Task ChooseFileAsync(ILocator input, FilePayload file)
    {
        await input.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        var element = await input.ElementHandleAsync();
        await input.Page.WaitForFunctionAsync("e => e._blazorInputFileNextFileId !== undefined", element, new() { Timeout = 30_000 });
        await input.SetInputFilesAsync(file);
    }

    /// <summary>Opens the Jobs page and converts all three datasets, transactions by month; returns the page when all succeeded.</summary>
    public static async Task<IPage> ConvertAllByMonthAsync(WebApp app)
    {
        var page = await app.OpenAsync("/jobs");
        await page.Locator("#convert-button").ClickAsync();
        await page.Locator(".convert-dialog").GetByText("Partition transactions_data by month").ClickAsync();
        await page.Locator("#convert-start").ClickAsync();
        foreach (var dataset in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            var row = page.Locator(".job-row", new() { HasText = $"Convert {dataset} to Parquet" }).First;
            await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
        }

        return page;
    }

    /// <summary>Goes to the Catalog page and runs the crawler with its defaults until it has succeeded.</summary>
    public static async Task CrawlFromTheCatalogPageAsync(IPage page)
    {
        await page.Locator(".mud-navmenu").GetByText("Catalog").ClickAsync();
        await page.Locator("#crawl-button").ClickAsync();
        await page.Locator("#crawl-start").ClickAsync();
        await Assertions.Expect(page.Locator(".crawl-run")).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
    }
}
