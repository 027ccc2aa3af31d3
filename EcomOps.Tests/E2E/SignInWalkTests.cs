using System.Text.RegularExpressions;
using EcomOps.Core.Security;
using Microsoft.Playwright;
using static EcomOps.Tests.E2E.WalkSteps;

namespace EcomOps.Tests.E2E;

/// <summary>
/// The dashboard with local users in Chromium: everyone signs in, sees their name and role in the app bar, is offered
/// only what their role allows, and what they do is recorded under their name.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed partial class SignInWalkTests(WebAppFixture browser) : IAsyncLifetime
{
    private const string Password = "a long test password";
    private WebApp _app = default!;

    public async Task InitializeAsync()
    {
        var hash = PasswordHash.Create(Password);
        var settings = new Dictionary<string, string>();
        foreach (var (user, i) in new[] { ("vera", Role.Viewer), ("anna", Role.Analyst), ("olga", Role.Operator) }.Select((u, i) => (u, i)))
        {
            settings[$"EcomOps:Auth:Users:{i}:Name"] = user.Item1;
            settings[$"EcomOps:Auth:Users:{i}:PasswordHash"] = hash;
            settings[$"EcomOps:Auth:Users:{i}:Role"] = user.Item2.ToString();
        }

        _app = await browser.StartAppAsync(settings);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AViewer_SignsIn_SeesEveryPageButCannotChangeAnything_AndSettingsIsRefused()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/lake");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());

        await page.Locator("#signin-name").FillAsync("vera");
        await page.Locator("#signin-password").FillAsync("not the password");
        await page.Locator("#signin-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("Wrong name or password");

        await SignInAsync(page, "vera");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/lake$"));
        await WebAppFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#user-badge")).ToContainTextAsync("vera · Viewer");
        await Assertions.Expect(page.Locator(".mud-nav-link", new() { HasText = "Settings" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-nav-link", new() { HasText = "Query" })).ToHaveCountAsync(1);

        // Reading is allowed: the sample data is listed; changing is not offered.
        await Assertions.Expect(page.Locator("#upload-toggle")).ToBeDisabledAsync();
        await page.Locator(".mud-nav-link", new() { HasText = "Jobs" }).ClickAsync();
        await Assertions.Expect(page.Locator("#convert-button")).ToBeDisabledAsync();
        await page.Locator(".mud-nav-link", new() { HasText = "Query" }).ClickAsync();
        await Assertions.Expect(page.Locator("#run-query")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#run-query")).ToHaveAttributeAsync("title", "Needs the Analyst role");
        await page.Locator(".mud-nav-link", new() { HasText = "Overview" }).ClickAsync();
        await Assertions.Expect(page.Locator("#run-demo")).ToBeDisabledAsync(new() { Timeout = 60_000 });

        await page.GotoAsync("/settings");
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("signed in as vera (Viewer)");
        await WebAppFixture.ScreenshotAsync(page, "signin-viewer-settings-refused");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAnalyst_RunsAQuery_UnderTheirName_ButCannotStartRuns_AndSigningOutEndsTheSession()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/query");
        await SignInAsync(page, "anna");
        await WebAppFixture.WaitForInteractiveAsync(page);
        await QueryEditorSteps.WaitForEditorAsync(page);
        await QueryEditorSteps.ReplaceSqlAsync(page, "SELECT 42 AS answer");
        await page.Locator("#run-query").ClickAsync();
        await Assertions.Expect(page.Locator(".query-grid tbody tr.query-row td").First).ToHaveTextAsync("42", new() { Timeout = 90_000 });
        await page.Locator(".query-side .mud-tab", new() { HasText = "History" }).ClickAsync();
        await Assertions.Expect(page.Locator(".history-entry").First).ToContainTextAsync("anna");

        await page.Locator(".mud-nav-link", new() { HasText = "Generate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#generate-button")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#generate-button")).ToHaveAttributeAsync("title", "Needs the Operator role");

        await page.Locator("#signout").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin$"));
        await page.GotoAsync("/query");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnOperator_GeneratesData_AndTheRunSaysTheyStartedIt()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/generate");
        await SignInAsync(page, "olga");
        await WebAppFixture.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#user-badge")).ToContainTextAsync("olga · Operator");
        await Assertions.Expect(page.Locator("#generate-button")).ToBeEnabledAsync();
        await page.Locator("#generate-button").ClickAsync();
        await Assertions.Expect(page.Locator(".job-panel")).ToHaveAttributeAsync("data-status", "Succeeded", Slow);
        await Assertions.Expect(page.Locator(".job-panel")).ToContainTextAsync("by olga");

        await page.Locator(".mud-nav-link", new() { HasText = "Jobs" }).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("by olga");
        await page.Context.CloseAsync();
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        return await context.NewPageAsync();
    }

    private static async Task SignInAsync(IPage page, string name)
    {
        await page.Locator("#signin-name").FillAsync(name);
        await page.Locator("#signin-password").FillAsync(Password);
        await page.Locator("#signin-submit").ClickAsync();
    }

    [GeneratedRegex("/signin\\?ReturnUrl=")]
    private static partial Regex SignInUrl();
}
