using EcomOps.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Support;

/// <summary>Who Core sees in tests: the process's user (the CLI's and a bare host's caller), or someone named.</summary>
public static class TestCallers
{
    /// <summary>What runs, loads and queries started with no one signed in record: this machine's user, as for the CLI.</summary>
    public static string ProcessUser { get; } = Caller.ProcessUser(Role.Admin).Name;

    /// <summary>Makes <paramref name="name"/> with <paramref name="role"/> the caller of this test's flow until disposed.</summary>
    public static IDisposable As(this IServiceProvider services, string name, Role role) =>
        services.GetRequiredService<IAccess>().Use(new Caller(name, role, Vias.Password));

    public static IDisposable As(this CoreHost host, string name, Role role) => host.Services.As(name, role);
}
