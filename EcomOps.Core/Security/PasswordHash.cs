using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EcomOps.Core.Security;

/// <summary>
/// Password hashes for the local users of <c>EcomOps:Auth:Users</c>: PBKDF2 with HMAC-SHA512, 210,000 iterations
/// (OWASP's figure for it), a 16-byte random salt, as <c>pbkdf2-sha512$210000$salt$hash</c> in base64.
/// <c>ecomops users hash-password</c> makes one; settings only ever hold the hash.
/// </summary>
public static class PasswordHash
{
    public const string Scheme = "pbkdf2-sha512";
    public const int Iterations = 210_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A new hash of <paramref name="password"/>, with a fresh salt.</summary>
    public static string Create(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>, compared in constant time.</summary>
    public static bool Verify(string password, string hash)
    {
        if (Parse(hash) is not { } parsed || string.IsNullOrEmpty(password))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), parsed.Salt, parsed.Iterations, HashAlgorithmName.SHA512, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    /// <summary>What is wrong with <paramref name="hash"/> as a stored hash, or null when it is one.</summary>
    public static string? Problem(string? hash) =>
        string.IsNullOrWhiteSpace(hash) ? "it is empty"
        : Parse(hash) is null ? $"it is not a '{Scheme}$iterations$salt$hash' value (make one with 'ecomops users hash-password'; never put the password itself in settings)"
        : null;

    private static (int Iterations, byte[] Salt, byte[] Hash)? Parse(string hash)
    {
        var parts = hash.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 10_000)
        {
            return null;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var value = Convert.FromBase64String(parts[3]);
            return salt.Length >= 8 && value.Length >= 16 ? (iterations, salt, value) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
