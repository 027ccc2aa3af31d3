using Bunit;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using MudBlazor;
using EcomOps.Web.Components.Shared;
using EcomOps.Web.Model;
using QueryPage = EcomOps.Web.Components.Pages.Query;

namespace EcomOps.Tests.Web;

/// <summary>The Query page over a real lake: generated data converted to Parquet and crawled through Core's services.</summary>
public sealed class QueryPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private readonly DashboardContext _context = new();
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    public async Task InitializeAsync()
    {
        _context.ComponentFactories.Add<QuerySqlEditor, TextSqlEditor>();
        _context.Render<MudPopoverProvider>();
        _dialogs = _context.Render<MudDialogProvider>();
        await GenerateConvertAndCrawlAsync();
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private IQueryService Queries => _context.Get<IQueryService>();

    [Fact]
    public async Task Editor_RunningSql_ShowsTheRows_AndTheStatistics()
    {
        var page = _context.Render<QueryPage>();

        page.Find("#query-sql").Input("SELECT country, count(*) AS customers FROM ecom.customer_data GROUP BY country ORDER BY customers DESC, country LIMIT 10");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-stats")), Slow);
        var expected = await Queries.RunAsync(new QueryRunRequest("SELECT country, count(*) AS customers FROM ecom.customer_data GROUP BY country ORDER BY customers DESC, country LIMIT 10"));
        Assert.Equal("10", page.Find(".query-stats").GetAttribute("data-rows"));
        var rows = page.FindAll(".query-grid tbody tr.query-row");
        Assert.Equal(10, rows.Count);
        Assert.Equal(expected.Rows.Select(r => $"{r[0]}|{r[1]}"), rows.Select(r => string.Join('|', r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()))));
        Assert.Contains("10 rows", page.Find(".query-stats .stat-rows").TextContent);
        Assert.Contains("DuckDB", page.Find(".query-stats .stat-engine").TextContent);
        Assert.NotEmpty(page.Find(".query-stats .stat-duration").TextContent.Trim());
        Assert.Equal(["country", "customers"], page.FindAll(".query-grid th.query-column").Select(h => h.TextContent.Trim()));
        Assert.Empty(page.FindAll(".query-error"));
    }

    [Fact]
    public async Task Editor_RowLimit_TruncatesTheResult_AndSaysSo()
    {
        var page = _context.Render<QueryPage>();

        page.Find(".query-max-rows input").Change("5");
        page.Find("#query-sql").Input("SELECT * FROM ecom.transactions_data");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.Equal("5", page.Find(".query-stats").GetAttribute("data-rows")), Slow);
        Assert.Equal("true", page.Find(".query-stats").GetAttribute("data-truncated"));
        Assert.NotEmpty(page.FindAll(".query-stats .stat-truncated"));
        Assert.Equal(5, page.FindAll(".query-grid tbody tr.query-row").Count);
    }

    [Fact]
    public async Task Editor_ARefusedStatement_ShowsTheRefusal()
    {
        var page = _context.Render<QueryPage>();

        page.Find("#query-sql").Input("DROP TABLE ecom.customer_data");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-error")), Slow);
        Assert.Equal("refused", page.Find(".query-error").GetAttribute("data-kind"));
        Assert.Contains("Refused", page.Find(".query-error").TextContent);
        Assert.Empty(page.FindAll(".query-stats"));
    }

    [Fact]
    public async Task Editor_AFailingStatement_ShowsTheEnginesMessage()
    {
        var page = _context.Render<QueryPage>();

        page.Find("#query-sql").Input("SELECT no_such_column FROM ecom.customer_data");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.Equal("failed", page.Find(".query-error").GetAttribute("data-kind")), Slow);
        Assert.Contains("no_such_column", page.Find(".query-error").TextContent);
    }

    [Fact]
    public async Task Cancel_StopsTheRunningQuery_AndTheHistorySaysCancelled()
    {
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input("SELECT count(*) FROM range(100000000000) a");
        await page.ClickAsync("#run-query");
        page.WaitForAssertion(() => Assert.False(page.Find("#cancel-query").HasAttribute("disabled")), Slow);

        page.Find("#cancel-query").Click();

        page.WaitForAssertion(() => Assert.True(page.Find("#cancel-query").HasAttribute("disabled")), Slow);
        Assert.Empty(page.FindAll(".query-stats"));
        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find(".history-entry").GetAttribute("data-status")), Slow);
    }

    [Fact]
    public void TableParameter_FillsTheEditorWithTheTablesStarterQuery()
    {
        var navigation = _context.Get<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/query?table=ecom.transactions_data");

        var page = _context.Render<QueryPage>();

        page.WaitForAssertion(() => Assert.Contains("ecom.transactions_data", page.Find("#query-sql").GetAttribute("value") ?? page.Find("#query-sql").TextContent));
    }

    [Fact]
    public async Task SavedQuery_ClickLoadsItIntoTheEditor_AndRunRunsIt()
    {
        const string sql = "SELECT count(*) AS customers FROM ecom.customer_data";
        await Queries.SaveAsync("Customer count (test)", "How many customers there are.", sql);
        var page = _context.Render<QueryPage>();

        page.Find("#saved-search").Input("customer count (test)");
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".saved-query")), Slow);
        Assert.Contains("How many customers", page.Find(".saved-query .saved-description").TextContent);
        await page.InvokeAsync(() => page.Find(".saved-query .saved-load").Click());
        page.WaitForAssertion(() => Assert.Equal(sql, EditorText(page)));

        await page.InvokeAsync(() => page.Find(".saved-query .saved-run").Click());

        page.WaitForAssertion(() => Assert.Equal("1", page.Find(".query-stats").GetAttribute("data-rows")), Slow);
        Assert.Equal("200", page.Find(".query-grid tbody tr.query-row td").TextContent.Trim());
        page.WaitForAssertion(() => Assert.Contains("Saved", page.Find(".history-entry").TextContent));
        Assert.Equal("Succeeded", page.Find(".history-entry").GetAttribute("data-status"));
    }

    [Fact]
    public async Task SaveCurrent_StoresTheEditorsSql_UnderTheName_AndDeleteAsksFirst()
    {
        const string sql = "SELECT 42 AS answer";
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input(sql);
        page.Find("#save-name").Input("The answer (test)");
        page.Find("#save-description").Input("Forty-two.");

        page.Find("#save-query").Click();

        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".saved-query"), q => q.GetAttribute("data-name") == "The answer (test)"), Slow);
        var saved = await Queries.GetSavedAsync("The answer (test)");
        Assert.Equal(sql, saved?.Sql);
        Assert.Equal("Forty-two.", saved?.Description);

        await page.InvokeAsync(() => page.Find(".saved-query[data-name='The answer (test)'] .saved-delete").Click());
        _dialogs.WaitForAssertion(() => Assert.Contains("Delete the saved query 'The answer (test)'", _dialogs.Markup));
        _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll(".saved-query"), q => q.GetAttribute("data-name") == "The answer (test)"), Slow);
        Assert.Null(await Queries.GetSavedAsync("The answer (test)"));
    }

    [Fact]
    public async Task History_ListsRunsNewestFirst_WithTheirStatus_AndAClickLoadsTheSql()
    {
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input("SELECT 1 AS one");
        await page.ClickAsync("#run-query");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-stats")), Slow);
        page.Find("#query-sql").Input("DELETE FROM ecom.customer_data");
        await page.ClickAsync("#run-query");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-error")), Slow);

        page.WaitForAssertion(() => Assert.Equal(["Refused", "Succeeded"], page.FindAll(".history-entry").Take(2).Select(e => e.GetAttribute("data-status"))), Slow);
        await page.InvokeAsync(() => page.FindAll(".history-entry")[1].Click());

        page.WaitForAssertion(() => Assert.Equal("SELECT 1 AS one", EditorText(page)));
    }

    [Fact]
    public async Task Builder_RevenueByCountry_ShowsTheGeneratedSqlAndEstimate_Runs_AndEditAsSqlMovesItToTheEditor()
    {
        var page = _context.Render<QueryPage>();
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Builder").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-builder")));
        Assert.Contains("Pick a table", page.Find(".builder-validation").TextContent);

        await page.InvokeAsync(() => Select<string>(page, "builder-table").ValueChanged.InvokeAsync("ecom.transactions_data"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".builder-columns")));
        await page.InvokeAsync(() => Select<string>(page, "builder-columns").SelectedValuesChanged.InvokeAsync(["country"]));
        page.Find(".add-aggregate").Click();
        await page.InvokeAsync(() => Select<AggregateFunction>(page, "aggregate-function").ValueChanged.InvokeAsync(AggregateFunction.Sum));
        await page.InvokeAsync(() => Select<string>(page, "aggregate-column").ValueChanged.InvokeAsync("amount"));
        page.Find(".aggregate-alias input").Input("revenue");
        page.Find(".add-order").Click();
        await page.InvokeAsync(() => Select<string>(page, "order-name").ValueChanged.InvokeAsync("revenue"));
        var descending = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Class!.Contains("order-descending", StringComparison.Ordinal));
        await page.InvokeAsync(() => descending.Instance.ValueChanged.InvokeAsync(true));

        page.WaitForAssertion(() => Assert.Contains("GROUP BY", page.Find(".builder-sql").TextContent));
        var sql = page.Find(".builder-sql").TextContent;
        Assert.Contains("sum(", sql, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ecom", sql);
        Assert.Contains("Scans ~", page.Find(".builder-estimate").TextContent);
        Assert.Empty(page.FindAll(".builder-validation"));

        page.Find("#builder-run").Click();

        var expected = await Queries.RunAsync(new QueryRunRequest("SELECT country, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY country ORDER BY revenue DESC LIMIT 100"));
        page.WaitForAssertion(() => Assert.Equal(expected.Rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find(".query-stats").GetAttribute("data-rows")), Slow);
        Assert.Equal(["country", "revenue"], page.FindAll(".query-grid th.query-column").Select(h => h.TextContent.Trim()));
        var first = page.Find(".query-grid tbody tr.query-row").QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal([(string)expected.Rows[0][0]!, QueryValueText.Format(expected.Rows[0][1], expected.Columns[1].Type)!], first);
        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".history-entry"), e => e.TextContent.Contains("Builder", StringComparison.Ordinal)));

        page.Find("#builder-edit").Click();

        page.WaitForAssertion(() => Assert.Equal(sql.Trim(), (page.Find("#query-sql").GetAttribute("value") ?? page.Find("#query-sql").TextContent).Trim()));
    }

    [Fact]
    public async Task Builder_AGroupThatDoesNotCoverTheColumns_ShowsTheBuildersMessage()
    {
        var page = _context.Render<QueryPage>();
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Builder").Click();
        await page.InvokeAsync(() => Select<string>(page, "builder-table").ValueChanged.InvokeAsync("ecom.transactions_data"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".builder-columns")));
        await page.InvokeAsync(() => Select<string>(page, "builder-columns").SelectedValuesChanged.InvokeAsync(["amount"]));
        page.Find(".add-group").Click();
        await page.InvokeAsync(() => Select<string>(page, "group-column").ValueChanged.InvokeAsync("country"));

        page.WaitForAssertion(() => Assert.Contains("amount", page.Find(".builder-validation").TextContent));
        Assert.Empty(page.FindAll(".builder-sql"));
        Assert.True(page.Find("#builder-run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Chart_ForCountryAndRevenue_IsABar_AndForMonthAndRevenue_IsALine()
    {
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input("SELECT country, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY country ORDER BY revenue DESC LIMIT 10");
        await page.ClickAsync("#run-query");
        page.WaitForAssertion(() => Assert.Equal("bar", page.Find(".query-chart").GetAttribute("data-kind")), Slow);
        Assert.StartsWith("/query/runs/", page.Find(".download-csv").GetAttribute("href"));

        page.Find("#query-sql").Input("SELECT date_trunc('month', \"timestamp\") AS month, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY 1 ORDER BY 1");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.Equal("line", page.Find(".query-chart").GetAttribute("data-kind")), Slow);
    }

    [Fact]
    public async Task Builder_DateRangeOnTheTimestamp_OffersPresets_PutsTheirDaysInTheSql_AndACustomRangeNeedsBothDates()
    {
        var page = _context.Render<QueryPage>();
        page.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Builder").Click();
        await page.InvokeAsync(() => Select<string>(page, "builder-table").ValueChanged.InvokeAsync("ecom.transactions_data"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".builder-columns")));
        page.Find(".add-filter").Click();
        await page.InvokeAsync(() => Select<string>(page, "filter-column").ValueChanged.InvokeAsync("timestamp"));

        // A date column starts on a date range, last 30 days, and the SQL names the days.
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".filter-preset")));
        var presets = page.FindComponents<MudSelectItem<DateRangePreset>>().Select(i => i.Instance.Value).ToList();
        Assert.Equal([DateRangePreset.Last7Days, DateRangePreset.Last30Days, DateRangePreset.ThisMonth, DateRangePreset.LastMonth, DateRangePreset.ThisYear, DateRangePreset.Custom], presets);
        await page.InvokeAsync(() => Select<DateRangePreset>(page, "filter-preset").ValueChanged.InvokeAsync(DateRangePreset.LastMonth));
        var lastMonth = EcomOps.Core.Query.DateRange.LastMonth.Resolve(_context.Get<TimeProvider>().GetUtcNow());
        page.WaitForAssertion(() => Assert.Contains($"TIMESTAMP '{lastMonth.From:yyyy-MM-dd} 00:00:00'", page.Find(".builder-sql").TextContent));
        Assert.Contains($"TIMESTAMP '{lastMonth.To!.Value.AddDays(1):yyyy-MM-dd} 00:00:00'", page.Find(".builder-sql").TextContent);

        await page.InvokeAsync(() => Select<DateRangePreset>(page, "filter-preset").ValueChanged.InvokeAsync(DateRangePreset.Custom));
        page.WaitForAssertion(() => Assert.Contains("needs both a From and a To", page.Find(".builder-validation").TextContent));
        var pickers = page.FindComponents<MudDatePicker>();
        await page.InvokeAsync(() => pickers.Single(p => p.Instance.Class!.Contains("filter-from", StringComparison.Ordinal)).Instance.DateChanged.InvokeAsync(new DateTime(2025, 3, 1)));
        await page.InvokeAsync(() => pickers.Single(p => p.Instance.Class!.Contains("filter-to", StringComparison.Ordinal)).Instance.DateChanged.InvokeAsync(new DateTime(2025, 3, 31)));
        page.WaitForAssertion(() => Assert.Contains("TIMESTAMP '2025-03-01 00:00:00'", page.Find(".builder-sql").TextContent));
        Assert.Contains("TIMESTAMP '2025-04-01 00:00:00'", page.Find(".builder-sql").TextContent);
        Assert.Contains("Scans ~", page.Find(".builder-estimate").TextContent);
    }

    [Fact]
    public async Task Statistics_ShowTheBytesScanned_AndWhatAthenaWouldCharge()
    {
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input("SELECT country, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY country");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".query-stats")), Slow);
        var scanned = page.Find(".query-stats .stat-scanned");
        var cost = page.Find(".query-stats .stat-cost");
        Assert.Equal("true", scanned.GetAttribute("data-known"));
        Assert.Matches(@"^\d+(\.\d)? (B|KB|MB) scanned$", scanned.TextContent.Trim());
        // Athena bills at least 10 MB a query: $5 per TB (2^40 bytes) of that is $0.0000477, shown as the builder's estimate shows it.
        Assert.Equal("$0.000048", cost.TextContent.Trim());

        // The history line says the same, and who ran it.
        page.WaitForAssertion(() => Assert.Contains(scanned.TextContent.Trim(), page.Find(".history-entry .history-line").TextContent), Slow);
        Assert.Contains("$0.000048", page.Find(".history-entry .history-line").TextContent);
        Assert.Contains(TestCallers.ProcessUser, page.Find(".history-entry .history-line").TextContent);
    }

    [Fact]
    public async Task Tabs_EachKeepTheirOwnSql_AndALoadedQueryGetsANewTab()
    {
        var page = _context.Render<QueryPage>();
        await page.InvokeAsync(() => page.Find("#query-sql").Input("SELECT 1 AS one"));
        await page.InvokeAsync(() => page.Find(".editor-tab-add").Click());
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".editor-tab").Count));
        Assert.Equal("", EditorText(page));
        await page.InvokeAsync(() => page.Find("#query-sql").Input("SELECT 2 AS two"));

        await page.InvokeAsync(() => page.FindAll(".editor-tab .editor-tab-select").First().Click());
        page.WaitForAssertion(() => Assert.Equal("SELECT 1 AS one", EditorText(page)));
        Assert.Equal("Query 1", page.Find(".editor-tab[data-active=true]").GetAttribute("data-title"));

        await page.InvokeAsync(() => page.Find(".editor-tab-rename-start").Click());
        await page.InvokeAsync(() => page.Find(".editor-tab-rename input").Input("Ones"));
        await page.InvokeAsync(() => page.Find(".editor-tab-rename input").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" }));
        page.WaitForAssertion(() => Assert.Equal("Ones", page.Find(".editor-tab[data-active=true]").GetAttribute("data-title")));

        await page.InvokeAsync(() => page.FindAll(".editor-tab .editor-tab-close").First().Click());
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".editor-tab")));
        Assert.Equal("SELECT 2 AS two", EditorText(page));
    }

    [Fact]
    public void Tabs_AreSavedInTheBrowser_AndRestoredOnTheNextVisit()
    {
        const string saved = """{"tabs":[{"id":1,"title":"Revenue","sql":"SELECT 1"},{"id":4,"title":"Customers","sql":"SELECT 2"}],"active":4}""";
        var module = _context.JSInterop.SetupModule("./js/query.js");
        module.Setup<string?>("loadTabs").SetResult(saved);
        module.SetupVoid("saveTabs");

        var page = _context.Render<QueryPage>();

        page.WaitForAssertion(() => Assert.Equal(["Revenue", "Customers"], page.FindAll(".editor-tab").Select(t => t.GetAttribute("data-title"))));
        Assert.Equal("Customers", page.Find(".editor-tab[data-active=true]").GetAttribute("data-title"));
        Assert.Equal("SELECT 2", EditorText(page));

        page.Find("#query-sql").Input("SELECT 3");
        page.WaitForAssertion(() => Assert.Contains(module.Invocations, i => i.Identifier == "saveTabs" && ((string)i.Arguments[0]!).Contains("SELECT 3", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Chart_ByMonthAndCountry_IsALineWithASeriesPerCountry_OffersEveryKind_AndSavesAPng()
    {
        var page = _context.Render<QueryPage>();
        page.Find("#query-sql").Input("SELECT date_trunc('month', \"timestamp\") AS month, country, sum(amount) AS revenue FROM ecom.transactions_data GROUP BY 1, 2");
        // Typing re-renders the page: a click can meet the render that replaced its handler, so it is retried until one lands.
        page.WaitForAssertion(() => page.Find("#run-query").Click(), Slow);

        page.WaitForAssertion(() => Assert.Equal("line", page.Find(".query-chart").GetAttribute("data-kind")), Slow);
        Assert.Equal("country", page.Find(".query-chart").GetAttribute("data-series"));
        Assert.Equal(["Bar", "Line", "Area", "Pie", "Scatter"], page.FindComponents<MudSelectItem<ChartKind>>().Select(i => i.Instance.Value.ToString()));

        // No series: one line; a pie has no series to pick.
        await page.InvokeAsync(() => page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Class!.Contains("chart-series", StringComparison.Ordinal)).Instance.ValueChanged.InvokeAsync(-1));
        page.WaitForAssertion(() => Assert.Equal("", page.Find(".query-chart").GetAttribute("data-series")));
        await page.InvokeAsync(() => page.FindComponents<MudSelect<ChartKind>>().Single().Instance.ValueChanged.InvokeAsync(ChartKind.Pie));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".chart-series")));

        page.WaitForAssertion(() => page.Find(".chart-png").Click(), Slow);
        page.WaitForAssertion(() => Assert.Contains(_context.JSInterop.Invocations, i => i.Identifier == "downloadImage"));
    }

    private static string EditorText(IRenderedComponent<QueryPage> page) => page.Find("#query-sql").GetAttribute("value") ?? page.Find("#query-sql").TextContent;

    private static MudSelect<T> Select<T>(IRenderedComponent<QueryPage> page, string cssClass) =>
        page.FindComponents<MudSelect<T>>().Single(s => s.Instance.Class?.Split(' ').Contains(cssClass) == true).Instance;

    private async Task GenerateConvertAndCrawlAsync()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, 2_000));
        await _context.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await _context.Services.CrawlAsync()).Status);
    }
}
