using System.Net;
using System.Text.RegularExpressions;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Auth;

/// <summary>
/// Sign-in cookies and antiforgery tokens are protected with keys; kept only in the process's home folder, a new
/// container (same data volume, fresh home) would sign everyone out and break every open form. They live under the
/// data root instead.
/// </summary>
public sealed partial class DataProtectionKeysTests : IAsyncLifetime
{
    private const string Password = "a long enough passphrase";

    private readonly TempDirectory _dataRoot = new();
    private readonly List<TempDirectory> _homes = [];
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;
    private DashboardProcess? _dashboard;

    public DataProtectionKeysTests() => _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        _dataRoot.Dispose();
        foreach (var home in _homes)
        {
            home.Dispose();
        }
    }

    [Fact]
    public async Task SignedIn_DashboardRestartedAsANewContainerOnTheSameDataRoot_CookieAndFormTokenStillWork()
    {
        var settings = new Dictionary<string, string>
        {
            ["EcomOps:Auth:Users:0:Name"] = "ada",
            ["EcomOps:Auth:Users:0:PasswordHash"] = PasswordHash.Create(Password),
            ["EcomOps:Auth:Users:0:Role"] = "Operator",
        };
        await StartAsync(settings);
        using (var signIn = await PostFormAsync("/auth/signin", await FormTokenAsync("/signin?returnUrl=%2Fjobs"), ("Name", "ada"), ("Password", Password), ("ReturnUrl", "/jobs")))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/jobs", signIn.Headers.Location?.OriginalString);
        }

        await AssertSignedInAsync("before the restart");

        // The app bar's sign-out form, as a page open across the restart holds it.
        var signOutToken = await FormTokenAsync("/jobs");

        await _dashboard!.DisposeAsync();
        await StartAsync(settings);

        await AssertSignedInAsync("after the restart");
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_dataRoot.Path, "keys"), "key-*.xml"));

        using var signOut = await PostFormAsync("/auth/signout", signOutToken);
        Assert.True(signOut.StatusCode == HttpStatusCode.Redirect, $"the form token from before the restart was refused: {(int)signOut.StatusCode}\n{_dashboard.Output}");
        Assert.Equal("/signin", signOut.Headers.Location?.OriginalString);
        using var after = await _http.GetAsync($"{_dashboard.BaseUrl}/jobs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    private async Task StartAsync(Dictionary<string, string> settings)
    {
        // A fresh home each start, as a new container has: ASP.NET Core's default key folder is under it.
        var home = new TempDirectory();
        _homes.Add(home);
        _dashboard = await DashboardProcess.StartAsync(_dataRoot.Path, settings, environment: new Dictionary<string, string> { ["HOME"] = home.Path });
    }

    private async Task<string> FormTokenAsync(string path)
    {
        var page = await _http.GetStringAsync($"{_dashboard!.BaseUrl}{path}");
        return AntiforgeryField().Match(page) is { Success: true } match
            ? (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value)
            : throw new InvalidOperationException($"No antiforgery token on {path}:\n{page}");
    }

    private Task<HttpResponseMessage> PostFormAsync(string path, string formToken, params (string Name, string Value)[] fields) =>
        _http.PostAsync(
            $"{_dashboard!.BaseUrl}{path}",
            new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", formToken))));

    private async Task AssertSignedInAsync(string when)
    {
        using var response = await _http.GetAsync($"{_dashboard!.BaseUrl}/jobs");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{when}: /jobs answered {(int)response.StatusCode} {response.Headers.Location}\n{_dashboard.Output}");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Matches(@"ada\s*(·|&#xB7;)\s*Operator", page);
    }

    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex AntiforgeryField();
}
