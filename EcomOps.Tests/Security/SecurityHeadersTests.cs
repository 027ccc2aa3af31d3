using System.Net;
using EcomOps.Core.Security;
using EcomOps.Tests.E2E;
using EcomOps.Web.Endpoints;

namespace EcomOps.Tests.Security;

/// <summary>The security headers, HTTPS redirection and rate limits of the real dashboard, over plain HTTP on loopback.</summary>
[Collection(WebAppCollection.Name)]
public sealed class SecurityHeadersTests(WebAppFixture browser)
{
    [Fact]
    public async Task EveryKindOfResponse_Page_StaticFile_Endpoint_NotFound_AndRefusal_CarriesTheSecurityHeaders()
    {
        await using var app = await browser.StartAppAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        foreach (var (path, status) in new[]
        {
            ("/", HttpStatusCode.OK),
            ("/app.css", HttpStatusCode.OK),
            ("/_content/MudBlazor/MudBlazor.min.js", HttpStatusCode.OK),
            ("/healthz", HttpStatusCode.OK),
            ("/no-such-page", HttpStatusCode.NotFound),
            (LakeFileEndpoints.Prefix + "raw/..%2F..%2Fetc/passwd", HttpStatusCode.BadRequest),
        })
        {
            using var response = await http.GetAsync(path);
            Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode}");
            string Header(string name) => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : $"(no {name} on {path})";

            var csp = Header("Content-Security-Policy");
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
            Assert.Matches("script-src 'self' 'nonce-[0-9A-F]{32}';", csp);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.Equal("DENY", Header("X-Frame-Options"));
            Assert.Equal("nosniff", Header("X-Content-Type-Options"));
            Assert.Equal("strict-origin-when-cross-origin", Header("Referrer-Policy"));
            Assert.Contains("camera=()", Header("Permissions-Policy"), StringComparison.Ordinal);
            Assert.Equal("same-origin", Header("Cross-Origin-Opener-Policy"));
        }
    }

    [Fact]
    public async Task Page_ImportMap_CarriesTheNonceOfItsOwnResponse_AndEachResponseHasANewOne()
    {
        await using var app = await browser.StartAppAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        var nonces = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.GetAsync("/");
            var csp = string.Join("", response.Headers.GetValues("Content-Security-Policy"));
            var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\"", html, StringComparison.Ordinal);
            nonces.Add(nonce);
        }

        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Fact]
    public async Task QueryDownloads_OverTheLimit_Answer429WithRetryAfter_AndSayWhatToDo()
    {
        await using var app = await browser.StartAppAsync(new Dictionary<string, string> { ["EcomOps:Security:DownloadsPerMinute"] = "3" });
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var url = QueryEndpoints.CsvUrlFor(Guid.NewGuid());

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var refused = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var wait = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(wait);
        Assert.InRange(wait.Value.TotalSeconds, 1, 60);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains($"Wait {wait.Value.TotalSeconds:0} s and try again", body, StringComparison.Ordinal);
        Assert.Equal("nosniff", refused.Headers.GetValues("X-Content-Type-Options").Single());

        // Pages are not limited by the download policy.
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Production_RedirectsToHttpsWithHsts_UnlessTurnedOff_AndBelievesXForwardedProtoOnlyWhenTold()
    {
        var production = new Dictionary<string, string> { ["environment"] = "Production", ["https_port"] = "8443" };
        await using (var app = await browser.StartAppAsync(production))
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
            using var plain = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
            Assert.Equal("https", plain.Headers.Location?.Scheme);
            Assert.Equal(8443, plain.Headers.Location?.Port);

            // Anyone can send X-Forwarded-Proto; without EcomOps:Security:ForwardedHeaders it changes nothing.
            using var forged = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Forwarded-Proto", "https" } } };
            using var stillRedirected = await http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, stillRedirected.StatusCode);
        }

        // Behind a proxy the dashboard serves others, so it has sign-in (the local admin refuses proxied requests).
        var proxiedSettings = new Dictionary<string, string>(production)
        {
            ["EcomOps:Security:ForwardedHeaders"] = "true",
            ["EcomOps:Auth:Users:0:Name"] = "ada",
            ["EcomOps:Auth:Users:0:PasswordHash"] = PasswordHash.Create("correct horse battery staple"),
            ["EcomOps:Auth:Users:0:Role"] = "Viewer",
        };
        await using (var app = await browser.StartAppAsync(proxiedSettings))
        {
            // The proxy (here loopback, the default known proxy) terminated TLS and says so: served, with HSTS.
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
            using var proxied = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Forwarded-Proto", "https" }, { "Host", "ecomops.example" } } };
            using var response = await http.SendAsync(proxied);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("max-age=31536000", string.Join("", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        }

        await using (var app = await browser.StartAppAsync(new Dictionary<string, string>(production) { ["EcomOps:Security:HttpsRedirection"] = "false" }))
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
            using var response = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task BadSecuritySetting_StopsTheStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => browser.StartAppAsync(new Dictionary<string, string> { ["EcomOps:Security:KnownProxies:0"] = "proxy.local" }));
        Assert.Contains("EcomOps:Security:KnownProxies has 'proxy.local'", error.Message, StringComparison.Ordinal);
    }
}
