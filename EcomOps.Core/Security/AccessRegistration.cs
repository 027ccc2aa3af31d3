using EcomOps.Core.Catalog;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EcomOps.Core.Security;

internal static class AccessRegistration
{
    /// <summary>
    /// The caller of a process with no sign-in (the CLI, tools, tests): its operating system user, with the role of
    /// <c>EcomOps:Auth:CliRole</c> (Admin unless set). The web app registers its own <see cref="IAccess"/> first.
    /// </summary>
    public static IServiceCollection AddAccess(this IServiceCollection services, Role processRole)
    {
        services.TryAddSingleton<IAccess>(new Access(Caller.ProcessUser(processRole)));
        return services;
    }

    /// <summary>Puts <see cref="CheckedWarehouse"/> and <see cref="CheckedCatalog"/> in front of whatever backend registered them.</summary>
    public static IServiceCollection CheckEngines(this IServiceCollection services)
    {
        Decorate<IWarehouse>(services, (inner, sp) => new CheckedWarehouse(inner, sp.GetRequiredService<IAccess>()));
        Decorate<ICatalog>(services, (inner, sp) => new CheckedCatalog(inner, sp.GetRequiredService<IAccess>()));
        return services;
    }

    private static void Decorate<T>(IServiceCollection services, Func<T, IServiceProvider, T> wrap)
        where T : class
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(T))
            ?? throw new InvalidOperationException($"No {typeof(T).Name} is registered to check.");
        services.Remove(registered);
        services.Add(ServiceDescriptor.Singleton<T>(sp => wrap(Resolve<T>(registered, sp), sp)));
    }

    private static T Resolve<T>(ServiceDescriptor registered, IServiceProvider sp)
        where T : class =>
        registered switch
        {
            { ImplementationInstance: T instance } => instance,
            { ImplementationFactory: { } factory } => (T)factory(sp),

            // Not by type: an instance built here would be outside the container and never disposed.
            _ => throw new InvalidOperationException(
                $"Register {typeof(T).Name} as an instance or a factory (sp => sp.GetRequiredService<TConcrete>()), so the container owns it and its access check can wrap it."),
        };
}
