using Bunit;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Query;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Shared;
using MudBlazor;
using QueryPage = EcomOps.Web.Components.Pages.Query;

namespace EcomOps.Tests.Web;

/// <summary>The Query page's warehouse target: Redshift SQL on the warehouse after a load, its history and its saved queries.</summary>
public sealed class QueryPageWarehouseTests : IAsyncLifetime
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private readonly DashboardContext _context = new();

    public async Task InitializeAsync()
    {
        _context.ComponentFactories.Add<QuerySqlEditor, TextSqlEditor>();
        _context.Render<MudPopoverProvider>();
        await WarehouseQueryTests.LoadWithARejectedRowAsync(_context.Services);
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private string WarehouseName => _context.Get<IWarehouse>().Name;

    [Fact]
    public async Task TargetSelector_Warehouse_RunsRedshiftSqlOnTheWarehouse_AndTheHistorySaysWarehouse()
    {
        var page = _context.Render<QueryPage>();
        Assert.Contains("Lake (Athena SQL)", page.Find(".query-target").TextContent);
        Assert.Contains(_context.Get<IQueryService>().EngineName, page.Find(".query-engine").TextContent);

        await page.InvokeAsync(() => page.Find(".query-target-warehouse").Click());
        page.WaitForAssertion(() => Assert.Contains(WarehouseName, page.Find(".query-engine").TextContent));
        Assert.Contains("sys_load_history", page.Find(".query-target-help").TextContent);
        page.Find("#query-sql").Input("SELECT count(*) AS n FROM transactions_data");
        await page.ClickAsync("#run-query");

        page.WaitForAssertion(() => Assert.Equal("1", page.Find(".query-stats").GetAttribute("data-rows")), Slow);
        Assert.Equal("2", page.Find(".query-grid tbody tr.query-row td").TextContent.Trim());
        Assert.Contains(WarehouseName, page.Find(".query-stats .stat-engine").TextContent);
        Assert.Empty(page.FindAll(".query-error"));
        page.WaitForAssertion(() => Assert.Equal("Warehouse", page.Find(".history-entry").GetAttribute("data-target")), Slow);
        Assert.Contains("warehouse", page.Find(".history-entry .history-target").TextContent);
        var entry = (await _context.Get<IQueryService>().HistoryAsync(1)).Single();
        Assert.Equal((QueryTarget.Warehouse, "SELECT count(*) AS n FROM transactions_data"), (entry.Target, entry.Sql));
    }

    [Fact]
    public async Task SavedQueries_ShowTheirTarget_AndLoadingAMonitoringQuerySwitchesToTheWarehouse_AndRunRunsItThere()
    {
        var page = _context.Render<QueryPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".saved-query")), Slow);
        Assert.Contains(page.FindAll(".saved-query"), q => q.GetAttribute("data-target") == "Lake" && q.QuerySelector(".saved-target")!.TextContent.Trim() == "lake");

        page.Find("#saved-search").Input("Loads:");
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll(".saved-query").Count), Slow);
        Assert.All(page.FindAll(".saved-query"), q => Assert.Equal(("Warehouse", "warehouse"), (q.GetAttribute("data-target"), q.QuerySelector(".saved-target")!.TextContent.Trim())));

        var errors = ".saved-query[data-name='Loads: error details of the last COPY']";
        await page.InvokeAsync(() => page.Find($"{errors} .saved-load").Click());
        page.WaitForAssertion(() => Assert.Contains(WarehouseName, page.Find(".query-engine").TextContent));
        Assert.Contains("sys_load_error_detail", page.Find("#query-sql").GetAttribute("value"));

        await page.InvokeAsync(() => page.Find(".query-target-lake").Click());
        page.WaitForAssertion(() => Assert.DoesNotContain(WarehouseName, page.Find(".query-engine").TextContent));
        await page.InvokeAsync(() => page.Find($"{errors} .saved-run").Click());

        page.WaitForAssertion(() => Assert.Equal("1", page.Find(".query-stats").GetAttribute("data-rows")), Slow);
        Assert.Contains(WarehouseName, page.Find(".query-engine").TextContent);
        Assert.Contains(page.FindAll(".query-grid tbody tr.query-row td"), td => td.TextContent.Trim() == "productid");
        page.WaitForAssertion(() => Assert.Equal("Warehouse", page.Find(".history-entry").GetAttribute("data-target")), Slow);
    }

    [Fact]
    public async Task SaveCurrent_OnTheWarehouseTarget_SavesTheQueryForTheWarehouse()
    {
        var page = _context.Render<QueryPage>();
        await page.InvokeAsync(() => page.Find(".query-target-warehouse").Click());
        page.Find("#query-sql").Input("SELECT count(*) FROM sys_load_history");
        page.Find("#save-name").Input("Load count (test)");

        page.Find("#save-query").Click();

        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".saved-query"), q => q.GetAttribute("data-name") == "Load count (test)" && q.GetAttribute("data-target") == "Warehouse"), Slow);
        Assert.Equal(QueryTarget.Warehouse, (await _context.Get<IQueryService>().GetSavedAsync("Load count (test)"))!.Target);
    }
}
