using EcomOps.Core.Security;
using EcomOps.Web.Auth;

namespace EcomOps.Tests.Auth;

/// <summary>What start-up says about <c>EcomOps:Auth</c> settings that cannot work: each message names the key and the fix.</summary>
public sealed class AuthOptionsValidatorTests
{
    private static readonly string Hash = PasswordHash.Create("a long enough password");

    [Fact]
    public void Validate_UsersAndProviderSetUpRight_Passes()
    {
        var options = new AuthOptions
        {
            Users = [new LocalUser { Name = "ada", PasswordHash = Hash, Role = Role.Admin }, new LocalUser { Name = "bob", PasswordHash = Hash }],
            Oidc = new OidcOptions { Authority = "https://idp.example.com/realm", ClientId = "ecomops", Roles = new() { ["ops"] = Role.Operator } },
        };

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Validate_SameNameTwice_NamesTheSecondEntry()
    {
        var options = new AuthOptions { Users = [new LocalUser { Name = "ada", PasswordHash = Hash }, new LocalUser { Name = " ADA ", PasswordHash = Hash }] };

        var failure = Assert.Single(Failures(options));
        Assert.Contains("EcomOps:Auth:Users:1:Name ' ADA ' is there twice", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PlainPasswordInPasswordHash_IsRefusedSayingHowToMakeAHash()
    {
        var options = new AuthOptions { Users = [new LocalUser { Name = "ada", PasswordHash = "hunter2hunter2" }] };

        var failure = Assert.Single(Failures(options));
        Assert.StartsWith("EcomOps:Auth:Users:0:PasswordHash for 'ada':", failure, StringComparison.Ordinal);
        Assert.Contains("ecomops users hash-password", failure, StringComparison.Ordinal);
        Assert.Contains("never put the password itself in settings", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UserWithoutNameOrWithUnknownRole_SaysSo()
    {
        var options = new AuthOptions { Users = [new LocalUser { Name = " ", PasswordHash = Hash }, new LocalUser { Name = "bob", PasswordHash = Hash, Role = (Role)9 }] };

        var failures = Failures(options);

        Assert.Contains(failures, f => f.StartsWith("EcomOps:Auth:Users:0:Name is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("EcomOps:Auth:Users:1:Role for 'bob' is not a role; use one of Viewer, Analyst, Operator, Admin", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClientIdWithoutAuthority_IsHalfConfigured()
    {
        var options = new AuthOptions { Oidc = new OidcOptions { ClientId = "ecomops" } };

        var failure = Assert.Single(Failures(options));
        Assert.Contains("EcomOps:Auth:Oidc:ClientId is set but Oidc:Authority is not", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AuthorityWithoutClientId_IsHalfConfigured()
    {
        var options = new AuthOptions { Oidc = new OidcOptions { Authority = "https://idp.example.com", Roles = new() { ["ops"] = Role.Operator } } };

        var failure = Assert.Single(Failures(options));
        Assert.StartsWith("EcomOps:Auth:Oidc:ClientId is empty", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ProviderWithNoRolesMappedAndNoDefault_SaysNobodyCouldDoAnything()
    {
        var options = new AuthOptions { Oidc = new OidcOptions { Authority = "https://idp.example.com", ClientId = "ecomops" } };

        var failure = Assert.Single(Failures(options));
        Assert.Contains("EcomOps:Auth:Oidc:Roles is empty and no DefaultRole is set", failure, StringComparison.Ordinal);

        options.Oidc.DefaultRole = Role.Viewer;
        Assert.Empty(Failures(options));
    }

    [Theory]
    [InlineData("idp.example.com", "is not an absolute http(s) URL")]
    [InlineData("ftp://idp.example.com", "is not an absolute http(s) URL")]
    [InlineData("http://idp.example.com", "is not https")]
    public void Validate_AuthorityNotAnHttpsUrl_SaysSo(string authority, string expected)
    {
        var options = new AuthOptions { Oidc = new OidcOptions { Authority = authority, ClientId = "ecomops", Roles = new() { ["ops"] = Role.Operator } } };

        var failure = Assert.Single(Failures(options));
        Assert.Contains($"EcomOps:Auth:Oidc:Authority '{authority}' {expected}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpAuthorityWithHttpsMetadataOff_IsAllowedForATestProvider()
    {
        var options = new AuthOptions
        {
            Oidc = new OidcOptions { Authority = "http://127.0.0.1:5999", ClientId = "ecomops", RequireHttpsMetadata = false, Roles = new() { ["ops"] = Role.Operator } },
        };

        Assert.Empty(Failures(options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(721)]
    public void Validate_SessionHoursOutOfRange_SaysTheRange(double hours)
    {
        var failure = Assert.Single(Failures(new AuthOptions { SessionHours = hours }));
        Assert.Contains("EcomOps:Auth:SessionHours", failure, StringComparison.Ordinal);
        Assert.Contains("from 0.1 to 720", failure, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> Failures(AuthOptions options) =>
        new AuthOptionsValidator().Validate(null, options) is { Failed: true } result ? result.Failures.ToList() : [];
}
