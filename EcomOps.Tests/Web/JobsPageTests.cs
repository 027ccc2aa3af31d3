using Bunit;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Jobs page over real runs: a generation, a conversion that fails on bad rows, and one that succeeds.</summary>
public sealed class JobsPageTests : IAsyncLifetime
{
    // bunit waits a second by default; runs finish later than that on a busy 2-core machine.
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(30);

    private readonly DashboardContext _context = new();

    public async Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();

        var runner = _context.Get<IJobRunner>();
        var generate = _context.Get<IGenerationService>().StartGeneration(new GenerationOptions(20, 5, 50));
        await runner.WaitAsync(generate.Id);

        // Bad rows in the customers' raw folder: with no bad rows allowed, that conversion fails.
        var raw = Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data");
        File.WriteAllBytes(Path.Combine(raw, "bad.csv"), CsvCorpus.Lines(CsvCorpus.CustomersHeader, "900,x,x@x.com,c,2024-02-30"));
        var conversion = _context.Get<IConversionService>();
        foreach (var run in conversion.StartConversion(new ConversionOptions(MaxErrors: 0), ["customer_data", "catalog_data"]))
        {
            await runner.WaitAsync(run.Id);
        }
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void Table_ListsEveryRunWithStatusAndCounts()
    {
        var page = RenderPage();

        var rows = page.FindAll(".job-row");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["Succeeded", "Failed", "Succeeded"], rows.OrderBy(r => r.TextContent.Contains("catalog") ? 0 : r.TextContent.Contains("customer") ? 1 : 2).Select(r => r.GetAttribute("data-status")));
        var generation = rows.Single(r => r.TextContent.Contains("generate", StringComparison.Ordinal));
        Assert.Contains("0 / 75 / 0", generation.TextContent);
    }

    [Fact]
    public void FailedOnly_ShowsTheFailedConversion_AndItsDetailsShowTheErrorAndQuarantinedRows()
    {
        var page = RenderPage();

        page.Find(".failed-only input").Change(true);

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".job-row")), Busy);
        var row = page.Find(".job-row");
        Assert.Contains("Convert customer_data to Parquet", row.TextContent);
        row.Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".job-detail .lake-preview")), Busy);
        Assert.Contains("max errors", page.Find(".detail-parameters").TextContent);
        Assert.Contains("more than 0 rows were rejected", page.Find(".detail-error").TextContent);
        Assert.Contains("line 2, column SignupDate", page.Find(".detail-error").TextContent);
        var quarantine = page.Find(".job-detail .preview-table").TextContent;
        Assert.Contains("2024-02-30", quarantine);
        Assert.Contains("SignupDate", quarantine);
    }

    [Fact]
    public async Task KindFilter_NarrowsTheTable()
    {
        var page = RenderPage();
        var kind = page.FindComponents<MudSelect<string>>()[0];

        await page.InvokeAsync(() => kind.Instance.ValueChanged.InvokeAsync(JobKinds.Generate));

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".job-row")), Busy);
        Assert.Contains("generate", page.Find(".job-row").TextContent);
    }

    [Fact]
    public async Task RunAgain_OnTheFailedConversion_StartsItWithTheSameOptions_AndItSucceedsOnceTheDataIsFixed()
    {
        File.Delete(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data", "bad.csv"));
        var page = RenderPage();
        page.Find(".failed-only input").Change(true);
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".job-row")), Busy);
        var failedId = Guid.Parse(page.Find(".job-row").GetAttribute("data-run")!);
        page.Find(".job-row").Click();

        page.WaitForAssertion(() => page.Find("#retry-button").Click(), Busy);

        page.WaitForAssertion(() => Assert.Contains($"run again from {failedId.ToString()[..8]}", page.Find(".detail-retry-of").TextContent), Busy);
        var runner = _context.Get<IJobRunner>();
        var again = (await runner.ListAsync(new JobRunFilter(Kind: JobKinds.Convert))).Single(r => r.RetryOf == failedId);
        var done = await runner.WaitAsync(again.Id);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal("0", done.Parameters["max errors"]);
        Assert.Equal(20, done.RowsWritten);
    }

    [Fact]
    public async Task ALinkToARun_OpensItsDetails()
    {
        var runner = _context.Get<IJobRunner>();
        var failed = (await runner.ListAsync(new JobRunFilter(FailedOnly: true))).Single();

        var navigation = _context.Get<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/jobs?run={failed.Id}");

        var page = _context.Render<EcomOps.Web.Components.Pages.Jobs>();

        page.WaitForAssertion(() => Assert.Contains("more than 0 rows were rejected", page.Find(".job-detail .detail-error").TextContent), Busy);
    }

    private IRenderedComponent<EcomOps.Web.Components.Pages.Jobs> RenderPage()
    {
        var page = _context.Render<EcomOps.Web.Components.Pages.Jobs>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".job-row").Count), Busy);
        return page;
    }
}
