using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EcomOps.Tests.Auth;

/// <summary>Who the stand-in signs in at <c>/authorize</c>.</summary>
public sealed record OidcTestUser(string Subject, string Name, string Email, IReadOnlyList<string> Groups);

/// <summary>How the id_token carries the groups: both shapes are seen from real providers.</summary>
public enum GroupsShape
{
    /// <summary><c>"groups": ["a", "b"]</c>: the handler makes one claim per group.</summary>
    JsonArray,

    /// <summary><c>"groups": "[\"a\",\"b\"]"</c>: one claim whose value is the JSON array's text.</summary>
    ArrayAsText,
}

/// <summary>Ways the stand-in misbehaves, each of which must not sign anyone in.</summary>
public enum OidcFault
{
    None,

    /// <summary>The redirect back carries a state the dashboard never sent.</summary>
    WrongState,

    /// <summary>The id_token's nonce is not the one the dashboard sent.</summary>
    WrongNonce,

    /// <summary>The id_token is signed by a key the JWKS does not publish.</summary>
    ForeignKey,
}

/// <summary>
/// A minimal OpenID Connect provider on 127.0.0.1 (random port): discovery, JWKS with an RSA key made per instance,
/// <c>/authorize</c> that signs in <see cref="User"/> at once, <c>/token</c> that checks the code, the client's id and
/// secret and the PKCE verifier before returning an RS256 id_token, and <c>/userinfo</c>.
/// </summary>
public sealed class OidcStandIn : IAsyncDisposable
{
    public const string ClientId = "ecomops-dashboard";
    public const string ClientSecret = "stand-in-secret-7f3a";

    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, OidcTestUser> _accessTokens = new();
    private readonly RsaSecurityKey _key = NewKey("stand-in-key");
    private readonly RsaSecurityKey _foreignKey = NewKey("stand-in-key");
    private readonly WebApplication _app;

    private OidcStandIn(WebApplication app) => _app = app;

    public string Issuer { get; private set; } = "";

    public OidcTestUser User { get; set; } = new("u-1", "ada", "ada@example.test", []);

    public GroupsShape Shape { get; set; } = GroupsShape.JsonArray;

    public OidcFault Fault { get; set; } = OidcFault.None;

    /// <summary>Token requests refused, with why, so a test can tell a refused exchange from one never made.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>The dashboard's settings that point at this provider.</summary>
    public Dictionary<string, string> Settings(IReadOnlyDictionary<string, string> roles) =>
        new Dictionary<string, string>
        {
            ["EcomOps:Auth:Oidc:Authority"] = Issuer,
            ["EcomOps:Auth:Oidc:ClientId"] = ClientId,
            ["EcomOps:Auth:Oidc:ClientSecret"] = ClientSecret,
            ["EcomOps:Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["EcomOps:Auth:Oidc:DisplayName"] = "Stand-in SSO",
        }.Concat(roles.Select(r => KeyValuePair.Create($"EcomOps:Auth:Oidc:Roles:{r.Key}", r.Value)))
            .ToDictionary();

    public static async Task<OidcStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var standIn = new OidcStandIn(builder.Build());
        standIn.Map();
        await standIn._app.StartAsync();
        var address = standIn._app.Urls.Single();
        standIn.Issuer = address.TrimEnd('/');
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static RsaSecurityKey NewKey(string id) => new(RSA.Create(2048)) { KeyId = id };

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{Issuer}/authorize",
            ["token_endpoint"] = $"{Issuer}/token",
            ["userinfo_endpoint"] = $"{Issuer}/userinfo",
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "form_post" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        }));

        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
        });

        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256"
                || string.IsNullOrEmpty(q["code_challenge"]) || string.IsNullOrEmpty(q["redirect_uri"]))
            {
                return Results.BadRequest("authorize: wrong client_id, response_type or missing PKCE challenge / redirect_uri");
            }

            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _codes[code] = new Grant(User, q["redirect_uri"]!, q["code_challenge"]!, q["nonce"].ToString());
            var state = Fault == OidcFault.WrongState ? "forged-state" : q["state"].ToString();
            var redirect = q["redirect_uri"].ToString();
            if (q["response_mode"] == "form_post")
            {
                // What real providers answer for form_post: a page that posts the code back at once.
                var html = $"""
                    <html><body onload="document.forms[0].submit()"><form method="post" action="{WebUtility.HtmlEncode(redirect)}">
                    <input type="hidden" name="code" value="{code}"/><input type="hidden" name="state" value="{WebUtility.HtmlEncode(state)}"/>
                    </form></body></html>
                    """;
                return Results.Content(html, "text/html");
            }

            return Results.Redirect($"{redirect}?code={code}&state={Uri.EscapeDataString(state)}");
        });

        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var (id, secret) = ClientCredentials(request, form);
            if (id != ClientId || secret != ClientSecret)
            {
                return Refuse("invalid_client", $"client '{id}' with a wrong or missing secret");
            }

            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var grant))
            {
                return Refuse("invalid_grant", "unknown or reused code");
            }

            if (form["redirect_uri"] != grant.RedirectUri)
            {
                return Refuse("invalid_grant", "redirect_uri differs from the one at /authorize");
            }

            var verifier = form["code_verifier"].ToString();
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            if (verifier.Length < 43 || challenge != grant.CodeChallenge)
            {
                return Refuse("invalid_grant", "PKCE code_verifier does not match the code_challenge");
            }

            var accessToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _accessTokens[accessToken] = grant.User;
            return Results.Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 300, id_token = IdToken(grant) });
        });

        _app.MapGet("/userinfo", (HttpRequest request) =>
        {
            var bearer = request.Headers.Authorization.ToString();
            return bearer.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(bearer["Bearer ".Length..], out var user)
                ? Results.Json(new { sub = user.Subject, preferred_username = user.Name, email = user.Email })
                : Results.Unauthorized();
        });
    }

    private IResult Refuse(string error, string why)
    {
        Refusals.Enqueue(why);
        return Results.Json(new { error, error_description = why }, statusCode: StatusCodes.Status400BadRequest);
    }

    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null);
        }

        return (form["client_id"], form["client_secret"]);
    }

    private string IdToken(Grant grant)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = grant.User.Subject,
            ["nonce"] = Fault == OidcFault.WrongNonce ? "not-the-nonce-sent" : grant.Nonce,
            ["preferred_username"] = grant.User.Name,
            ["email"] = grant.User.Email,
        };
        if (grant.User.Groups.Count > 0)
        {
            claims["groups"] = Shape == GroupsShape.JsonArray
                ? grant.User.Groups.ToArray()
                : System.Text.Json.JsonSerializer.Serialize(grant.User.Groups);
        }

        var key = Fault == OidcFault.ForeignKey ? _foreignKey : _key;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private sealed record Grant(OidcTestUser User, string RedirectUri, string CodeChallenge, string Nonce);
}
