using System.Net;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using EcomOps.Web.Endpoints;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.E2E;

/// <summary>The Query page's CSV download against the real dashboard: every row of the run, streamed, past the page's row cap.</summary>
[Collection(WebAppCollection.Name)]
public sealed class QueryDownloadTests(WebAppFixture browser) : IAsyncLifetime
{
    private WebApp _app = default!;

    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Download_OfARunInTheHistory_IsTheWholeResultAsCsv_AndIsInTheHistoryItself()
    {
        // A run the page showed 10 rows of (the dashboard and the CLI share the ops database).
        using var core = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = _app.DataRoot });
        var queries = core.Get<IQueryService>();
        var shown = await queries.RunAsync(new QueryRunRequest("SELECT range AS n, CAST(range AS decimal(10,2)) / 4 AS quarter FROM range(150000)", MaxRows: 10));
        Assert.Equal(10, shown.Rows.Count);

        using var http = new HttpClient { BaseAddress = new Uri(_app.BaseUrl) };
        using var response = await http.GetAsync(QueryEndpoints.CsvUrlFor(shown.HistoryId!.Value), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("query-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(150_001, lines.Length);
        Assert.Equal("n,quarter", lines[0]);
        Assert.Equal("149999,37499.75", lines[^1]);

        var latest = (await queries.HistoryAsync(1)).Single();
        Assert.Equal((QuerySource.Download, 150_000L), (latest.Source, latest.Rows));

        using var missing = await http.GetAsync(QueryEndpoints.CsvUrlFor(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("history", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
