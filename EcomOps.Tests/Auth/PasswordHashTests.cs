using EcomOps.Core.Security;

namespace EcomOps.Tests.Auth;

/// <summary>The local users' PBKDF2 hashes: what <c>ecomops users hash-password</c> makes and sign-in checks.</summary>
public sealed class PasswordHashTests
{
    private const string Password = "correct horse battery staple";

    // One hash for the whole class: each takes 210,000 PBKDF2 rounds.
    private static readonly string Hash = PasswordHash.Create(Password);

    [Fact]
    public void Verify_ThePasswordItWasMadeFrom_Matches()
    {
        Assert.StartsWith("pbkdf2-sha512$210000$", Hash, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, Hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(Password, Hash));
        Assert.Null(PasswordHash.Problem(Hash));
    }

    [Theory]
    [InlineData("correct horse battery stapl")]
    [InlineData("Correct horse battery staple")]
    [InlineData("correct horse battery staple ")]
    [InlineData("")]
    public void Verify_AnyOtherPassword_DoesNotMatch(string other) => Assert.False(PasswordHash.Verify(other, Hash));

    [Fact]
    public void Create_TheSamePasswordTwice_GivesDifferentSalts()
    {
        var again = PasswordHash.Create(Password);

        Assert.NotEqual(Hash, again);
        Assert.True(PasswordHash.Verify(Password, again));
    }

    [Fact]
    public void Verify_HashWithOneByteChanged_DoesNotMatch()
    {
        var parts = Hash.Split('$');
        var bytes = Convert.FromBase64String(parts[3]);
        bytes[0] ^= 0x01;
        var tampered = string.Join('$', parts[0], parts[1], parts[2], Convert.ToBase64String(bytes));

        Assert.False(PasswordHash.Verify(Password, tampered));
    }

    [Fact]
    public void Verify_SaltChanged_DoesNotMatch()
    {
        var parts = Hash.Split('$');
        var salt = Convert.FromBase64String(parts[2]);
        salt[^1] ^= 0x80;

        Assert.False(PasswordHash.Verify(Password, string.Join('$', parts[0], parts[1], Convert.ToBase64String(salt), parts[3])));
    }

    [Fact]
    public void Verify_FewerIterationsThanStored_DoesNotMatch()
    {
        // Someone lowering the figure in settings to make guessing cheaper gets a hash that no longer matches.
        var lowered = Hash.Replace("$210000$", "$200000$", StringComparison.Ordinal);

        Assert.False(PasswordHash.Verify(Password, lowered));
    }

    [Theory]
    [InlineData(null, "it is empty")]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("correct horse battery staple", "never put the password itself in settings")]
    [InlineData("sha256$210000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==", "is not a 'pbkdf2-sha512$iterations$salt$hash' value")]
    [InlineData("pbkdf2-sha512$lots$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==", "ecomops users hash-password")]
    [InlineData("pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==", "is not a 'pbkdf2-sha512")]
    [InlineData("pbkdf2-sha512$210000$not base64!$aGFzaGhhc2hoYXNoaGFzaA==", "is not a 'pbkdf2-sha512")]
    [InlineData("pbkdf2-sha512$210000$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==", "is not a 'pbkdf2-sha512")]
    [InlineData("pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0", "is not a 'pbkdf2-sha512")]
    [InlineData("pbkdf2-sha512$-210000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==", "is not a 'pbkdf2-sha512")]
    public void Problem_MalformedHash_SaysWhatIsWrong_AndVerifyRefusesWithoutThrowing(string? hash, string expected)
    {
        var problem = PasswordHash.Problem(hash);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.False(PasswordHash.Verify(Password, hash ?? ""));
    }
}
