using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Security;

/// <summary>
/// The web front's protections in one place: security headers on every response, HTTPS redirection and HSTS outside
/// Development, forwarded headers from known proxies only, the same-origin check of the circuit and of writes
/// (<see cref="SameOrigin"/>), and the rate limiter with the <see cref="SecurityPolicies"/>.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "EcomOps.CspNonce";

    /// <summary>
    /// What the dashboard's pages need, and nothing more. Checked by walking every page in Chromium
    /// (<c>CspWalkTests</c>) with the browser reporting each violation.
    /// <list type="bullet">
    /// <item>script-src: our files, MudBlazor's, BlazorMonaco's and Plotly's, all served from here; the only inline script
    /// is Blazor's import map, allowed by the per-response nonce. No 'unsafe-eval': Blazor Server, MudBlazor, Monaco and
    /// the chart types the Query page draws (bar, line, scatter, pie: SVG, not WebGL) do not evaluate strings.</item>
    /// <item>style-src 'unsafe-inline': MudBlazor writes style="..." attributes into the markup and Blazor sets them on
    /// every render; Monaco and Plotly add &lt;style&gt; elements at run time. None of them can carry a nonce or a hash.
    /// Inline styles cannot run code, so scripts stay locked down.</item>
    /// <item>connect-src 'self': the Blazor circuit's websocket (/_blazor; CSP Level 3 lets 'self' match ws: and wss: on
    /// this host) and Monaco's loads of its own language files.</item>
    /// <item>worker-src 'self': Monaco runs its language services in a web worker started from its own file
    /// (workerMain.js, same origin). Without it Monaco falls back to the page's thread and warns of UI freezes. A blob:
    /// source would only be needed if Monaco were served from another origin (a CDN).</item>
    /// <item>img-src data: blob:: MudBlazor's and Monaco's inline icons; Plotly's PNG export loads the chart's SVG as a
    /// blob: image to draw it on a canvas (without blob: the PNG button silently does nothing). Fonts (Monaco's codicons)
    /// are files served from here.</item>
    /// </list>
    /// </summary>
    internal static string ContentSecurityPolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self'; " +
        "connect-src 'self'; " +
        "worker-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-src 'none'; " +
        "frame-ancestors 'none'";

    /// <summary>Powerful features the dashboard never uses, switched off for it and anything it might embed.</summary>
    internal const string PermissionsPolicy =
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), " +
        "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), " +
        "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

    /// <summary>The nonce this response's Content-Security-Policy allows inline scripts with (App.razor's import map).</summary>
    public static string CspNonce(this HttpContext http) => http.Items[NonceKey] as string ?? "";

    /// <summary>Registers the options (<c>EcomOps:Security</c>), forwarded headers, HSTS and the rate limiter.</summary>
    public static IServiceCollection AddEcomOpsSecurity(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        services.AddOptions<SecurityOptions>()
            .Bind(configuration.GetSection(SecurityOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();

        var settings = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in settings.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }
        });

        if (!environment.IsDevelopment())
        {
            services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        }

        services.AddRateLimiter(SecurityPolicies.AddPolicies);
        return services;
    }

    /// <summary>
    /// Adds the headers to every response (pages, static files, endpoints, errors), then forwarded headers and HTTPS
    /// redirection with HSTS (outside Development, unless <c>EcomOps:Security:HttpsRedirection</c> is false), then the
    /// same-origin check (after forwarded headers, so it sees the host users opened). Call it
    /// first, so the headers are on responses the later middleware writes too.
    /// </summary>
    public static WebApplication UseEcomOpsSecurity(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        app.Use(AddHeaders);
        if (settings.ForwardedHeaders)
        {
            app.UseForwardedHeaders();
        }

        if (!app.Environment.IsDevelopment() && settings.HttpsRedirection)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.Use(SameOrigin.CheckAsync);
        return app;
    }

    /// <summary>
    /// The rate limiter with the <see cref="SecurityPolicies"/>. Call it after authentication, so a policy partitioned
    /// by user sees who signed in (before it, everyone is counted by address).
    /// </summary>
    public static WebApplication UseEcomOpsRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    private static Task AddHeaders(HttpContext http, RequestDelegate next)
    {
        // Hex, not base64: Blazor HTML-encodes '+' in attributes, which would make the markup and the header differ as text.
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;

        // Set when the response starts: the exception handler and the status code pages clear headers set earlier.
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(http);
    }
}
