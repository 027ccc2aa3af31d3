using EcomOps.Core.Security;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Auth;

/// <summary>The local users of <c>EcomOps:Auth:Users</c>, checked by name and password.</summary>
public sealed class LocalUsers(IOptions<AuthOptions> options)
{
    // Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
    private static readonly string Decoy = PasswordHash.Create(Guid.NewGuid().ToString("N"));

    /// <summary>The caller for a correct name and password, else null (the same for an unknown name and a wrong password).</summary>
    public Caller? Check(string? name, string? password)
    {
        var user = options.Value.Users.FirstOrDefault(u => string.Equals(u.Name.Trim(), name?.Trim(), StringComparison.OrdinalIgnoreCase));
        var ok = PasswordHash.Verify(password ?? "", user?.PasswordHash ?? Decoy);
        return user is not null && ok ? new Caller(user.Name.Trim(), user.Role, Vias.Password) : null;
    }
}
