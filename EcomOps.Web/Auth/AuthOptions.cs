using EcomOps.Core.Security;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Auth;

/// <summary>
/// <c>EcomOps:Auth</c>: how people sign in to the dashboard. With neither <see cref="Users"/> nor <see cref="Oidc"/>
/// set, a dashboard that listens on loopback only is used by one local Admin without sign-in; one that listens on
/// any other address lets nobody in until one of them is set.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = AuthSettings.Section;

    /// <summary><c>EcomOps:Auth:Users</c>: local users for small set-ups, each with a PBKDF2 hash (<c>ecomops users hash-password</c>).</summary>
    public List<LocalUser> Users { get; set; } = [];

    /// <summary><c>EcomOps:Auth:Oidc</c>: an OpenID Connect provider (Cognito, Entra ID, Keycloak...), used when its Authority is set.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary><c>EcomOps:Auth:SessionHours</c>: how long a sign-in lasts without use (sliding). Default 8.</summary>
    public double SessionHours { get; set; } = 8;

    /// <summary>Whether anyone can sign in: local users or a provider are configured.</summary>
    public bool SignInConfigured => Users.Count > 0 || Oidc.Enabled;
}

/// <summary>One local user: <c>EcomOps:Auth:Users:N:Name</c>, <c>:PasswordHash</c>, <c>:Role</c>.</summary>
public sealed class LocalUser
{
    public string Name { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    public Role Role { get; set; } = Role.Viewer;
}

/// <summary><c>EcomOps:Auth:Oidc</c>: the provider, the client, and which claim values give which role.</summary>
public sealed class OidcOptions
{
    /// <summary><c>:Authority</c>: the issuer URL, such as <c>https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC</c>.</summary>
    public string? Authority { get; set; }

    /// <summary><c>:ClientId</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary><c>:ClientSecret</c>: from an environment variable or a secret store, never a committed file.</summary>
    public string? ClientSecret { get; set; }

    /// <summary><c>:DisplayName</c>: on the sign-in button ("Sign in with …"). Default "single sign-on".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary><c>:Scopes</c>: beyond <c>openid</c>. Default <c>profile</c> and <c>email</c>.</summary>
    public List<string> Scopes { get; set; } = ["profile", "email"];

    /// <summary><c>:NameClaim</c>: the claim recorded as the user's name in the histories. Default <c>preferred_username</c>, then <c>email</c>, then <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary><c>:RoleClaim</c>: the claim whose values are mapped to roles, such as <c>cognito:groups</c>, <c>groups</c> or <c>roles</c>. Default <c>groups</c>.</summary>
    public string RoleClaim { get; set; } = "groups";

    /// <summary><c>:Roles</c>: claim value to role, such as <c>"ecomops-admins": "Admin"</c>. A user gets the highest role any of their values maps to.</summary>
    public Dictionary<string, Role> Roles { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>:DefaultRole</c>: the role of a user none of whose values is mapped; unset, such a user is refused.</summary>
    public Role? DefaultRole { get; set; }

    /// <summary><c>:RequireHttpsMetadata</c>: refuse a provider whose metadata is not on https. Default true; a test provider on loopback may turn it off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var key = $"{AuthOptions.Section}:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.Name))
            {
                failures.Add($"{key}:Name is empty; give each local user a name.");
            }
            else if (!names.Add(user.Name.Trim()))
            {
                failures.Add($"{key}:Name '{user.Name}' is there twice; each local user needs a name of their own.");
            }

            if (PasswordHash.Problem(user.PasswordHash) is { } problem)
            {
                failures.Add($"{key}:PasswordHash for '{user.Name}': {problem}.");
            }

            if (!Enum.IsDefined(user.Role))
            {
                failures.Add($"{key}:Role for '{user.Name}' is not a role; use one of {string.Join(", ", Enum.GetNames<Role>())}.");
            }
        }

        var oidc = options.Oidc;
        if (oidc.Enabled)
        {
            if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                failures.Add($"{AuthOptions.Section}:Oidc:Authority '{oidc.Authority}' is not an absolute http(s) URL; set the provider's issuer URL.");
            }
            else if (authority.Scheme == "http" && oidc.RequireHttpsMetadata)
            {
                failures.Add($"{AuthOptions.Section}:Oidc:Authority '{oidc.Authority}' is not https; use the provider's https issuer (or set Oidc:RequireHttpsMetadata to false for a test provider on this machine).");
            }

            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                failures.Add($"{AuthOptions.Section}:Oidc:ClientId is empty; set the app client's id registered with the provider.");
            }

            if (oidc.Roles.Count == 0 && oidc.DefaultRole is null)
            {
                failures.Add($"{AuthOptions.Section}:Oidc:Roles is empty and no DefaultRole is set, so nobody could do anything; map the provider's groups to roles, such as Oidc:Roles:ecomops-admins=Admin.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            failures.Add($"{AuthOptions.Section}:Oidc:ClientId is set but Oidc:Authority is not; set the provider's issuer URL too, or remove the client id.");
        }

        if (options.SessionHours is <= 0 or > 24 * 30)
        {
            failures.Add($"{AuthOptions.Section}:SessionHours is {options.SessionHours}; set a number of hours from 0.1 to 720 (default 8).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
