using Bunit;
using EcomOps.Core;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Pages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EcomOps.Tests.Web;

/// <summary>The Settings page says where the data really is, for the backend in use.</summary>
public sealed class SettingsPageTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();
    private readonly TempDirectory _root = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public void OnLocal_ItShowsTheLakeFolder()
    {
        Register(new() { ["EcomOps:LakeBucket"] = "shop-lake" });

        var table = _context.Render<Settings>().Find(".backend-locations").TextContent;

        Assert.Contains("Local", table);
        Assert.Contains(Path.Combine(_root.Path, "lake", "shop-lake"), table);
        Assert.Contains(Path.Combine(_root.Path, "ops.db"), table);
    }

    [Fact]
    public void OnAws_ItShowsTheBucketAndRegion_NotALocalFolder()
    {
        Register(new() { ["EcomOps:Backend"] = "Aws", ["EcomOps:LakeBucket"] = "shop-lake", ["EcomOps:S3:Region"] = "eu-west-1" });

        var table = _context.Render<Settings>().Find(".backend-locations").TextContent;

        Assert.Contains("Aws", table);
        Assert.Contains("s3://shop-lake/", table);
        Assert.Contains("eu-west-1", table);
        Assert.DoesNotContain(Path.Combine(_root.Path, "lake"), table);
    }

    private void Register(Dictionary<string, string?> settings)
    {
        settings["EcomOps:DataRoot"] = _root.Path;
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddLogging();
        _context.Services.AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }
}
