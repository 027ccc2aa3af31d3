using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Security;

/// <summary>
/// The rate-limit policies endpoints attach with <c>RequireRateLimiting(...)</c>. Circuit traffic (pages, queries run
/// from the dashboard) is not HTTP and is limited in Core instead (<c>EcomOps:Limits:QueriesPerMinute</c>).
/// </summary>
public static class SecurityPolicies
{
    /// <summary>The sign-in POST: <c>EcomOps:Security:SignInAttemptsPerMinute</c> attempts a minute per client IP.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Query result downloads: <c>EcomOps:Security:DownloadsPerMinute</c> a minute per user, or per IP without one.</summary>
    public const string QueryDownloads = "query-downloads";

    internal static void AddPolicies(RateLimiterOptions limiter)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(SignIn, http => Window("ip:" + ClientAddress(http), Options(http).SignInAttemptsPerMinute));
        limiter.AddPolicy(QueryDownloads, http => Window(
            http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? "user:" + name.ToLowerInvariant() : "ip:" + ClientAddress(http),
            Options(http).DownloadsPerMinute));
        limiter.OnRejected = RejectAsync;
    }

    private static SecurityOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;

    // Behind a proxy this is the client only when EcomOps:Security:ForwardedHeaders is on; otherwise all clients share
    // the proxy's address, which is stricter, never looser.
    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> Window(string key, int permits) => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    });

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        var response = context.HttpContext.Response;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"Too many requests from you in the last minute. Wait {seconds} s and try again; if a script sends these, slow it down."), cancellationToken);
    }
}
