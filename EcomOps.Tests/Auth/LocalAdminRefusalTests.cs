using System.Net;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Auth;

/// <summary>
/// The local admin is for a dashboard only its own machine reaches directly: not through a proxy, and not when it
/// listens beyond loopback with no sign-in configured (Locked).
/// </summary>
public sealed class LocalAdminRefusalTests : IAsyncLifetime
{
    private readonly TempDirectory _dataRoot = new();
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private DashboardProcess? _dashboard;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        _dataRoot.Dispose();
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("X-Forwarded-Host", "ecomops.example.com")]
    public async Task LocalAdmin_RequestThroughAProxy_Gets403SayingWhy(string header, string value)
    {
        _dashboard = await DashboardProcess.StartAsync(_dataRoot.Path);

        // Straight from this machine: the local admin, no sign-in.
        using (var direct = await _http.GetAsync($"{_dashboard.BaseUrl}/jobs"))
        {
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_dashboard.BaseUrl}/jobs");
        request.Headers.TryAddWithoutValidation(header, value);
        using var proxied = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, proxied.StatusCode);
        var body = await proxied.Content.ReadAsStringAsync();
        Assert.Contains("no sign-in configured, so it only serves its own machine directly (the request came through a proxy)", body, StringComparison.Ordinal);
        Assert.Contains("Set EcomOps:Auth:Users or EcomOps:Auth:Oidc", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListeningBeyondLoopbackWithoutSignIn_IsLocked_SignInPageExplains_HealthStillAnswers()
    {
        // The one test that binds beyond loopback, because that is the case under test; it is reached on 127.0.0.1.
        var port = DashboardProcess.FreePort();
        _dashboard = await DashboardProcess.StartAsync(_dataRoot.Path, urls: $"http://0.0.0.0:{port}");

        using var home = await _http.GetAsync($"{_dashboard.BaseUrl}/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/signin", home.Headers.Location?.IsAbsoluteUri == true ? home.Headers.Location.PathAndQuery : home.Headers.Location?.OriginalString, StringComparison.Ordinal);

        using var signIn = await _http.GetAsync($"{_dashboard.BaseUrl}/signin");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var page = await signIn.Content.ReadAsStringAsync();
        Assert.Contains("id=\"signin-locked\"", page, StringComparison.Ordinal);
        Assert.Contains($"0.0.0.0:{port}", page, StringComparison.Ordinal);
        Assert.Contains("nobody can", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"signin-form\"", page, StringComparison.Ordinal);

        // Pages too send everyone to the sign-in page: nobody is the admin here.
        using var api = await _http.GetAsync($"{_dashboard.BaseUrl}/jobs");
        Assert.Equal(HttpStatusCode.Redirect, api.StatusCode);

        using var health = await _http.GetAsync($"{_dashboard.BaseUrl}/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
