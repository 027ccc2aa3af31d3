using System.CommandLine;
using EcomOps.Cli.Commands;
using EcomOps.Core;
using EcomOps.Core.Security;
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

    /// <summary>Exit code when the caller's role does not allow the command (<c>EcomOps:Auth:CliRole</c>); nothing was done.</summary>
    public const int Denied = 77;

    /// <summary>Exit code after Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary><c>--data-root</c>, shared by every command; when given it wins over <c>EcomOps:DataRoot</c> from any source.</summary>
    public static Option<string> DataRoot { get; } = new("--data-root")
    {
        Description = "Folder for the lake, ops database and warehouse (overrides EcomOps:DataRoot from settings, environment or --EcomOps:DataRoot)",
        DefaultValueFactory = _ => "./data",
        Recursive = true,
    };

    /// <summary>
    /// Runs one command line. Settings come from the same sources as the dashboard's, each overriding the
    /// ones before: <c>appsettings.json</c> (beside the binary, then in the current directory, then
    /// <c>appsettings.{environment}.json</c>), <c>EcomOps__*</c> environment variables, <c>--EcomOps:Key=value</c>
    /// (or <c>--EcomOps:Key value</c>) anywhere on the command line, and last the command's own flags
    /// (<c>--data-root</c>) when given.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        await RunAsync(args, Console.In, stdout, stderr, cancellationToken);

    /// <inheritdoc cref="RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var (settings, commandLine) = SplitSettings(args);
        var root = new EcomOpsRootCommand(settings)
        {
            DataRoot,
            GenerateCommand.Create(stdout, stderr),
            LakeCommand.Create(stdout, stderr),
            ConvertCommand.Create(stdout, stderr),
            JobsCommand.Create(stdout, stderr),
            CatalogCommand.Crawl(stdout, stderr),
            CatalogCommand.Catalog(stdout, stderr),
            QueryCommand.Create(stdout, stderr),
            WarehouseCommand.Create(stdout, stderr),
            PipelineCommand.Create(stdout, stderr),
            AwsCommand.Create(stdout, stderr),
            CheckCommand.Create(stdout, stderr),
            UsersCommand.Create(stdin, stdout, stderr),
        };

        var parsed = root.Parse(commandLine);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(error.Message, keepLines: true)}");
            }

            await stderr.WriteLineAsync("Run 'ecomops --help' for usage.");
            return UsageError;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (AccessDeniedException e)
        {
            // The same check as the dashboard's, for the CLI's user (EcomOps:Auth:CliRole).
            await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
            return Denied;
        }
        catch (OperationCanceledException)
        {
            return Cancelled;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"Unhandled exception: {e}");
            return Failure;
        }
    }

    /// <summary>The Core services for a data root, configured as the web app would be.</summary>
    /// <summary>
    /// The statement a command was given, from <c>--sql</c> or <c>--file</c> (exactly one); null after saying on stderr
    /// what was wrong, for a usage error.
    /// </summary>
    internal static async Task<string?> StatementAsync(string? sql, string? path, string example, TextWriter stderr, CancellationToken cancellationToken)
    {
        if ((sql is null) == (path is null))
        {
            await stderr.WriteLineAsync($"error: give either --sql \"{example}\" or --file FILE.");
            return null;
        }

        if (path is null)
        {
            return sql;
        }

        if (!File.Exists(path))
        {
            await stderr.WriteLineAsync($"error: no file '{path}'.");
            return null;
        }

        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    internal static ServiceProvider Services(ParseResult parsed)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? "Production";
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // A command is short-lived: remote runs a stopped dashboard started are for the dashboard to follow.
                ["EcomOps:Jobs:ReattachRemoteRuns"] = "false",
            })
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile(Path.Combine(Environment.CurrentDirectory, $"appsettings.{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(parsed.RootCommandResult.Command is EcomOpsRootCommand root ? [.. root.Settings] : []);

        // A flag typed on this command line wins over every other source; its default does not.
        if (parsed.GetResult(DataRoot) is { Implicit: false })
        {
            builder.AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = parsed.GetValue(DataRoot) });
        }

        var services = new ServiceCollection()
            // The commands print each run's outcome themselves; the log adds only what went wrong unexpectedly.
            // Scopes on: a line logged during a run says which run (the runner's RunId scope).
            .AddLogging(logging => logging.AddSimpleConsole(console => console.IncludeScopes = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter("EcomOps.Core.Jobs.JobRunner", LogLevel.Error)
                .AddFilter("EcomOps.Core.Conversion.ParquetConverter", LogLevel.Error))
            .AddEcomOpsCore(builder.Build());
        // Not ValidateOnBuild: it costs every command ~14 ms; RegistrationTests build the same graph with it.
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Takes the <c>--EcomOps:Key=value</c> and <c>--EcomOps:Key value</c> settings out of the arguments, as the
    /// web host's command-line configuration reads them; the rest is the command line proper.
    /// </summary>
    private static (List<string> Settings, List<string> CommandLine) SplitSettings(string[] args)
    {
        var settings = new List<string>();
        var commandLine = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                commandLine.AddRange(args[i..]);
                break;
            }

            if (!arg.StartsWith("--EcomOps:", StringComparison.OrdinalIgnoreCase))
            {
                commandLine.Add(arg);
                continue;
            }

            settings.Add(arg);
            if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
            {
                settings.Add(args[++i]);
            }
        }

        return (settings, commandLine);
    }

    /// <summary>The root command, carrying the configuration settings taken off its command line.</summary>
    private sealed class EcomOpsRootCommand(IReadOnlyList<string> settings)
        : RootCommand("EcomOps: generate, load and watch an e-commerce data pipeline.")
    {
        public IReadOnlyList<string> Settings { get; } = settings;
    }
}
