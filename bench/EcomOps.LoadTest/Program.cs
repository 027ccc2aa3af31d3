using EcomOps.Bench;
using EcomOps.LoadTest;

const int BadCommandLine = 2;
const int DebugBuildRefused = 3;
const int Cancelled = 130;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help" || args[0] != LoadRun.Command)
{
    var help = args.Length > 0 && args[0] is "-h" or "--help" or "help";
    (help ? Console.Out : Console.Error).WriteLine("EcomOps load test. Run in Release (bench/load.sh builds, publishes and runs it):\n  dotnet run -c Release --project bench/EcomOps.LoadTest -- " + LoadSettings.Usage.TrimStart());
    return help ? 0 : BadCommandLine;
}

using var cancellation = new CancellationTokenSource();

// Ctrl+C cancels instead of killing, so the dashboard process and its temporary data root are still removed.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var options = new BenchArguments(args.Skip(1));
    if (!BuildCheck.IsOptimized(typeof(LoadRun).Assembly) && !options.Flag("--allow-debug"))
    {
        Console.Error.WriteLine("Built in Debug: the load generator's own CPU would be overstated. Run with -c Release, or add --allow-debug to check the tool itself.");
        return DebugBuildRefused;
    }

    options.Flag("--allow-debug");
    return await LoadRun.RunAsync(options, new BenchReport(Console.Out), cancellation.Token);
}
catch (BenchArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadSettings.Usage);
    return BadCommandLine;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return Cancelled;
}
