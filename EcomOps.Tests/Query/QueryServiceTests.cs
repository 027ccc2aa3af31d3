using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Query;

/// <summary>Query history and saved queries in the ops database, as the dashboard and CLI share them.</summary>
public sealed class QueryServiceTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    private CoreHost Host() => new(configuration: new() { ["EcomOps:DataRoot"] = _root.Path });

    [Fact]
    public async Task EveryRun_IsInTheHistory_WithItsOutcome_NewestFirst()
    {
        using var host = Host();
        var queries = host.Get<IQueryService>();

        await queries.RunAsync(new QueryRunRequest("SELECT 42 AS answer", QuerySource.Editor));
        await Assert.ThrowsAsync<QueryRefusedException>(() => queries.RunAsync(new QueryRunRequest("ATTACH 'x.db'")));
        using (host.As("grace", Role.Analyst))
        {
            await Assert.ThrowsAsync<QueryFailedException>(() => queries.RunAsync(new QueryRunRequest("SELECT * FROM ecom.nothing", QuerySource.Cli)));
        }

        var history = await queries.HistoryAsync();
        Assert.Equal(["Failed", "Refused", "Succeeded"], history.Select(h => h.Status));
        Assert.Equal(("grace", QuerySource.Cli), (history[0].User, history[0].Source));
        Assert.Contains("crawl the lake first", history[0].Error);
        Assert.Equal(("SELECT 42 AS answer", 1L), (history[2].Sql, history[2].Rows));
    }

    [Fact]
    public async Task ARun_IsFoundByItsHistoryId_AndAnExport_IsAHistoryLineOfItsOwn_WithEveryRow()
    {
        using var host = Host();
        var queries = host.Get<IQueryService>();

        QueryResult result;
        using (host.As("ada", Role.Analyst))
        {
            result = await queries.RunAsync(new QueryRunRequest("SELECT range AS n FROM range(3000)", QuerySource.Editor, MaxRows: 10));
        }

        var entry = await queries.GetHistoryAsync(result.HistoryId!.Value);
        Assert.NotNull(entry);
        Assert.Equal(("Succeeded", 10L, "ada"), (entry.Status, entry.Rows, entry.User));

        var csv = new StringWriter();
        var export = await queries.ExportAsync(new QueryRunRequest(entry.Sql, QuerySource.Download), new QueryCsvWriter(csv));

        Assert.Equal(3000, export.Rows);
        Assert.EndsWith("2999\r\n", csv.ToString(), StringComparison.Ordinal);
        var latest = (await queries.HistoryAsync(1)).Single();
        Assert.Equal((QuerySource.Download, 3000L), (latest.Source, latest.Rows));
        Assert.Null(await queries.GetHistoryAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task TheExampleQueries_AreSavedAtTheFirstStart_OnlyOnce()
    {
        using (var first = Host())
        {
            var saved = await first.Get<IQueryService>().SavedAsync();
            Assert.True(saved.Count >= 10, $"{saved.Count} example queries saved");
            Assert.Contains(saved, q => q.Name == "Revenue by weekday" && q.Sql.Contains("day_of_week", StringComparison.Ordinal) && q.UpdatedBy == "system");
            Assert.True(await first.Get<IQueryService>().DeleteSavedAsync("revenue by weekday"));
        }

        using var second = Host();
        Assert.Null(await second.Get<IQueryService>().GetSavedAsync("Revenue by weekday"));
    }

    [Fact]
    public async Task SavedQueries_AreSavedEditedSearchedAndDeleted()
    {
        using var host = Host();
        var queries = host.Get<IQueryService>();

        await queries.SaveAsync("Big orders", "Orders over 1,000", "SELECT * FROM ecom.transactions_data WHERE amount > 1000");
        using (host.As("grace", Role.Analyst))
        {
            await queries.SaveAsync("big ORDERS", "Orders over 2,000", "SELECT * FROM ecom.transactions_data WHERE amount > 2000");
        }

        var found = Assert.Single(await queries.SavedAsync("over 2,000"));
        Assert.Equal(("Orders over 2,000", "grace"), (found.Description, found.UpdatedBy));
        Assert.Empty(await queries.SavedAsync("100%"));
        Assert.True(await queries.DeleteSavedAsync("Big Orders"));
        Assert.False(await queries.DeleteSavedAsync("Big Orders"));
        await Assert.ThrowsAsync<ArgumentException>(() => queries.SaveAsync(" ", "", "SELECT 1"));
    }
}
