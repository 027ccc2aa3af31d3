using Bunit;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Pages;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Generate form with Core's real services over a temporary data root.</summary>
public sealed class GeneratePageTests : IAsyncLifetime
{
    private readonly DashboardContext _context = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private string LakeRaw => Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw");

    [Theory]
    [InlineData("customers", "0", "Customers must be between 1 and 10,000,000; got 0.")]
    [InlineData("products", "-3", "Products must be between 1 and 1,000,000; got -3.")]
    [InlineData("transactions", "999,999,999", "Transactions must be between 1 and 200,000,000; got 999,999,999.")]
    [InlineData("customers", "ten", "Customers must be a whole number of rows, such as 1,000; 'ten' is not.")]
    [InlineData("seed", "4.5", "Seed must be a whole number")]
    [InlineData("end", "2023-01-01", "End date 2023-01-01 is before start date 2024-01-01; pick an end on or after the start.")]
    [InlineData("start", "", "Start date must be a date as yyyy-MM-dd")]
    public async Task BadField_ShowsItsMessageBesideTheField_AndWritesNothing(string field, string value, string message)
    {
        var page = RenderPage();

        Set(page, $"#{field}", value);
        page.Find("#generate-button").Click();

        page.WaitForAssertion(() =>
        {
            var error = page.Find($"#{field}").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error");
            Assert.NotNull(error);
            Assert.Contains(message, error!.TextContent);
        });
        Assert.Empty(await _context.Get<IJobRunner>().ListAsync(JobRunFilter.All));
        Assert.False(Directory.Exists(LakeRaw));
    }

    [Fact]
    public async Task UnknownLocale_ShowsTheMessageBesideTheLocale()
    {
        var page = RenderPage();

        page.Find("#locale").Input("xx");
        page.Find("#locale").Blur();
        page.WaitForAssertion(() => Assert.Equal("xx", page.Find("#locale").GetAttribute("value")));
        page.Find("#generate-button").Click();

        page.WaitForAssertion(() => Assert.Contains("Unknown locale 'xx'", page.Find("#locale").Closest(".mud-input-control")!.TextContent));
        Assert.Empty(await _context.Get<IJobRunner>().ListAsync(JobRunFilter.All));
    }

    [Fact]
    public void FixingTheField_ClearsItsMessage()
    {
        var page = RenderPage();
        Set(page, "#customers", "0");
        page.Find("#preview-button").Click();
        Assert.Contains("Customers must be between", page.Markup);

        Set(page, "#customers", "25");
        page.Find("#preview-button").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain("Customers must be between", page.Markup));
    }

    [Fact]
    public void Preview_ShowsTwentyRowsOfEachDatasetWithColumnTypes()
    {
        var page = RenderPage();

        page.Find("#preview-button").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".preview-table")));
        var table = page.Find(".preview-table");
        Assert.Equal("customer_data", table.GetAttribute("data-dataset"));
        Assert.Equal(20, table.QuerySelectorAll("tbody tr").Length);
        Assert.Contains("SignupDate", table.QuerySelector("thead")!.TextContent);
        Assert.Contains("date", table.QuerySelector("thead")!.TextContent);
        Assert.Contains("First 20 of 1,000 rows", page.Markup);
        Assert.Equal(["customer_data", "catalog_data", "transactions_data"], page.FindAll(".mud-tab").Select(t => t.TextContent.Trim()));
    }

    [Fact]
    public void Generate_StartsARun_ShowsProgressPerDataset_AndTheFilesWhenDone()
    {
        var page = RenderPage();
        Set(page, "#customers", "30");
        Set(page, "#products", "5");
        Set(page, "#transactions", "100");

        page.Find("#generate-button").Click();

        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find(".job-panel").GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        Assert.Equal(["customer_data", "catalog_data", "transactions_data"], page.FindAll(".job-step").Select(s => s.GetAttribute("data-step")));
        Assert.Contains("100 / 100 rows", page.Find(".job-step[data-step=transactions_data]").TextContent);
        var links = page.FindAll(".job-outputs a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(
            ["/files/lake/raw/customer_data/customer_data.csv", "/files/lake/raw/catalog_data/catalog_data.csv", "/files/lake/raw/transactions_data/transactions_data.csv"],
            links);
        Assert.Equal(101, File.ReadAllLines(Path.Combine(LakeRaw, "transactions_data", "transactions_data.csv")).Length);
    }

    [Fact]
    public void Cancel_StopsTheRun_AndSaysNothingChanged()
    {
        var page = RenderPage();
        Set(page, "#transactions", "100,000,000");
        page.Find("#generate-button").Click();
        page.WaitForAssertion(() => Assert.Contains("rows/s", page.Find(".job-step[data-step=transactions_data]").TextContent), TimeSpan.FromSeconds(30));

        page.Find("#cancel-button").Click();

        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find(".job-panel").GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        Assert.Contains("nothing was changed", page.Find(".job-panel").TextContent);
        Assert.Empty(page.FindAll(".job-outputs"));
        Assert.False(Directory.Exists(LakeRaw));
    }

    [Fact]
    public void ComingBackToThePage_ShowsTheLastRunAndItsSettings()
    {
        var first = RenderPage();
        Set(first, "#customers", "12");
        Set(first, "#seed", "77");
        first.Find("#generate-button").Click();
        first.WaitForAssertion(() => Assert.Equal("Succeeded", first.Find(".job-panel").GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        first.Dispose();

        var again = RenderPage();

        Assert.Equal("Succeeded", again.Find(".job-panel").GetAttribute("data-status"));
        Assert.Equal("12", again.Find("#customers").GetAttribute("value"));
        Assert.Equal("77", again.Find("#seed").GetAttribute("value"));
    }

    private bool _popoverProviderRendered;

    private IRenderedComponent<Generate> RenderPage()
    {
        if (!_popoverProviderRendered)
        {
            _context.Render<MudPopoverProvider>();
            _popoverProviderRendered = true;
        }

        // The page reads the latest run first; it is ready for input once the form says so.
        var page = _context.Render<Generate>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("#generate-form").GetAttribute("data-ready")));
        return page;
    }

    // MudBlazor applies a changed value asynchronously: wait until the field shows it before acting on it.
    private static void Set(IRenderedComponent<Generate> page, string selector, string value)
    {
        page.Find(selector).Change(value);
        page.WaitForAssertion(() => Assert.Equal(value, page.Find(selector).GetAttribute("value")));
    }
}
