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

        // A dataset's lineage reaches its Redshift load. (Unlike on Local, it has no conversion run yet: the Glue script
        // records a run id of its own in the manifest, which is not the EcomOps run's; and the Glue Data Catalog keeps no
        // EcomOps crawl run id.)
        await page.Locator(".reconciliation-row[data-dataset='transactions_data'] td").First.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator(".lineage .lineage-node[data-kind='Load']")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".lineage .lineage-node[data-kind='CrawlRun']")).ToContainTextAsync("the catalog does not record which run crawled it");
        await WebAppFixture.ScreenshotAsync(page, "aws-lineage");

        await page.Locator(".mud-navmenu").GetByText("Catalog").ClickAsync();
        await Assertions.Expect(page.Locator(".catalog-table")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        foreach (var table in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            await Assertions.Expect(page.Locator($".catalog-table[data-table={table}]")).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.Locator(".catalog-table[data-table=transactions_data] .table-rows")).ToHaveTextAsync("10,000");
        await WebAppFixture.ScreenshotAsync(page, "aws-catalog");

        // A table as the Data Catalog holds it: its schema, its partitions, and a sample of its rows from the bucket.
        await page.Locator(".catalog-table[data-table=transactions_data] .table-link").ClickAsync();
        var view = page.Locator(".catalog-table-view[data-loaded=true]");
        await Assertions.Expect(view.Locator(".schema-column[data-column=amount] .column-type")).ToHaveTextAsync("decimal(10,2)");
        await Assertions.Expect(view.Locator(".schema-column.partition-key")).ToHaveCountAsync(2);
        await view.Locator(".mud-tab", new() { HasText = "Partitions" }).ClickAsync();
        await Assertions.Expect(view.Locator(".partition-row").First).ToContainTextAsync("year=2024/month=");
        await view.Locator(".mud-tab", new() { HasText = "Sample" }).ClickAsync();
        await Assertions.Expect(view.Locator(".lake-preview .preview-table tbody tr").First).ToBeVisibleAsync();
        await WebAppFixture.ScreenshotAsync(page, "aws-catalog-table");

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
        await page.Locator($".load-row[data-rows='{transactions}']").ClickAsync();
        var detail = page.Locator(".load-detail");
        await Assertions.Expect(detail).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(detail.Locator(".detail-rows")).ToHaveTextAsync("10,000");
        await Assertions.Expect(detail.Locator(".load-copy")).ToContainTextAsync("FORMAT AS PARQUET");
        await Assertions.Expect(detail.Locator(".no-load-errors")).ToBeVisibleAsync();
        await WebAppFixture.ScreenshotAsync(page, "aws-load-detail");
        await page.Context.CloseAsync();
    }
}
