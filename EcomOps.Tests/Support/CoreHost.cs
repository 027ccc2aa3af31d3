using EcomOps.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Support;

/// <summary>Core's real services over a temporary data root, as the web app and CLI register them.</summary>
public sealed class CoreHost : IDisposable
{
    private readonly TempDirectory _root = new();

    public CoreHost(Action<IServiceCollection>? configure = null, Dictionary<string, string?>? configuration = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["EcomOps:DataRoot"] = _root.Path,
            ["EcomOps:SeedSampleData"] = "false",
        };
        foreach (var (key, value) in configuration ?? [])
        {
            settings[key] = value;
        }

        var built = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        configure?.Invoke(services);
        services.AddEcomOpsCore(built);
        services.AddJobHandler<Jobs.TestJobHandler>();
        Services = services.BuildServiceProvider();
    }

    public ServiceProvider Services { get; }

    public string DataRoot => _root.Path;

    public string LakePath => Path.Combine(_root.Path, "lake", "ecomops-lake");

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public void Dispose()
    {
        // As a host stops: its hosted services first (the runner, which tells its runs EcomOps is stopping), then the
        // container. Disposing the container alone can dispose what a remote run polls with (the AWS client's
        // resilience pipeline) before the runner knows it is stopping, and the run would end Failed instead of left running.
        try
        {
            Services.GetRequiredService<EcomOps.Core.Jobs.JobRunner>().DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
            // Settings a test gave to see them refused: the runner never could start, so nothing runs.
        }

        Services.Dispose();
        _root.Dispose();
    }
}
