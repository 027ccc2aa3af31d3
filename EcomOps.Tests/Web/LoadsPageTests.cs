using System.Text;
using Bunit;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using EcomOps.Web.Model;
using MudBlazor;
using LoadsPage = EcomOps.Web.Components.Pages.Loads;

namespace EcomOps.Tests.Web;

/// <summary>The Loads page and its New load wizard over the real warehouse: generated data and hand-made bad rows loaded through Core's load runs.</summary>
public sealed class LoadsPageTests : IAsyncLifetime
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";
    // The whole suite shares two cores: a page's first reads of the warehouse can take seconds.
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private const string BadLine = "2,10,x7,2024-03-01 10:00:00,3.00,Peru";

    private readonly DashboardContext _context = new();
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void EmptyHistory_ShowsWhatToDo_AndTheNewLoadButton()
    {
        var page = _context.Render<LoadsPage>();

        page.WaitForAssertion(() => Assert.Contains("No loads yet", page.Find(".loads-empty").TextContent), Slow);
        Assert.NotNull(page.Find(".loads-empty .empty-new-load"));
        Assert.Empty(page.FindAll(".load-row"));
    }

    [Fact]
    public async Task History_ListsEveryLoadNewestFirst_WithStatusRowsAndErrors()
    {
        var (good, partial, aborted) = await LoadThreeAsync();

        var page = _context.Render<LoadsPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".load-row").Count), Slow);
        var rows = page.FindAll(".load-row");
        Assert.Equal([aborted, partial, good], rows.Select(r => long.Parse(r.GetAttribute("data-query-id")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["aborted", "completed", "completed"], rows.Select(r => r.GetAttribute("data-status")));
        Assert.Equal(["0", "1", "50"], rows.Select(r => r.QuerySelector(".load-rows")!.TextContent.Trim()));
        Assert.Equal(["1", "1", ""], rows.Select(r => r.QuerySelector(".load-errors")!.TextContent.Trim()));
        Assert.Contains("s3://ecomops-lake/raw/transactions_data/", rows[2].TextContent);
        Assert.Contains("public.transactions_data", rows[2].TextContent);
        Assert.Contains("mud-chip-color-warning", rows[0].QuerySelector(".load-status")!.ClassName);
        Assert.Contains("mud-chip-color-success", rows[2].QuerySelector(".load-status")!.ClassName);
        Assert.Equal("1", page.Find(".rows-chart").GetAttribute("data-points"));
        Assert.Equal("3", page.Find(".durations-chart").GetAttribute("data-points"));
    }

    [Fact]
    public async Task FailedOnly_ShowsOnlyTheAbortedLoad()
    {
        var (_, _, aborted) = await LoadThreeAsync();
        var page = _context.Render<LoadsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".load-row").Count), Slow);

        page.Find(".failed-only input").Change(true);

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".load-row")), Slow);
        Assert.Equal(aborted.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find(".load-row").GetAttribute("data-query-id"));
    }

    [Fact]
    public async Task StatusAndTableFilters_NarrowTheHistory_AndSayWhenNothingMatches()
    {
        await LoadThreeAsync();
        var page = _context.Render<LoadsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".load-row").Count), Slow);
        var selects = page.FindComponents<MudSelect<string>>();

        await page.InvokeAsync(() => selects[0].Instance.ValueChanged.InvokeAsync(LoadStatus.Completed));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".load-row").Count), Slow);
        Assert.All(page.FindAll(".load-row"), r => Assert.Equal("completed", r.GetAttribute("data-status")));

        await page.InvokeAsync(() => selects[1].Instance.ValueChanged.InvokeAsync("customer_data"));
        page.WaitForAssertion(() => Assert.Contains("No load matches these filters", page.Find(".loads-empty").TextContent), Slow);
    }

    [Fact]
    public async Task DateRange_ShowsTheLoadsStartedOnThoseDays()
    {
        await LoadThreeAsync();
        var page = _context.Render<LoadsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".load-row").Count), Slow);
        var picker = page.FindComponent<MudDateRangePicker>();
        var today = DateTime.UtcNow.Date;

        await page.InvokeAsync(() => picker.Instance.DateRangeChanged.InvokeAsync(new DateRange(today.AddDays(-3), today.AddDays(-1))));
        page.WaitForAssertion(() => Assert.Contains("No load matches these filters", page.Find(".loads-empty").TextContent), Slow);

        await page.InvokeAsync(() => picker.Instance.DateRangeChanged.InvokeAsync(new DateRange(today.AddDays(-1), today)));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".load-row").Count), Slow);
    }

    [Fact]
    public async Task Detail_ShowsTheLoadsCopy_AndEachRejectedRow_WithTheFailingFieldHighlightedInItsRawLine()
    {
        var (_, partial, _) = await LoadThreeAsync();

        var page = _context.Render<LoadsPage>(p => p.Add(x => x.QueryId, partial));

        page.WaitForAssertion(() => Assert.Equal("completed", page.Find(".load-detail").GetAttribute("data-status")), Slow);
        Assert.Equal("1", page.Find(".load-detail .detail-rows").TextContent.Trim());
        Assert.Contains("FROM 's3://ecomops-lake/raw/wh/'", page.Find(".load-detail .load-copy").TextContent);
        Assert.Contains("MAXERROR 5", page.Find(".load-detail .load-copy").TextContent);
        var error = page.Find(".load-error");
        Assert.Equal(("3", "productid"), (error.GetAttribute("data-line"), error.GetAttribute("data-column")));
        Assert.Contains("s3://ecomops-lake/raw/wh/transactions.csv", error.TextContent);
        Assert.Equal(BadLine, page.Find(".raw-line").TextContent);
        Assert.Equal("x7", page.Find(".raw-line mark.failing-field").TextContent);
        page.WaitForAssertion(() => Assert.Equal("true", page.Find($".load-row[data-query-id='{partial}']").GetAttribute("data-selected")), Slow);

        // Its run, one click away; and why it was read row by row (a bad row), so a slow load explains itself.
        Assert.StartsWith("/jobs?run=", page.Find(".load-run-link a").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("raw/wh/transactions.csv", page.Find(".load-row-by-row").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wizard_CsvFromRawTransactions_GeneratesTheCopyWithIgnoreHeader_AndPicksTheTable()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        await OpenWizardAsync();

        await BrowseAsync("raw/");
        await BrowseAsync("raw/transactions_data/");

        _dialogs.WaitForAssertion(() => Assert.Equal(
            "COPY transactions_data\nFROM 's3://ecomops-lake/raw/transactions_data/'\nIAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'\nFORMAT AS CSV\nIGNOREHEADER 1;",
            _dialogs.Find(".generated-copy").TextContent), Slow);

        _dialogs.Find("#load-maxerror").Change("10");
        _dialogs.Find("#load-timeformat").Input("auto");
        _dialogs.Find(".opt-emptyasnull input").Change(true);
        _dialogs.WaitForAssertion(() => Assert.Equal(
            "COPY transactions_data\nFROM 's3://ecomops-lake/raw/transactions_data/'\nIAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'\nFORMAT AS CSV\nIGNOREHEADER 1\nTIMEFORMAT AS 'auto'\nEMPTYASNULL\nMAXERROR 10;",
            _dialogs.Find(".generated-copy").TextContent), Slow);
    }

    [Fact]
    public async Task Wizard_Parquet_GeneratesFormatAsParquet_WithoutTheHeaderOption()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        await OpenWizardAsync();
        await BrowseAsync("raw/");
        await BrowseAsync("raw/transactions_data/");

        await ChooseFormatAsync(LoadFileFormat.Parquet);

        _dialogs.WaitForAssertion(() => Assert.Equal(
            "COPY transactions_data\nFROM 's3://ecomops-lake/raw/transactions_data/'\nIAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'\nFORMAT AS PARQUET;",
            _dialogs.Find(".generated-copy").TextContent), Slow);
        Assert.Empty(_dialogs.FindAll(".load-refusal"));
    }

    [Fact]
    public async Task Wizard_ParquetWithMaxError_ShowsTheParsersReason_AndCannotLoad()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        await OpenWizardAsync();
        await BrowseAsync("raw/");
        await BrowseAsync("raw/transactions_data/");
        await ChooseFormatAsync(LoadFileFormat.Parquet);

        _dialogs.Find("#load-maxerror").Change("5");

        _dialogs.WaitForAssertion(() => Assert.Contains("MAXERROR", _dialogs.Find(".load-refusal").TextContent), Slow);
        Assert.Contains("cannot be a COPY", _dialogs.Find(".load-refusal").TextContent);
        Assert.Empty(_dialogs.FindAll(".generated-copy"));
        Assert.True(_dialogs.Find("#load-start").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Wizard_CheckThenLoad_ReportsWhatWouldLoad_ThenLoadsAndTheHistoryShowsIt()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        var page = _context.Render<LoadsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".loads-empty")), Slow);
        page.Find("#new-load-button").Click();
        _dialogs.WaitForAssertion(() => Assert.NotNull(_dialogs.Find(".load-dialog")), Slow);
        await BrowseAsync("raw/");
        await BrowseAsync("raw/transactions_data/");
        _dialogs.Find("#load-timeformat").Input("auto");

        _dialogs.Find("#load-check").Click();
        _dialogs.WaitForAssertion(() => Assert.Equal("Succeeded", _dialogs.Find(".check-run").GetAttribute("data-status")), Slow);
        Assert.Contains("NOLOAD", _dialogs.Find(".check-run").TextContent);

        _dialogs.Find("#load-start").Click();
        _dialogs.WaitForAssertion(() => Assert.Equal("Succeeded", _dialogs.Find(".load-run").GetAttribute("data-status")), Slow);
        Assert.Contains("50", _dialogs.Find(".load-results").TextContent);

        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".load-row"), r => r.GetAttribute("data-rows") == "50"), Slow);
        page.WaitForAssertion(() => Assert.Equal(["false", "true"], page.FindAll(".load-row").Select(r => r.GetAttribute("data-noload"))), Slow);
        Assert.Contains("NOLOAD", page.FindAll(".load-row")[1].TextContent);
        Assert.Equal(50, (await _context.Get<IWarehouse>().ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
    }

    [Theory]
    [InlineData("2,10,x7,2024-03-01,3.00,Peru", "x7", "2,10,", "x7", ",2024-03-01,3.00,Peru")]
    [InlineData("17,1,17x,2024,1.00,Chile", "17x", "17,1,", "17x", ",2024,1.00,Chile")]
    [InlineData("1,\"Bad Value\",3", "Bad Value", "1,\"", "Bad Value", "\",3")]
    [InlineData("a,b,c", "", "a,b,c", "", "")]
    [InlineData("a,b,c", "zz", "a,b,c", "", "")]
    public void RawLine_SplitsAroundTheFailingField_PreferringAWholeField(string line, string field, string before, string found, string after) =>
        Assert.Equal(new RawLineParts(before, found, after), RawLineParts.Split(line, field));

    private async Task OpenWizardAsync()
    {
        var page = _context.Render<LoadsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("#new-load-button")), Slow);
        page.Find("#new-load-button").Click();
        _dialogs.WaitForAssertion(() => Assert.NotEmpty(_dialogs.FindAll(".prefix-folder")), Slow);
        await Task.CompletedTask;
    }

    private async Task BrowseAsync(string prefix)
    {
        _dialogs.WaitForAssertion(() => Assert.NotNull(_dialogs.Find($".prefix-folder[data-prefix='{prefix}']")), Slow);
        _dialogs.Find($".prefix-folder[data-prefix='{prefix}']").Click();
        _dialogs.WaitForAssertion(() => Assert.Equal(prefix, _dialogs.Find(".load-source").GetAttribute("data-prefix")), Slow);
        await Task.CompletedTask;
    }

    private async Task ChooseFormatAsync(LoadFileFormat format)
    {
        var group = _dialogs.FindComponent<MudRadioGroup<LoadFileFormat>>();
        await _dialogs.InvokeAsync(() => group.Instance.ValueChanged.InvokeAsync(format));
    }

    // A full CSV load (50 rows), one that skips one bad row under MAXERROR, and one that aborts on it: all as runs.
    private async Task<(long Good, long Partial, long Aborted)> LoadThreeAsync()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        await _context.Get<IWarehouse>().InitAsync();
        await using (var write = await _context.Get<IObjectStore>().OpenWriteAsync("raw/wh/transactions.csv"))
        {
            await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", BadLine) + "\n"));
            await write.CommitAsync();
        }

        var good = await LoadAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' {Role} CSV IGNOREHEADER 1 TIMEFORMAT 'auto'");
        var partial = await LoadAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 5");
        var aborted = await LoadAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1");
        return (good, partial, aborted);
    }

    private async Task<long> LoadAsync(string copy)
    {
        var run = await _context.Get<IJobRunner>().WaitAsync(_context.Get<IWarehouseService>().StartLoad(copy).Id);
        return long.Parse(run.Results!.Single(r => r.Name == LoadsView.LoadQueryIdResult).Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
