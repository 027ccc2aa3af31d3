using Bunit;
using EcomOps.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EcomOps.Tests.Support;

/// <summary>bunit with MudBlazor and Core's real services over a data root, as the dashboard registers them.</summary>
public static class BunitSetup
{
    public static BunitContext AddDashboardServices(this BunitContext context, string dataRoot)
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLogging();
        context.Services.AddEcomOpsCore(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = dataRoot })
            .Build());
        return context;
    }
}
