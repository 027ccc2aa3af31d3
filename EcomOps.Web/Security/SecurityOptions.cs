using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Security;

/// <summary>Settings of the <c>EcomOps:Security</c> section: transport and request limits of the web front.</summary>
public sealed class SecurityOptions
{
    public const string Section = "EcomOps:Security";

    /// <summary>
    /// <c>EcomOps:Security:HttpsRedirection</c>: outside Development, redirect plain http to https and send HSTS. Default
    /// true. Set false when the app serves plain http on purpose (a container on a private network, or behind a proxy
    /// that terminates TLS and does not send <c>X-Forwarded-Proto</c>): redirecting there would loop or fail.
    /// </summary>
    public bool HttpsRedirection { get; set; } = true;

    /// <summary>
    /// <c>EcomOps:Security:ForwardedHeaders</c>: believe <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the
    /// proxies in <see cref="KnownProxies"/>, so a TLS-terminating proxy's https requests are not redirected and rate
    /// limits count the real client. Default false: anyone could send those headers.
    /// </summary>
    public bool ForwardedHeaders { get; set; }

    /// <summary><c>EcomOps:Security:KnownProxies</c>: IP addresses of the proxies to believe; empty means loopback only.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>
    /// <c>EcomOps:Security:AllowedOrigins</c>: origins (such as <c>https://ecomops.example.com</c>) whose pages may use the
    /// dashboard besides its own address. Needed only behind a proxy that rewrites the Host header, so that the address
    /// users open differs from the one the dashboard sees. Empty by default.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary><c>EcomOps:Security:SignInAttemptsPerMinute</c>: sign-in attempts one client IP may make a minute. Default 10.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary><c>EcomOps:Security:DownloadsPerMinute</c>: query result downloads one user (or IP) may start a minute. Default 20.</summary>
    public int DownloadsPerMinute { get; set; } = 20;
}

/// <summary>Start-up checks of <see cref="SecurityOptions"/> whose messages name the key to set.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        if (options.SignInAttemptsPerMinute is < 1 or > 10_000)
        {
            failures.Add(Invariant($"EcomOps:Security:SignInAttemptsPerMinute is {options.SignInAttemptsPerMinute}; set 1 to 10000 attempts a minute per client (default 10)."));
        }

        if (options.DownloadsPerMinute is < 1 or > 10_000)
        {
            failures.Add(Invariant($"EcomOps:Security:DownloadsPerMinute is {options.DownloadsPerMinute}; set 1 to 10000 downloads a minute per user (default 20)."));
        }

        foreach (var proxy in options.KnownProxies)
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"EcomOps:Security:KnownProxies has '{proxy}', which is not an IP address; list the proxies' addresses, such as 10.0.0.5.");
            }
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || origin.TrimEnd('/').Length != uri.GetLeftPart(UriPartial.Authority).Length)
            {
                failures.Add($"EcomOps:Security:AllowedOrigins has '{origin}', which is not an origin; list scheme, host and port only, such as https://ecomops.example.com.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
