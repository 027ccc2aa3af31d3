using Bunit;
using EcomOps.Core.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Support;

/// <summary>
/// A bunit context with MudBlazor and Core's real services over a fresh data root of its own, as the dashboard registers
/// them (<see cref="BunitSetup.AddDashboardServices"/>); disposing it stops the services, then deletes the data root.
/// </summary>
/// <remarks>
/// Services may still be added or configured (Core registers with <c>TryAdd</c>, so those meant to replace Core's go in
/// <c>overrides</c>) until the first render or <see cref="Get{T}"/>, which builds the provider.
/// </remarks>
public sealed class DashboardContext : BunitContext
{
    private readonly TempDirectory _root = new();

    /// <param name="caller">Who uses the pages; this process's user as Admin by default.</param>
    /// <param name="overrides">Registrations made before Core's, such as an object store the test can make fail.</param>
    public DashboardContext(Caller? caller = null, Action<IServiceCollection>? overrides = null)
    {
        overrides?.Invoke(Services);
        this.AddDashboardServices(DataRoot, caller);
    }

    /// <summary>The data root Core's services use (<c>EcomOps:DataRoot</c>): the ops database, the warehouse, the lake.</summary>
    public string DataRoot => _root.Path;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Disposes the rendered components and the services as disposing the context does, so the ops database and the
    /// warehouse are closed and their files complete, but keeps the data root for the test to read; disposing deletes it.
    /// </summary>
    public async ValueTask StopServicesAsync()
    {
        // Idempotent: bunit's own dispose returns at once the second time.
        await base.DisposeAsyncCore();
        // The pool keeps the ops database's connections, and so the file, open after the services are gone.
        SqliteConnection.ClearAllPools();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await StopServicesAsync();
        _root.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            _root.Dispose();
        }
    }
}
