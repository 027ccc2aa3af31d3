using System.Net;
using EcomOps.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace EcomOps.Tests.Security;

/// <summary>
/// The sign-in policy as an endpoint uses it (<c>RequireRateLimiting(SecurityPolicies.SignIn)</c>), on a real Kestrel
/// on loopback with the app's security set-up; the sign-in page itself comes with sign-in.
/// </summary>
public sealed class SignInRateLimitTests
{
    [Fact]
    public async Task SignInAttempts_OverTheLimit_Answer429WithRetryAfter_PerClientAddress()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EcomOps:Security:SignInAttemptsPerMinute"] = "2",

            // The test's clients differ by X-Forwarded-For, as they would behind a proxy.
            ["EcomOps:Security:ForwardedHeaders"] = "true",
        });
        builder.Services.AddEcomOpsSecurity(builder.Configuration, builder.Environment);
        await using var app = builder.Build();
        app.UseEcomOpsSecurity();
        app.UseEcomOpsRateLimits();
        app.MapPost("/sign-in", () => Results.Unauthorized()).RequireRateLimiting(SecurityPolicies.SignIn);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Task<HttpResponseMessage> AttemptFrom(string address) =>
            http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign-in") { Headers = { { "X-Forwarded-For", address } } });

        Assert.Equal(HttpStatusCode.Unauthorized, (await AttemptFrom("203.0.113.5")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AttemptFrom("203.0.113.5")).StatusCode);
        using var refused = await AttemptFrom("203.0.113.5");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Contains("Wait", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("DENY", refused.Headers.GetValues("X-Frame-Options").Single());

        // Another client is not held up by the first one's attempts.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AttemptFrom("203.0.113.6")).StatusCode);
        await app.StopAsync();
    }
}
