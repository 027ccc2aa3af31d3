using EcomOps.Tests.E2E;
using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.Auth;

/// <summary>
/// OpenID Connect for real: the dashboard process signs people in through <see cref="OidcStandIn"/> on loopback in
/// Chromium (authorization code, PKCE, form_post, RS256 id_token), and maps their groups to one role.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class OidcSignInTests(WebAppFixture browser) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Roles = new()
    {
        ["ecomops-viewers"] = "Viewer",
        ["ecomops-analysts"] = "Analyst",
        ["ecomops-operators"] = "Operator",
    };

    private readonly TempDirectory _dataRoot = new();
    private readonly List<IBrowserContext> _contexts = [];
    private OidcStandIn _provider = default!;
    private DashboardProcess? _dashboard;

    public async Task InitializeAsync() => _provider = await OidcStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        await _provider.DisposeAsync();
        _dataRoot.Dispose();
    }

    [Theory]
    [InlineData(GroupsShape.JsonArray)]
    [InlineData(GroupsShape.ArrayAsText)]
    public async Task SignIn_UserInSeveralMappedGroups_GetsTheHighestRole_InTheAppBar(GroupsShape shape)
    {
        await StartDashboardAsync(Roles);
        _provider.Shape = shape;
        _provider.User = new OidcTestUser("u-42", "grace", "grace@example.test", ["staff", "ecomops-viewers", "ecomops-operators", "ecomops-analysts"]);

        var page = await SignInAsync();

        await Assertions.Expect(page.Locator("#user-badge")).ToContainTextAsync("grace · Operator");
        Assert.Empty(_provider.Refusals);
    }

    [Fact]
    public async Task SignIn_UserInNoMappedGroup_IsRefusedWithTheNoRoleMessage_AndStaysSignedOut()
    {
        await StartDashboardAsync(Roles);
        _provider.User = new OidcTestUser("u-7", "mallory", "mallory@example.test", ["staff", "contractors"]);

        var page = await SignInAsync();

        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("mallory signed in with Stand-in SSO, but none of their groups has an EcomOps role");
        await AssertSignedOutAsync(page);
    }

    [Fact]
    public async Task SignIn_DefaultRoleSet_UserInNoMappedGroupGetsIt()
    {
        await StartDashboardAsync(Roles, new Dictionary<string, string> { ["EcomOps:Auth:Oidc:DefaultRole"] = "Viewer" });
        _provider.User = new OidcTestUser("u-8", "olive", "olive@example.test", ["staff"]);

        var page = await SignInAsync();

        await Assertions.Expect(page.Locator("#user-badge")).ToContainTextAsync("olive · Viewer");
    }

    [Theory]
    [InlineData(OidcFault.WrongState, "Unable to unprotect the message.State")]
    [InlineData(OidcFault.WrongNonce, "IDX21323")]
    [InlineData(OidcFault.ForeignKey, "IDX10")]
    public async Task SignIn_ForgedStateNonceOrSignature_DoesNotSignIn(OidcFault fault, string why)
    {
        await StartDashboardAsync(Roles);
        _provider.User = new OidcTestUser("u-9", "eve", "eve@example.test", ["ecomops-operators"]);
        _provider.Fault = fault;

        var page = await SignInAsync();

        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("Signing in with Stand-in SSO did not complete");
        await AssertSignedOutAsync(page);

        // Refused for the forgery itself (the dashboard's log says which check), not for some other failure.
        var failures = () => _dashboard!.Output.Split('\n').Where(l => l.Contains("Error from RemoteAuthentication", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < 100 && failures().Count == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(failures().Count > 0, $"no remote authentication failure logged:\n{_dashboard!.Output}");
        Assert.All(failures(), line => Assert.Contains(why, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operator_RunsTheDemoPipeline_TheJobsPageRecordsTheirName()
    {
        await StartDashboardAsync(Roles);
        _provider.User = new OidcTestUser("u-5", "katherine", "katherine@example.test", ["ecomops-operators"]);
        var page = await SignInAsync();
        await WebAppFixture.WaitForInteractiveAsync(page);

        await page.Locator("#run-demo").ClickAsync();
        await Assertions.Expect(page.Locator(".demo")).Not.ToHaveAttributeAsync("data-demo-status", "none");

        await page.GotoAsync("/jobs");
        await WebAppFixture.WaitForInteractiveAsync(page);
        await page.Locator(".job-row").First.ClickAsync();
        await Assertions.Expect(page.GetByText("by katherine", new() { Exact = false }).First).ToBeVisibleAsync();
    }

    private async Task StartDashboardAsync(IReadOnlyDictionary<string, string> roles, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = _provider.Settings(roles);

        // The handler says why a sign-in failed at Information; the app's defaults log ASP.NET Core from Warning.
        settings["Logging:LogLevel:Microsoft.AspNetCore.Authentication"] = "Information";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        _dashboard = await DashboardProcess.StartAsync(_dataRoot.Path, settings);
    }

    /// <summary>Opens the sign-in page in a new browser context and clicks the provider's button; returns where it ends.</summary>
    private async Task<IPage> SignInAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _dashboard!.BaseUrl });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.Locator("#signin-oidc").ClickAsync();

        // Provider, form_post back, then the dashboard's own redirect: home when signed in, /signin with why when not.
        var port = new Uri(_dashboard.BaseUrl).Port;
        await page.WaitForURLAsync(
            url => new Uri(url) is var u && u.Port == port && (u.AbsolutePath == "/" || u.Query.Contains("norole=", StringComparison.Ordinal) || u.Query.Contains("oidcfailed=", StringComparison.Ordinal)),
            new() { Timeout = 30_000 });
        await page.WaitForLoadStateAsync(LoadState.Load);
        return page;
    }

    private async Task AssertSignedOutAsync(IPage page)
    {
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ecomops.auth");
        var response = await page.GotoAsync("/jobs");
        Assert.NotNull(response);

        // Not signed in, the dashboard sends the browser to the provider again, never into the page.
        Assert.DoesNotContain("/jobs", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }
}
