using EcomOps.Core;
using EcomOps.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Repository;

/// <summary>Every service both backends register can be built: a missing registration fails here, not in a user's command.</summary>
public sealed class RegistrationTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("Local")]
    [InlineData("Aws")]
    public void TheServiceGraph_OfEachBackend_BuildsWithEveryDependencyResolved(string backend)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EcomOps:DataRoot"] = _root.Path,
            ["EcomOps:Backend"] = backend,
            ["EcomOps:S3:Region"] = "eu-west-1",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddEcomOpsCore(configuration);

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Equal(backend, provider.GetRequiredService<BackendDescription>().Backend.ToString());
    }
}
