using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace EcomOps.Tests.Support;

/// <summary>
/// The real dashboard (the built EcomOps.Web) in a child process over a data root the caller owns, so it can be
/// killed and started again on the same root, on the addresses the caller chooses. The one place tests start it:
/// <c>E2E/WebApp</c> adds a temporary root and a browser, the auth and crash tests use it as it is. Settings go on
/// its command line; <c>EcomOps__*</c> variables of the test's own environment are left out, so only the test's
/// settings apply.
/// </summary>
public sealed partial class DashboardProcess : IAsyncDisposable
{
    // Generous: a dashboard start on a loaded 2-core CI machine has taken over 30 s.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<string> _output = [];
    private Process? _app;

    private DashboardProcess()
    {
    }

    /// <summary>Where to connect: 127.0.0.1 and the port it listens on, whatever address it was bound to.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The last lines the dashboard printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(80));
            }
        }
    }

    /// <summary>
    /// Starts the dashboard on <paramref name="dataRoot"/>, listening on <paramref name="urls"/>, with <paramref name="settings"/>
    /// on its command line and <paramref name="environment"/> in its environment.
    /// </summary>
    public static async Task<DashboardProcess> StartAsync(
        string dataRoot, IReadOnlyDictionary<string, string>? settings = null, string urls = "http://127.0.0.1:0", IReadOnlyDictionary<string, string>? environment = null)
    {
        var dashboard = new DashboardProcess();
        try
        {
            await dashboard.StartProcessAsync(dataRoot, settings ?? new Dictionary<string, string>(), urls, environment ?? new Dictionary<string, string>());
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    /// <summary>A port nothing listens on just now, for a dashboard bound beyond loopback (port 0 there would print 0.0.0.0:N too, but a fixed one keeps the test's URL plain).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no shutdown, no run marked stopped, nothing flushed.</summary>
    public void Kill()
    {
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            _app.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _app?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StartProcessAsync(string dataRoot, IReadOnlyDictionary<string, string> settings, string urls, IReadOnlyDictionary<string, string> environment)
    {
        var webBin = AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}EcomOps.Tests{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}EcomOps.Web{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        var dll = Path.Combine(webBin, "EcomOps.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Web app not built at {dll}.");
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = webBin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--urls", urls, "--EcomOps:DataRoot", dataRoot, "--environment", "Development" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("EcomOps__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _app = new Process { StartInfo = start, EnableRaisingEvents = true };
        _app.OutputDataReceived += (_, e) => OnLine(e.Data, listening);
        _app.ErrorDataReceived += (_, e) => OnLine(e.Data, listening);
        _app.Exited += (sender, _) =>
        {
            // Exited can come before the last lines are read; waiting for the streams' end makes the message whole.
            ((Process)sender!).WaitForExit();
            listening.TrySetException(new InvalidOperationException($"The dashboard exited during start-up:\n{Output}"));
        };
        _app.Start();
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        try
        {
            var port = await listening.Task.WaitAsync(StartTimeout);
            BaseUrl = $"http://127.0.0.1:{port}";
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The dashboard did not report a listening address within {StartTimeout.TotalSeconds} s:\n{Output}");
        }
    }

    private void OnLine(string? line, TaskCompletionSource<string> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ListeningOn().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(match.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Now listening on: http://(?:127\.0\.0\.1|0\.0\.0\.0|\[::\]|\[::1\]):(\d+)")]
    private static partial Regex ListeningOn();
}
