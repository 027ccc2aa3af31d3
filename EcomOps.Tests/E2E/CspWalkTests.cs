using EcomOps.Web.Components.Layout;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// Every page under the app's Content-Security-Policy in a real Chromium: the browser reports each thing the policy
/// blocks (a <c>securitypolicyviolation</c> event, and a console error), so a policy that breaks Blazor, MudBlazor,
/// Monaco or Plotly fails here, naming the directive and what it blocked.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class CspWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private WebApp _app = default!;

    public async Task InitializeAsync() => _app = await browser.StartAppAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task EveryPage_UnderTheContentSecurityPolicy_LoadsWithNoViolation_TheEditorTypes_AndTheChartDraws()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var problems = new List<string>();

        // The listener is added by the browser before any page script runs, and reports through a Playwright binding,
        // neither of which the page's policy applies to.
        await context.ExposeFunctionAsync("__ecomopsViolation", (string text) =>
        {
            lock (problems)
            {
                problems.Add("violation: " + text);
            }
        });
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                window.__ecomopsViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
            """);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (problems)
                {
                    problems.Add($"console {message.Type}: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (problems)
            {
                problems.Add("page error: " + error);
            }
        };

        try
        {
            await WalkAsync(page);
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            // What the browser blocked is usually why a step timed out.
            lock (problems)
            {
                throw new InvalidOperationException($"{e.Message}\nThe pages reported:\n{string.Join('\n', problems)}", e);
            }
        }

        // Violations are reported asynchronously; a last round trip lets any still on their way arrive.
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 500))");
        string[] seen;
        lock (problems)
        {
            seen = [.. problems];
        }

        Assert.True(seen.Length == 0, "The pages reported:\n" + string.Join('\n', seen));
        await context.CloseAsync();
    }

    private static async Task WalkAsync(IPage page)
    {
        foreach (var nav in NavPages.All)
        {
            var response = await page.GotoAsync("/" + nav.Href);
            Assert.NotNull(response);
            Assert.Contains("script-src", response.Headers["content-security-policy"], StringComparison.Ordinal);
            await WebAppFixture.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator(".mud-typography-h4", new() { HasText = nav.Title }).First).ToBeVisibleAsync();

            if (nav.Href == "query")
            {
                await QueryEditorSteps.WaitForEditorAsync(page);

                // Typed key by key, so Monaco's tokenizer (its web worker) and suggestions run, then a result with a number to chart.
                await QueryEditorSteps.ReplaceSqlAsync(page, "");
                await page.Keyboard.TypeAsync("SELECT 'a' AS k, 1 AS v UNION ALL SELECT 'b', 2");
                await Assertions.Expect(page.Locator("#query-sql .view-lines")).ToContainTextAsync("UNION ALL");
                await page.Keyboard.PressAsync("Escape");
                await page.Keyboard.PressAsync("Control+Enter");
                await Assertions.Expect(page.Locator(".query-stats")).ToHaveAttributeAsync("data-rows", "2", WalkSteps.Slow);
                await Assertions.Expect(page.Locator(".query-chart .js-plotly-plot svg .barlayer .point path").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

                // Plotly's PNG export renders the SVG through an image and a canvas: the img-src the policy allows.
                var png = await page.RunAndWaitForDownloadAsync(() => page.Locator(".chart-png").ClickAsync());
                Assert.Equal("query-chart.png", png.SuggestedFilename);
            }

            await WebAppFixture.ScreenshotAsync(page, "csp-" + (nav.Href.Length == 0 ? "overview" : nav.Href));
        }
    }
}
