using EcomOps.Web.Auth;

namespace EcomOps.Tests.Auth;

/// <summary>
/// Where the browser goes after signing in: only a path on this dashboard. The value arrives once URL-decoded (query
/// binding), so the encoded attempts below are what an attacker's link turns into.
/// </summary>
public sealed class LocalReturnUrlTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/jobs")]
    [InlineData("/query?sql=select%201&tab=2")]
    [InlineData("/lake/raw/customer_data.csv")]
    [InlineData("/%2F%2Fevil.com")]
    public void LocalReturnUrl_APathOnThisSite_IsKept(string url) => Assert.Equal(url, LocalSignIn.LocalReturnUrl(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("//evil.com")]
    [InlineData("//evil.com/jobs")]
    [InlineData("/\\evil.com")]
    [InlineData("\\\\evil.com")]
    [InlineData("https://evil.com")]
    [InlineData("http://evil.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.com")]
    [InlineData("/redirect?to=https://evil.com")]
    [InlineData("/signin")]
    [InlineData("/signin?returnUrl=%2F%2Fevil.com")]
    [InlineData("/SignIn?failed=1")]
    [InlineData("%2F%2Fevil.com")]
    [InlineData("/\t/evil.com")]
    [InlineData("/\n/evil.com")]
    [InlineData("/\r\n/evil.com")]
    public void LocalReturnUrl_AnotherHostOrTheSignInPage_GoesHome(string? url) => Assert.Equal("/", LocalSignIn.LocalReturnUrl(url));
}
