using System.Diagnostics;
using System.Text.RegularExpressions;
using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>One dashboard process over its own temporary data root; disposing it stops the app and deletes the root.</summary>
public sealed partial class WebApp(IBrowser browser) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dataRoot = new();
    private readonly List<string> _output = [];
    private Process? _app;

    public string BaseUrl { get; private set; } = "";

    public string DataRoot => _dataRoot.Path;

    /// <summary>What the app printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(60));
            }
        }
    }

    /// <summary>A new page (own context) opened at <paramref name="path"/>, once the Blazor circuit is live.</summary>
    public async Task<IPage> OpenAsync(string path)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await WebAppFixture.WaitForInteractiveAsync(page);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            await _app.WaitForExitAsync();
        }

        _app?.Dispose();
        _dataRoot.Dispose();
    }

    internal async Task StartAsync(IReadOnlyDictionary<string, string>? settings = null) => BaseUrl = await StartAppAsync(settings ?? new Dictionary<string, string>());

    private async Task<string> StartAppAsync(IReadOnlyDictionary<string, string> settings)
    {
        // The test project builds the web project; its own output folder has the static web assets manifest.
        var testBin = AppContext.BaseDirectory;
        var webBin = testBin.Replace($"{Path.DirectorySeparatorChar}EcomOps.Tests{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}EcomOps.Web{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        var dll = Path.Combine(webBin, "EcomOps.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Web app not built at {dll}.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = webBin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0", "--EcomOps:DataRoot", _dataRoot.Path, "--environment", "Development" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["Logging__LogLevel__Default"] = "Information";
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _app = new Process { StartInfo = start, EnableRaisingEvents = true };
        _app.OutputDataReceived += (_, e) => OnLine(e.Data, listening);
        _app.ErrorDataReceived += (_, e) => OnLine(e.Data, listening);
        _app.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The web app exited during start-up:\n{Output}"));
        _app.Start();
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        try
        {
            return await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The web app did not report a listening address within {StartTimeout.TotalSeconds} s:\n{Output}");
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

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
