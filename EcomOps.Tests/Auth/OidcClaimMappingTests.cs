using System.Security.Claims;
using EcomOps.Core.Security;
using EcomOps.Web.Auth;

namespace EcomOps.Tests.Auth;

/// <summary>How a provider's claims become the one name and role the dashboard keeps (<c>OidcSignIn.ToCaller</c>).</summary>
public sealed class OidcClaimMappingTests
{
    private static OidcOptions Settings(Role? defaultRole = null) => new()
    {
        Roles = new() { ["ecomops-viewers"] = Role.Viewer, ["ecomops-analysts"] = Role.Analyst, ["ecomops-admins"] = Role.Admin },
        DefaultRole = defaultRole,
    };

    [Fact]
    public void ToCaller_OneClaimPerGroup_TakesTheHighestMappedRole()
    {
        var caller = OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "staff"), ("groups", "ecomops-viewers"), ("groups", "ecomops-admins"), ("groups", "ecomops-analysts")), Settings());

        Assert.Equal(new Caller("ada", Role.Admin, Vias.OpenIdConnect), caller);
    }

    [Fact]
    public void ToCaller_GroupsAsOneJsonArrayValue_AreReadAsSeveral()
    {
        var caller = OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", """["staff","ecomops-analysts"]""")), Settings());

        Assert.Equal(Role.Analyst, caller?.Role);
    }

    [Theory]
    [InlineData("[beta] testers")]
    [InlineData("[1, 2]")]
    [InlineData("[")]
    public void ToCaller_GroupThatOnlyLooksLikeJson_IsAPlainGroupName_NotASignInFailure(string group)
    {
        var settings = Settings();
        settings.Roles[group] = Role.Analyst;

        var caller = OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", group)), settings);

        Assert.Equal(Role.Analyst, caller?.Role);
    }

    [Fact]
    public void ToCaller_NoMappedGroupAndNoDefault_IsNobody()
    {
        Assert.Null(OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "staff")), Settings()));
        Assert.Null(OidcSignIn.ToCaller(Principal(("preferred_username", "ada")), Settings()));
    }

    [Fact]
    public void ToCaller_GroupNamesDifferingInCase_AreNotMapped()
    {
        // Providers treat group names as exact strings; "ECOMOPS-ADMINS" may be another group altogether.
        Assert.Null(OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "ECOMOPS-ADMINS")), Settings()));
    }

    [Fact]
    public void ToCaller_NoMappedGroupWithADefault_GetsTheDefault()
    {
        Assert.Equal(Role.Viewer, OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "staff")), Settings(Role.Viewer))?.Role);

        // A mapped group still wins over the default.
        Assert.Equal(Role.Admin, OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "ecomops-admins")), Settings(Role.Viewer))?.Role);
    }

    [Fact]
    public void ToCaller_OtherRoleClaim_IsTheOneRead()
    {
        var settings = Settings();
        settings.RoleClaim = "cognito:groups";

        var caller = OidcSignIn.ToCaller(Principal(("preferred_username", "ada"), ("groups", "ecomops-admins"), ("cognito:groups", "ecomops-viewers")), settings);

        Assert.Equal(Role.Viewer, caller?.Role);
    }

    [Fact]
    public void ToCaller_Name_ComesFromNameClaimThenPreferredUsernameThenEmailThenSub()
    {
        var settings = Settings(Role.Viewer);
        settings.NameClaim = "name";

        Assert.Equal("Ada Lovelace", OidcSignIn.ToCaller(Principal(("name", "Ada Lovelace"), ("preferred_username", "ada"), ("sub", "u-1")), settings)?.Name);
        Assert.Equal("ada", OidcSignIn.ToCaller(Principal(("name", " "), ("preferred_username", "ada"), ("email", "ada@example.test")), settings)?.Name);
        Assert.Equal("ada@example.test", OidcSignIn.ToCaller(Principal(("email", "ada@example.test"), ("sub", "u-1")), settings)?.Name);
        Assert.Equal("u-1", OidcSignIn.ToCaller(Principal(("sub", "u-1")), settings)?.Name);
        Assert.Null(OidcSignIn.ToCaller(Principal(("groups", "ecomops-admins")), settings));
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "oidc"));
}
