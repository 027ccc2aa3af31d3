using System.Net;
using EcomOps.Tests.Support;
using EcomOps.Web.Security;
using Microsoft.AspNetCore.Http;

namespace EcomOps.Tests.Security;

/// <summary>
/// Pages of other sites cannot use the dashboard through the user's browser: not its circuit (<c>/_blazor</c>), which
/// browsers open without CORS, and not its forms; the dashboard's own pages and clients that are no browser can.
/// </summary>
public sealed class SameOriginTests : IAsyncLifetime
{
    private readonly TempDirectory _dataRoot = new();
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private DashboardProcess _dashboard = default!;

    public async Task InitializeAsync() => _dashboard = await DashboardProcess.StartAsync(_dataRoot.Path);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _dashboard.DisposeAsync();
        _dataRoot.Dispose();
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}", "127.0.0.1:{port}", true)]
    [InlineData("https://ecomops.example.com", "ecomops.example.com", true)]
    [InlineData("https://ecomops.example.com", "ECOMOPS.example.com:443", true)]
    [InlineData("http://[::1]:{port}", "[::1]:{port}", true)]
    [InlineData("http://127.0.0.1:3000", "127.0.0.1:{port}", false)]
    [InlineData("https://evil.example", "ecomops.example.com", false)]
    [InlineData("https://ecomops.example.com.evil.example", "ecomops.example.com", false)]
    [InlineData("null", "127.0.0.1:{port}", false)]
    [InlineData("file://", "127.0.0.1:{port}", false)]
    public void Allows_TheSameHostAndPort_ButNoOtherSite(string origin, string host, bool allowed)
    {
        const string Port = "5044";
        Assert.Equal(allowed, SameOrigin.Allows(origin.Replace("{port}", Port, StringComparison.Ordinal), new HostString(host.Replace("{port}", Port, StringComparison.Ordinal)), []));
    }

    [Fact]
    public void Allows_AnOriginListedForAProxyThatRewritesTheHost()
    {
        Assert.False(SameOrigin.Allows("https://ecomops.example.com", new HostString("10.0.0.7:8080"), []));
        Assert.True(SameOrigin.Allows("https://ecomops.example.com", new HostString("10.0.0.7:8080"), ["https://ecomops.example.com/"]));
    }

    [Fact]
    public async Task TheCircuit_OpenedFromAnotherSitesPage_IsRefusedSayingWhy_FromItsOwnPages_AndWithoutAnOrigin_Opens()
    {
        using var own = await NegotiateAsync(_dashboard.BaseUrl);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var noBrowser = await NegotiateAsync(origin: null);
        Assert.Equal(HttpStatusCode.OK, noBrowser.StatusCode);

        using var foreign = await NegotiateAsync("https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        var body = await foreign.Content.ReadAsStringAsync();
        Assert.Contains("came from a page of 'https://evil.example', not of this dashboard", body, StringComparison.Ordinal);
        Assert.Contains("EcomOps:Security:AllowedOrigins", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForm_PostedFromAnotherSitesPage_IsRefused_BeforeItsAntiforgeryCheck()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_dashboard.BaseUrl}/auth/signout") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("not of this dashboard", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalAdmin_AskedForAnotherHostName_AsARebindingSitesPageWould_Gets403SayingWhy()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_dashboard.BaseUrl}/jobs");
        request.Headers.Host = $"rebind.example:{new Uri(_dashboard.BaseUrl).Port}";
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("the request was for the host 'rebind.example', not localhost or a loopback address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var local = new HttpRequestMessage(HttpMethod.Get, $"{_dashboard.BaseUrl}/jobs");
        local.Headers.Host = $"localhost:{new Uri(_dashboard.BaseUrl).Port}";
        using var ok = await _http.SendAsync(local);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_dashboard.BaseUrl}/_blazor/negotiate?negotiateVersion=1") { Content = new StringContent("") };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await _http.SendAsync(request);
    }
}
