using EcomOps.Web.Auth;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Security;

/// <summary>
/// Refuses requests another web site's page makes with the user's browser: the circuit (<c>/_blazor</c>: negotiate,
/// websocket, long polling), through which every page action goes, and any request that is not a read. Browsers do not
/// apply CORS to websockets, so without this a page on any site could open a circuit here, with the user's sign-in
/// cookie where one is sent, or as the local admin where none is needed. A browser always sends <c>Origin</c> on a
/// websocket and on a cross-site POST; a request without one (curl, the load test, a same-origin GET) is not a browser
/// acting for another site and passes.
/// </summary>
internal static class SameOrigin
{
    private const string CircuitPath = "/_blazor";

    internal static Task CheckAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        // The OpenID Connect callback is posted by the provider's page, another site by design; the handler checks the
        // answer's state, nonce and signature, which a page of another site cannot forge.
        var guarded = request.Path.StartsWithSegments(CircuitPath, StringComparison.OrdinalIgnoreCase)
            || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
                || request.Path.Equals(OidcSignIn.CallbackPath, StringComparison.OrdinalIgnoreCase));
        if (!guarded || request.Headers.Origin is not [{ } origin, ..])
        {
            return next(http);
        }

        var allowed = http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.AllowedOrigins;
        if (Allows(origin, request.Host, allowed))
        {
            return next(http);
        }

        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(
            $"Refused: this request came from a page of '{origin}', not of this dashboard ({request.Host}). Open the dashboard at its own address; " +
            $"behind a proxy that changes the Host header, list the address users open in {SecurityOptions.Section}:AllowedOrigins.");
    }

    /// <summary>
    /// Whether a page of <paramref name="origin"/> may use this dashboard reached as <paramref name="host"/>: the same host
    /// name and port (the scheme is not compared, since a proxy that ends TLS makes https requests arrive as http), or an
    /// origin listed in <c>EcomOps:Security:AllowedOrigins</c>.
    /// </summary>
    internal static bool Allows(string origin, HostString host, IEnumerable<string> allowed)
    {
        if (allowed.Any(a => string.Equals(a.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // "null" (a sandboxed frame, a file) and anything else that is no absolute http(s) URL is no page of ours.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !host.HasValue)
        {
            return false;
        }

        // IdnHost: the punycode form, as a browser sends the Host header for an international name.
        if (!string.Equals(uri.IdnHost.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A Host without a port is the scheme's default one, and so is an origin without one: either way 80 or 443,
        // which a proxy in front may translate; compare ports only when the Host names one.
        return host.Port is not { } port || port == uri.Port;
    }
}
