using System.Security.Claims;
using EcomOps.Core.Security;

namespace EcomOps.Web.Auth;

/// <summary>How a signed-in person is carried in the sign-in cookie: their name, one EcomOps role, and how they signed in.</summary>
public static class CallerClaims
{
    public const string RoleType = "ecomops_role";
    public const string ViaType = "ecomops_via";

    /// <summary>The principal of <paramref name="caller"/>, authenticated by <paramref name="scheme"/>.</summary>
    public static ClaimsPrincipal Principal(Caller caller, string scheme) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller.Name), new Claim(RoleType, caller.Role.ToString()), new Claim(ViaType, caller.Via)],
            scheme,
            ClaimTypes.Name,
            RoleType));

    /// <summary>The caller a principal stands for, or null when it is not signed in or has no EcomOps role.</summary>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity is not { IsAuthenticated: true } identity
            || principal.FindFirst(RoleType)?.Value is not { } role
            || !Enum.TryParse<Role>(role, out var parsed)
            || string.IsNullOrWhiteSpace(identity.Name))
        {
            return null;
        }

        return new Caller(identity.Name, parsed, principal.FindFirst(ViaType)?.Value ?? identity.AuthenticationType ?? "");
    }
}
