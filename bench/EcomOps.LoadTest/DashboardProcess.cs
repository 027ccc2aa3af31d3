using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EcomOps.LoadTest;

/// <summary>
/// The dashboard as its own process (so its CPU and memory can be read from <c>/proc</c> apart from the load's),
/// started from a published Release build in Production, on a free 127.0.0.1 port, over its own new data root
/// (seeded with the sample data as any first start is). Disposing it stops the process and deletes the root.
/// </summary>
internal sealed partial class DashboardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataRoot;
    private readonly List<string> _output = [];
    private StreamWriter? _log;

    private DashboardProcess(Process process, string dataRoot)
    {
        _process = process;
        _dataRoot = dataRoot;
    }

    public Uri BaseUri { get; private set; } = default!;

    /// <summary>Where the startup hook inside the app writes its managed heap readings (<see cref="StartupHook"/>).</summary>
    public string GcFile { get; private init; } = "";

    /// <summary>Everything the app printed, kept after the run for a look at its errors.</summary>
    public string LogFile { get; private init; } = "";

    public int ProcessId => _process.Id;

    /// <summary>Lines the app logged at warning level or above (fail:, crit:, warn:), for the report.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_output)
            {
                // The console logger prints "fail: Category[id]" and the message on the next line.
                return [.. _output.Select((line, i) => (line, i))
                    .Where(p => p.line.StartsWith("fail:", StringComparison.Ordinal) || p.line.StartsWith("crit:", StringComparison.Ordinal) || p.line.StartsWith("warn:", StringComparison.Ordinal))
                    .Select(p => p.i + 1 < _output.Count ? $"{p.line} {_output[p.i + 1].Trim()}" : p.line)];
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    public static async Task<DashboardProcess> StartAsync(string appFolder, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(appFolder, "EcomOps.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"No published dashboard at {dll}. Publish it first: dotnet publish EcomOps.Web -c Release (bench/load.sh does), or pass --app DIR.");
        }

        var dataRoot = Directory.CreateTempSubdirectory("ecomops-load-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Every session is the loopback dashboard's one local admin, so the per-user query limit would count all 50 as one.
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0", "--EcomOps:DataRoot", dataRoot, "--EcomOps:Backend", "Local", "--environment", "Production", "--EcomOps:Limits:QueriesPerMinute", "100000" })
        {
            start.ArgumentList.Add(arg);
        }

        // Information, so "Now listening on" (the port) is printed; the rest of the app's logging stays as configured.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var gcFile = Path.Combine(dataRoot, "..", Path.GetFileName(dataRoot) + "-gc.txt");
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location;
        start.Environment[StartupHook.FileVariable] = gcFile;
        var app = new DashboardProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, dataRoot)
        {
            GcFile = Path.GetFullPath(gcFile),
            LogFile = Path.GetFullPath(Path.Combine(dataRoot, "..", Path.GetFileName(dataRoot) + ".log")),
        };
        app._log = new StreamWriter(app.LogFile) { AutoFlush = true };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        app._process.OutputDataReceived += (_, e) => app.OnLine(e.Data, listening);
        app._process.ErrorDataReceived += (_, e) => app.OnLine(e.Data, listening);
        app._process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The dashboard exited during start-up:\n{app.Output}"));
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            app.BaseUri = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90), cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_output)
        {
            _log?.Dispose();
            _log = null;
        }

        foreach (var file in new[] { GcFile, StartupHook.LiveRequest(GcFile), StartupHook.LiveAnswers(GcFile) })
        {
            File.Delete(file);
        }
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is left for the OS to clean.
        }
    }

    private void OnLine(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            _log?.WriteLine(line);
        }

        if (ListeningOn().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
