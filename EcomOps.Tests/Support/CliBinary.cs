using System.Diagnostics;

namespace EcomOps.Tests.Support;

/// <summary>The built ecomops binary, run in its own process: its own environment, current directory and process id.</summary>
public static class CliBinary
{
    /// <summary>
    /// The CLI project's own output (the copy in the test folder lacks the CLI's own dependencies), found as the
    /// web app's fixture finds the web project's.
    /// </summary>
    public static string Path
    {
        get
        {
            var separator = System.IO.Path.DirectorySeparatorChar;
            var path = System.IO.Path.Combine(
                AppContext.BaseDirectory.Replace($"{separator}EcomOps.Tests{separator}", $"{separator}EcomOps.Cli{separator}", StringComparison.Ordinal),
                "ecomops.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"The CLI is not built at {path}.");
        }
    }

    /// <summary>Starts <c>dotnet ecomops.dll args</c>; the caller reads its output and waits for it (and writes its input, when redirected).</summary>
    public static Process Start(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, bool redirectInput = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test process's own EcomOps settings (a CI job's, say) must not leak into the child.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("EcomOps__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>Runs the CLI to its end, with <paramref name="input"/> as its standard input if given; returns its exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        using var process = Start(args, workingDirectory, environment, redirectInput: input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
