using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// What operators and their tools see of the real dashboard on loopback: a failed run as a snackbar in every open tab
/// and at the webhook, its counters at /metrics in Prometheus' text format, and /readyz saying which check failed.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed partial class OpsSignalsWalkTests(WebAppFixture browser) : IDisposable
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = 90_000 };

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly WebhookListener _webhook = new();

    public void Dispose()
    {
        _http.Dispose();
        _webhook.Dispose();
    }

    [Fact]
    public async Task AFailedConversion_ShowsInEveryOpenTab_ReachesTheWebhook_AndIsCountedAtMetrics()
    {
        await using var app = await browser.StartAppAsync(new Dictionary<string, string> { ["EcomOps:Alerts:WebhookUrl"] = _webhook.Url });
        var lake = Path.Combine(app.DataRoot, "lake", "ecomops-lake");
        await File.WriteAllTextAsync(Path.Combine(lake, "raw", "customer_data", "customer_data.csv"), "CustomerID,FullName\n1,Ann\n", new UTF8Encoding(false));
        var jobs = await app.OpenAsync("/jobs");
        var lakeTab = await app.OpenAsync("/lake");

        await jobs.Locator("#convert-button").ClickAsync();
        await jobs.Locator("#convert-start").ClickAsync();
        var failedRow = jobs.Locator(".job-row", new() { HasText = "Convert customer_data to Parquet" }).First;
        await Assertions.Expect(failedRow).ToHaveAttributeAsync("data-status", "Failed", Slow);
        foreach (var dataset in new[] { "catalog_data", "transactions_data" })
        {
            await Assertions.Expect(jobs.Locator(".job-row", new() { HasText = $"Convert {dataset} to Parquet" }).First).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
        }

        var runId = Guid.Parse((await failedRow.GetAttributeAsync("data-run"))!);
        foreach (var tab in new[] { jobs, lakeTab })
        {
            var alert = tab.Locator($".run-alert[data-run='{runId}']");
            await Assertions.Expect(alert).ToContainTextAsync("Convert customer_data to Parquet failed");
            await Assertions.Expect(alert).ToContainTextAsync("header does not match");
        }

        var posted = JsonDocument.Parse((await _webhook.NextAsync()).Body).RootElement;
        Assert.Equal(runId, posted.GetProperty("runId").GetGuid());
        Assert.Equal("convert", posted.GetProperty("kind").GetString());
        Assert.Contains("header does not match", posted.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _webhook.Pending);

        // The link in the other tab opens the failed run there.
        await lakeTab.Locator($".run-alert[data-run='{runId}'] a.run-alert-link").ClickAsync();
        await Assertions.Expect(lakeTab).ToHaveURLAsync(new Regex($"/jobs\\?run={runId}$"));
        await Assertions.Expect(lakeTab.Locator(".job-detail")).ToContainTextAsync(runId.ToString());

        var response = await _http.GetAsync(new Uri(new Uri(app.BaseUrl), "/metrics"));
        var metrics = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE ecomops_jobs_started_total counter", metrics, StringComparison.Ordinal);
        Assert.Equal(3, Sample(metrics, "ecomops_jobs_started_total", "kind=\"convert\""));
        Assert.Equal(2, Sample(metrics, "ecomops_jobs_succeeded_total", "kind=\"convert\""));
        Assert.Equal(1, Sample(metrics, "ecomops_jobs_failed_total", "kind=\"convert\""));
        Assert.Equal(200, Sample(metrics, "ecomops_rows_converted_total", "dataset=\"catalog_data\""));
        Assert.Equal(10_000, Sample(metrics, "ecomops_rows_converted_total", "dataset=\"transactions_data\""));
        Assert.Equal(2, Sample(metrics, "ecomops_circuits_active", null));
    }

    [Fact]
    public async Task Readyz_WhenTheLakeFolderIsReplacedByAFile_IsUnhealthy_NamingTheLakeAndWhy_WhileHealthzStaysUp()
    {
        await using var app = await browser.StartAppAsync();
        var baseUrl = new Uri(app.BaseUrl);

        var ready = await _http.GetAsync(new Uri(baseUrl, "/readyz"));
        var healthy = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", healthy.GetProperty("status").GetString());
        Assert.Equal(["lake", "ops-database", "warehouse"], healthy.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order().ToArray());
        Assert.All(healthy.GetProperty("checks").EnumerateArray(), c => Assert.Equal("Healthy", c.GetProperty("status").GetString()));

        // Tests run as root, whom permissions do not stop: the lake is made unusable by a file in its place.
        var lake = Path.Combine(app.DataRoot, "lake", "ecomops-lake");
        Directory.Move(lake, lake + ".moved");
        await File.WriteAllTextAsync(lake, "not a folder");

        var broken = await _http.GetAsync(new Uri(baseUrl, "/readyz"));
        var report = JsonDocument.Parse(await broken.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("Unhealthy", checks["lake"].GetProperty("status").GetString());
        Assert.StartsWith($"The lake folder {lake} is a file, not a folder", checks["lake"].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(checks["lake"].GetProperty("durationMs").GetDouble() >= 0);
        Assert.Equal("Healthy", checks["ops-database"].GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["warehouse"].GetProperty("status").GetString());

        var live = await _http.GetAsync(new Uri(baseUrl, "/healthz"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
    }

    // The value of one sample of a metric in Prometheus' text format; a label (as name="value") picks the series.
    private static double Sample(string metrics, string name, string? label)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)
            && (l.Length > name.Length && l[name.Length] is '{' or ' ')
            && (label is null || l.Contains(label, StringComparison.Ordinal)));
        Assert.True(line is not null, $"No sample of {name} {label} in:\n{metrics}");
        return double.Parse(SampleValue().Match(line!).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\S+(?:\{.*\})?\s+(\S+)")]
    private static partial Regex SampleValue();
}
