using Bunit;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Shared;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Query page's result grid: a long result stays a page of rows in the browser, and sorts by value.</summary>
public sealed class QueryResultGridTests : IAsyncLifetime
{
    private readonly DashboardContext _context = new();

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void AHundredThousandRows_RenderOnlyAWindowOfThem_WithValuesAsAthenaWritesThem()
    {
        var rows = Enumerable.Range(0, 100_000).Select(i => new object?[] { (long)i, i * 0.5m, i % 7 == 0 ? null : "c" + i }).ToList();
        var result = new QueryResult([new QueryColumn("n", "bigint"), new QueryColumn("half", "decimal(10,2)"), new QueryColumn("label", "varchar")], rows, false, TimeSpan.Zero, "");

        var grid = _context.Render<QueryResultGrid>(p => p.Add(g => g.Result, result));

        var rendered = grid.FindAll("tr.query-row");
        Assert.InRange(rendered.Count, 1, 200);
        var first = rendered[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["0", "0.00", "NULL"], first);
    }

    [Fact]
    public void SortingAColumn_OrdersByValue_NotByText_AndNullsComeFirst()
    {
        var result = new QueryResult([new QueryColumn("amount", "decimal(10,2)")], [[10.5m], [9m], [null], [100m]], false, TimeSpan.Zero, "");
        var grid = _context.Render<QueryResultGrid>(p => p.Add(g => g.Result, result));

        grid.Find("th.query-column .sortable-column-header").Click();

        grid.WaitForAssertion(() => Assert.Equal(["NULL", "9.00", "10.50", "100.00"], grid.FindAll("tr.query-row td").Select(td => td.TextContent.Trim())));
    }
}
