using Microsoft.Extensions.Configuration;

namespace EcomOps.Core.Security;

/// <summary>The <c>EcomOps:Auth</c> settings Core itself reads; the web app's sign-in settings are in the same section.</summary>
public static class AuthSettings
{
    public const string Section = "EcomOps:Auth";

    /// <summary><c>EcomOps:Auth:CliRole</c>: the role of whoever runs the CLI on this machine. Admin unless set.</summary>
    public const string CliRoleKey = Section + ":CliRole";

    /// <summary>The CLI's role from <see cref="CliRoleKey"/>.</summary>
    /// <exception cref="InvalidOperationException">It is set to something that is not a role.</exception>
    public static Role CliRole(IConfiguration configuration)
    {
        var value = configuration[CliRoleKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return Role.Admin;
        }

        return Enum.TryParse<Role>(value.Trim(), ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new InvalidOperationException($"{CliRoleKey} is '{value}'; set one of {string.Join(", ", Enum.GetNames<Role>())}, or leave it unset for Admin.");
    }
}
