using System.Security.Claims;
using Bunit;
using EcomOps.Core;
using EcomOps.Core.Security;
using EcomOps.Web.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EcomOps.Tests.Support;

/// <summary>
/// bunit with MudBlazor and Core's real services over a data root, as the dashboard registers them. Tests take a
/// <see cref="DashboardContext"/>, which adds these over a data root of its own and deletes it afterwards.
/// </summary>
public static class BunitSetup
{
    /// <param name="caller">Who uses the pages, for Core's checks and the pages' buttons alike; this process's user as Admin by default.</param>
    public static BunitContext AddDashboardServices(this BunitContext context, string dataRoot, Caller? caller = null)
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLogging();
        context.SignInAs(caller ?? Caller.ProcessUser(Role.Admin));
        context.Services.AddEcomOpsCore(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = dataRoot })
            .Build());
        return context;
    }

    /// <summary>
    /// Finds the element and clicks it in one renderer turn. Between a separate find and click, a render (a background load
    /// of the page finishing) gives the element's handlers new ids, and bunit refuses the click of the one found before.
    /// </summary>
    public static Task ClickAsync<TComponent>(this IRenderedComponent<TComponent> page, string selector)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        page.InvokeAsync(() => page.Find(selector).Click());

    /// <summary>
    /// Signs <paramref name="caller"/> in as the dashboard would: the circuit's principal carries their name and role, and
    /// Core's caller is them. Call before Core's services are added (its own default caller is a TryAdd).
    /// </summary>
    public static BunitContext SignInAs(this BunitContext context, Caller caller)
    {
        context.Services.AddSingleton<IAccess>(new Access(caller));
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(caller.Name);
        authorization.SetClaims(new Claim(CallerClaims.RoleType, caller.Role.ToString()), new Claim(CallerClaims.ViaType, caller.Via));
        context.Services.AddScoped<CircuitUser>();
        return context;
    }
}
