using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Lake page in a browser, on a fresh data root with the sample data: browse, preview, upload (bad and good files), delete.</summary>
[Collection(WebAppCollection.Name)]
[TestCaseOrderer(ConfigurableOrder.TypeName, ConfigurableOrder.AssemblyName)]
public sealed class LakeWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = 30_000 };

    private WebApp _app = default!;

    // Each test starts its own dashboard over its own data root: no test sees another's runs or files.
    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Lake_BrowseIntoAFolder_AndPreviewAFile()
    {
        var page = await _app.OpenAsync("/lake");

        await page.Locator(".lake-folder[data-prefix='raw/'] a").ClickAsync();
        await page.Locator(".lake-folder[data-prefix='raw/transactions_data/'] a").ClickAsync();
        await Assertions.Expect(page.Locator(".lake-breadcrumbs")).ToContainTextAsync("transactions_data");
        await page.Locator(".lake-object[data-key='raw/transactions_data/transactions_data.csv'] .preview-action").ClickAsync();

        var preview = page.Locator(".lake-preview");
        await Assertions.Expect(preview.Locator(".preview-table tbody tr")).ToHaveCountAsync(100);
        await Assertions.Expect(preview.Locator(".preview-table thead")).ToContainTextAsync("decimal(10,2)");
        await Assertions.Expect(preview.Locator(".row-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,]+ rows$"));
        await WebAppFixture.ScreenshotAsync(page, "lake-preview");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Lake_UploadingAMalformedCsv_ShowsWhatIsWrong_AndAGoodOneLandsAndCanBeDeleted()
    {
        var page = await _app.OpenAsync("/lake?prefix=raw/");
        await page.Locator("#upload-toggle").ClickAsync();

        await WalkSteps.ChooseFileAsync(page.Locator(".upload-panel input[type=file]").First, new FilePayload
        {
            Name = "orders.csv",
            MimeType = "text/csv",
            Buffer = "CustomerID,Name,Emial,Country,SignupDate\n1,a,a@x.com,Chile,2024-01-01\n"u8.ToArray(),
        });
        var bad = page.Locator(".upload-item[data-file='orders.csv']");
        await Assertions.Expect(bad).ToHaveAttributeAsync("data-state", "refused", Slow);
        await Assertions.Expect(bad.Locator(".upload-error")).ToContainTextAsync("'Emial' should be 'Email'");
        await WebAppFixture.ScreenshotAsync(page, "lake-upload-refused");

        await WalkSteps.ChooseFileAsync(page.Locator(".upload-panel input[type=file]").First, new FilePayload
        {
            Name = "walk-people.csv",
            MimeType = "text/csv",
            Buffer = "CustomerID,Name,Email,Country,SignupDate\n1,Ada,ada@x.com,Chile,2024-01-01\n2,Bob,bob@x.com,Peru,2024-02-30\n"u8.ToArray(),
        });
        var good = page.Locator(".upload-item[data-file='walk-people.csv']");
        await Assertions.Expect(good).ToHaveAttributeAsync("data-state", "ready", Slow);
        await Assertions.Expect(good.Locator(".upload-bad-rows")).ToContainTextAsync("line 3, column SignupDate: '2024-02-30' is not a date");
        await good.Locator(".upload-start").ClickAsync();
        await Assertions.Expect(good).ToHaveAttributeAsync("data-state", "succeeded", Slow);

        await page.GotoAsync("/lake?prefix=raw/customer_data/");
        await WebAppFixture.WaitForInteractiveAsync(page);
        var row = page.Locator(".lake-object[data-key='raw/customer_data/walk-people.csv']");
        await Assertions.Expect(row).ToBeVisibleAsync();

        await row.Locator(".delete-action").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
