using System.Security.Claims;
using EcomOps.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace EcomOps.Web.Auth;

/// <summary>
/// OpenID Connect (authorization code with PKCE): the provider signs people in, its claims are mapped to one EcomOps
/// role (<see cref="OidcOptions.Roles"/>), and the dashboard's own cookie keeps the name and role.
/// </summary>
internal static class OidcSignIn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string ChallengePath = "/auth/oidc";

    /// <summary>Where the provider sends the browser back. Its answer is a form the provider's page posts here (form_post).</summary>
    public const string CallbackPath = "/signin-oidc";

    public static AuthenticationBuilder AddEcomOpsOidc(this AuthenticationBuilder builder, OidcOptions settings) =>
        builder.AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.CallbackPath = CallbackPath;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.MapInboundClaims = false;
            o.Scope.Clear();
            o.Scope.Add("openid");
            foreach (var scope in settings.Scopes.Where(s => !string.IsNullOrWhiteSpace(s)))
            {
                o.Scope.Add(scope);
            }

            o.Events.OnTicketReceived = context =>
            {
                // The provider's claims become one name and one role; a user with no mapped role is not let in.
                var caller = ToCaller(context.Principal!, settings);
                if (caller is null)
                {
                    context.Response.Redirect($"{AuthSetup.SignInPath}?norole={Uri.EscapeDataString(NameOf(context.Principal!, settings) ?? "?")}");
                    context.HandleResponse();
                    return Task.CompletedTask;
                }

                context.Principal = CallerClaims.Principal(caller, CookieAuthenticationDefaults.AuthenticationScheme);
                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect($"{AuthSetup.SignInPath}?oidcfailed=1");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });

    public static void MapOidcSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ChallengePath, (string? returnUrl, IOptions<AuthOptions> options) =>
            options.Value.Oidc.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalSignIn.LocalReturnUrl(returnUrl) }, [Scheme])
                : Results.NotFound()).AllowAnonymous();
    }

    /// <summary>The caller a provider's principal maps to: its name claim, and the highest role its role claim's values map to.</summary>
    internal static Caller? ToCaller(ClaimsPrincipal principal, OidcOptions settings)
    {
        if (NameOf(principal, settings) is not { } name)
        {
            return null;
        }

        var mapped = principal.FindAll(settings.RoleClaim)
            .SelectMany(c => Values(c.Value))
            .Select(v => settings.Roles.TryGetValue(v, out var role) ? role : (Role?)null)
            .Where(r => r is not null)
            .Max() ?? settings.DefaultRole;
        return mapped is { } found ? new Caller(name, found, Vias.OpenIdConnect) : null;
    }

    private static string? NameOf(ClaimsPrincipal principal, OidcOptions settings) =>
        new[] { settings.NameClaim, "preferred_username", "email", "sub" }
            .Select(t => principal.FindFirst(t)?.Value)
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    // Some providers send a group list as one JSON array value, others as one claim per group. A group that only
    // looks like JSON ("[beta] testers") is a group name: throwing here would fail the whole sign-in with a 500.
    private static IEnumerable<string> Values(string value)
    {
        if (!value.StartsWith('['))
        {
            return [value];
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<string[]>(value) ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [value];
        }
    }
}
