using EcomOps.Bench;
using EcomOps.Core.Generation;

const int ChecksFailed = 1;
const int BadCommandLine = 2;
const int DebugBuildRefused = 3;
const int Cancelled = 130;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    PrintUsage(args.Length == 0 ? Console.Error : Console.Out);
    return args.Length == 0 ? BadCommandLine : 0;
}

using var cancellation = new CancellationTokenSource();

// Ctrl+C cancels instead of killing the process, so the temporary folder of large files is still removed.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var benchmark = Benchmark.All.FirstOrDefault(b => b.Command == args[0])
        ?? throw new BenchArgumentException($"Unknown benchmark '{args[0]}'. Use one of: {string.Join(", ", Benchmark.All.Select(b => b.Command))}.");
    var options = new BenchArguments(args.Skip(1));
    var allowDebug = options.Flag("--allow-debug");

    if (!BuildCheck.IsOptimized(typeof(Benchmark).Assembly) || !BuildCheck.IsOptimized(typeof(GenerationOptions).Assembly))
    {
        Console.Error.WriteLine("WARNING: built in Debug: the JIT does not optimize this code, so figures are several times too slow.");
        Console.Error.WriteLine("         Run with: dotnet run -c Release --project bench/EcomOps.Bench -- " + string.Join(' ', args.Where(a => a != "--allow-debug")));
        if (!allowDebug)
        {
            Console.Error.WriteLine("         Refusing to run; add --allow-debug to run anyway (for checking the benchmark itself, not for figures).");
            return DebugBuildRefused;
        }
    }

    var code = await benchmark.RunAsync(options, new BenchReport(Console.Out), cancellation.Token);
    return code == 0 ? 0 : ChecksFailed;
}
catch (BenchArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    PrintUsage(Console.Error);
    return BadCommandLine;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return Cancelled;
}

static void PrintUsage(TextWriter output)
{
    output.WriteLine("EcomOps benchmarks. Run in Release:");
    output.WriteLine("  dotnet run -c Release --project bench/EcomOps.Bench -- <benchmark> [options] [--allow-debug]");
    output.WriteLine();
    foreach (var benchmark in Benchmark.All)
    {
        output.WriteLine(benchmark.Usage);
        output.WriteLine();
    }

    output.WriteLine("Exit code: 0 all checks passed (targets missed are reported, not failed), 1 a check failed,");
    output.WriteLine("2 bad command line, 3 Debug build without --allow-debug, 130 cancelled.");
}
