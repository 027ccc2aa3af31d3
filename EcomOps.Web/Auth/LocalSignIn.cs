using EcomOps.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using EcomOps.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace EcomOps.Web.Auth;

/// <summary>The sign-in form's POST (local users) and sign-out, both with antiforgery (form posts validate it).</summary>
internal static class LocalSignIn
{
    public const string SignInPost = "/auth/signin";
    public const string SignOutPost = "/auth/signout";

    public static void MapLocalSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignInPost, async ([FromForm] SignInForm form, HttpContext http, LocalUsers users, ILogger<LocalUsers> logger) =>
        {
            var returnUrl = LocalReturnUrl(form.ReturnUrl);
            if (users.Check(form.Name, form.Password) is not { } caller)
            {
                // Names are logged, passwords never; repeated failures are what the rate limit is for.
                logger.LogWarning("Sign-in refused for {Name} from {Address}", form.Name, http.Connection.RemoteIpAddress);
                return Results.LocalRedirect($"{AuthSetup.SignInPath}?failed=1&returnUrl={Uri.EscapeDataString(returnUrl)}");
            }

            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, CallerClaims.Principal(caller, CookieAuthenticationDefaults.AuthenticationScheme));
            logger.LogInformation("{Name} signed in ({Role})", caller.Name, caller.Role);
            return Results.LocalRedirect(returnUrl);
        }).AllowAnonymous().RequireRateLimiting(SecurityPolicies.SignIn).WithName("SignIn");

        endpoints.MapPost(SignOutPost, async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(AuthSetup.SignInPath);

            // A POST without form parameters is not checked for antiforgery by default; sign-out must be, or any site
            // could sign people out.
        }).AllowAnonymous().WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    /// <summary>Only a path on this site: never another host (<c>//evil</c>, <c>/\evil</c>, <c>https://…</c>, <c>/\t/evil</c>).</summary>
    /// <remarks>
    /// Browsers drop tabs and newlines from a Location header, so <c>/%09/evil.com</c> would become <c>//evil.com</c>; and
    /// the OpenID Connect handler redirects to its return URL without checking it, so this is the only check there.
    /// </remarks>
    public static string LocalReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal)
            && !url.Any(char.IsControl)
            && !url.StartsWith(AuthSetup.SignInPath, StringComparison.OrdinalIgnoreCase)
            && !url.StartsWith(AuthSetup.DeniedPath, StringComparison.OrdinalIgnoreCase)
            ? url
            : "/";

    internal sealed class SignInForm
    {
        public string? Name { get; set; }

        public string? Password { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
