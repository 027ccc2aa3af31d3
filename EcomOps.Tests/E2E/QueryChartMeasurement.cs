using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace EcomOps.Tests.E2E;

/// <summary>
/// A measurement, not a test: the time from clicking Run to the chart drawn for a 1,000-row result, in a real
/// Chromium against the real dashboard (query, SignalR round trips, grid, Plotly). It runs only when
/// <c>ECOMOPS_MEASURE=1</c> (skipped otherwise, so CI never times anything) and prints each run and the median:
/// <code>ECOMOPS_MEASURE=1 dotnet test EcomOps.Tests --filter FullyQualifiedName~QueryChartMeasurement --logger "console;verbosity=detailed"</code>
/// Browser timing is not something BenchmarkDotNet in bench/ can drive, hence it lives beside the browser walks.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class QueryChartMeasurement(WebAppFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Runs = 5;
    private const string Sql = "SELECT \"timestamp\", amount FROM ecom.transactions_data ORDER BY \"timestamp\" LIMIT 1000";

    // Clicks Run and resolves when a new Plotly chart (another element than before the click) has drawn its line.
    private const string ClickRunAndWaitForTheChart = """
        () => new Promise((resolve, reject) => {
            const before = document.querySelector('.query-chart .js-plotly-plot');
            const start = performance.now();
            document.querySelector('#run-query').click();
            const check = () => {
                const plot = document.querySelector('.query-chart .js-plotly-plot');
                if (plot && plot !== before && plot.querySelector('.scatterlayer .trace path.js-line')) {
                    resolve(performance.now() - start);
                } else if (performance.now() - start > 120000) {
                    reject(new Error('No chart drawn within 120 s'));
                } else {
                    requestAnimationFrame(check);
                }
            };
            requestAnimationFrame(check);
        })
        """;

    private WebApp _app = default!;

    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [MeasureFact]
    public async Task RunToChartDrawn_For1000Rows()
    {
        var page = await WalkSteps.ConvertAllByMonthAsync(_app);
        await WalkSteps.CrawlFromTheCatalogPageAsync(page);
        await page.Locator(".mud-navmenu").GetByText("Query").ClickAsync();
        await QueryEditorSteps.WaitForEditorAsync(page);
        await QueryEditorSteps.ReplaceSqlAsync(page, Sql);

        // One run first so that DuckDB, Plotly's script and the circuit are warm, as for a user's second query.
        await Assertions.Expect(page.Locator("#run-query")).ToBeEnabledAsync();
        await page.EvaluateAsync<double>(ClickRunAndWaitForTheChart);
        await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "1000");
        await Assertions.Expect(page.Locator(".query-chart")).ToHaveAttributeAsync("data-kind", "line");

        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            await Assertions.Expect(page.Locator("#run-query")).ToBeEnabledAsync();
            times.Add(await page.EvaluateAsync<double>(ClickRunAndWaitForTheChart));
        }

        var median = times.Order().ElementAt(Runs / 2);
        var line = string.Create(CultureInfo.InvariantCulture, $"Run to chart drawn, 1,000 rows: median {median:0} ms of {Runs} ({string.Join(", ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms)");
        output.WriteLine(line);
        Console.WriteLine(line);
        await page.Context.CloseAsync();
    }
}

/// <summary>A fact that runs only when ECOMOPS_MEASURE=1: measurements stay out of the test suite's runs.</summary>
public sealed class MeasureFactAttribute : FactAttribute
{
    public MeasureFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ECOMOPS_MEASURE") != "1")
        {
            Skip = "A measurement: set ECOMOPS_MEASURE=1 to run it.";
        }
    }
}
