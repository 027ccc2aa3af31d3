using System.Globalization;
using EcomOps.Core.Generation;
using EcomOps.Tests.Aws;
using EcomOps.Tests.Storage;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// The dashboard on the Aws backend in a browser, every AWS service a loopback stand-in (<see cref="AwsStandIns"/>) over
/// a bucket on s3rver: the services check healthy, the one-click demo runs the whole chain on Glue, Athena and Redshift,
/// and the Catalog, Query and Loads pages show what it made, as they do on the Local backend.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class AwsBackendWalkTests(WebAppFixture browser, S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IAsyncLifetime
{
    private static readonly string[] Checks = ["ops-database", "aws-identity", "lake", "glue-job", "glue-crawler", "glue-catalog", "athena", "redshift"];

    private AwsStandIns _aws = default!;
    private WebApp _app = default!;

    public async Task InitializeAsync()
    {
        // The dashboard inherits this process's environment: its AWS credentials are s3rver's.
        AwsStandIns.UseS3rverCredentials();
        _aws = await AwsStandIns.StartAsync(s3rver);
        _app = await browser.StartAppAsync(_aws.Settings(s3rver));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _aws.Dispose();
    }

    [Fact]
    public async Task AwsBackend_ServicesCheckHealthy_TheDemoRunsOnGlueAthenaAndRedshift_AndCatalogQueryAndLoadsShowItsWork()
    {
        var page = await _app.OpenAsync("/settings");
        await Assertions.Expect(page.Locator(".backend-name")).ToHaveTextAsync("Aws");
        await Assertions.Expect(page.Locator(".backend-check")).ToHaveCountAsync(Checks.Length);
        await page.Locator(".check-all").ClickAsync();
        foreach (var check in Checks)
        {
            await Assertions.Expect(page.Locator($".backend-check[data-check='{check}'] .check-status")).ToHaveTextAsync("Healthy", new() { Timeout = 60_000 });
        }

        await Assertions.Expect(page.Locator(".backend-check[data-check='aws-identity'] .check-description")).ToContainTextAsync(AwsStandIns.CallerArn);
        await WebAppFixture.ScreenshotAsync(page, "aws-settings-checks");

        // The demo: generate into the bucket, convert on Glue, crawl, query on Athena for the chart, load into Redshift.
        await page.Locator(".mud-navmenu").GetByText("Overview").ClickAsync();
        var demo = page.Locator(".demo");
        await Assertions.Expect(demo).ToHaveAttributeAsync("data-demo-status", "none");
        await page.Locator("#run-demo").ClickAsync();
        await Assertions.Expect(demo).ToHaveAttributeAsync("data-demo-status", "Succeeded", WalkSteps.Slow);
        await Assertions.Expect(demo.Locator(".timeline")).ToHaveAttributeAsync("data-steps", "generate:succeeded,convert:succeeded,crawl:succeeded,load:succeeded", WalkSteps.Slow);
        await Assertions.Expect(demo.Locator(".demo-chart .js-plotly-plot")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var transactions = GenerationLimits.DefaultTransactions.ToString(CultureInfo.InvariantCulture);
        await Assertions.Expect(demo.Locator(".demo-loads tr[data-table='public.transactions_data']")).ToHaveAttributeAsync("data-rows", transactions, WalkSteps.Slow);
        await Assertions.Expect(page.Locator(".reconciliation-row[data-reconciled='true']")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await WebAppFixture.ScreenshotAsync(page, "aws-overview-demo");

        await page.Locator(".mud-navmenu").GetByText("Catalog").ClickAsync();
        await Assertions.Expect(page.Locator(".catalog-table")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        foreach (var table in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            await Assertions.Expect(page.Locator($".catalog-table[data-table={table}]")).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.Locator(".catalog-table[data-table=transactions_data] .table-rows")).ToHaveTextAsync("10,000");
        await WebAppFixture.ScreenshotAsync(page, "aws-catalog");

        await page.Locator(".mud-navmenu").GetByText("Query").ClickAsync();
        await QueryEditorSteps.WaitForEditorAsync(page);
        await QueryEditorSteps.ReplaceSqlAsync(page, "SELECT country, count(*) AS customers FROM ecom.customer_data GROUP BY country ORDER BY customers DESC, country LIMIT 5");
        await page.Locator("#run-query").ClickAsync();
        await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "5", WalkSteps.Slow);
        await Assertions.Expect(page.Locator(".query-grid tbody tr.query-row")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator(".query-stats .stat-engine")).ToContainTextAsync("Amazon Athena (workgroup ecomops)");
        await WebAppFixture.ScreenshotAsync(page, "aws-query");

        // The demo's three COPYs into Redshift, each with every row of its dataset.
        await page.Locator(".mud-navmenu").GetByText("Loads").ClickAsync();
        var loads = page.Locator(".load-row[data-status='completed']");
        await Assertions.Expect(loads).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator($".load-row[data-rows='{transactions}']")).ToContainTextAsync($"s3://{_aws.Bucket}/parquet/transactions_data/");
        await WebAppFixture.ScreenshotAsync(page, "aws-loads");
        await page.Context.CloseAsync();
    }
}
