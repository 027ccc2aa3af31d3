using System.CommandLine;
using EcomOps.Cli.Commands;
using EcomOps.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Cli;

/// <summary>The <c>ecomops</c> command line: a thin front over the same Core services the dashboard uses.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input: unknown options, invalid values. Nothing was changed.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the work itself failed.</summary>
    public const int Failure = 1;

    /// <summary>Exit code after Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary><c>--data-root</c>, shared by every command.</summary>
    public static Option<string> DataRoot { get; } = new("--data-root")
    {
        Description = "Folder for the lake, ops database and warehouse (same as EcomOps:DataRoot)",
        DefaultValueFactory = _ => "./data",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("EcomOps: generate, load and watch an e-commerce data pipeline.")
        {
            DataRoot,
            GenerateCommand.Create(stdout, stderr),
            LakeCommand.Create(stdout, stderr),
            ConvertCommand.Create(stdout, stderr),
            JobsCommand.Create(stdout, stderr),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("Run 'ecomops --help' for usage.");
            return UsageError;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken);
    }

    /// <summary>The Core services for a data root, configured as the web app would be.</summary>
    internal static ServiceProvider Services(ParseResult parsed)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EcomOps:DataRoot"] = parsed.GetValue(DataRoot),
                ["EcomOps:SeedSampleData"] = "false",

                // A command is short-lived: remote runs a stopped dashboard started are for the dashboard to follow.
                ["EcomOps:Jobs:ReattachRemoteRuns"] = "false",
            })
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection()
            // The commands print each run's outcome themselves; the log adds only what went wrong unexpectedly.
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
                .AddFilter("EcomOps.Core.Jobs.JobRunner", LogLevel.Error)
                .AddFilter("EcomOps.Core.Conversion.ParquetConverter", LogLevel.Error))
            .AddEcomOpsCore(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
