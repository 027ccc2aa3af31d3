using System.Diagnostics;
using System.Text.RegularExpressions;
using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// The real dashboard in a child process on a free loopback port, with a temporary data root, and a
/// headless Chromium driven by Playwright. Started once for all browser tests; stopped at the end.
/// </summary>
public sealed partial class WebAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dataRoot = new();
    private readonly List<string> _output = [];
    private Process? _app;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    public string DataRoot => _dataRoot.Path;

    public IBrowser Browser { get; private set; } = default!;

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

    public static string ChromiumPath => Environment.GetEnvironmentVariable("ECOMOPS_CHROMIUM") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}. Run ./test.sh, which installs it (apt-get install chromium), or set ECOMOPS_CHROMIUM to a Chromium binary.");
        }

        // CI machines are small and busy; the default 5 s is too tight for a cold Blazor circuit.
        Assertions.SetDefaultExpectTimeout(20_000);
        BaseUrl = await StartAppAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            await _app.WaitForExitAsync();
        }

        _app?.Dispose();
        _dataRoot.Dispose();
    }

    /// <summary>A new page (own context) opened at <paramref name="path"/>, once the Blazor circuit is live.</summary>
    public async Task<IPage> OpenAsync(string path)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>
    /// Saves a full-page screenshot to the folder named by ECOMOPS_SCREENSHOTS, when set, so a person can
    /// look at what the walk saw.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("ECOMOPS_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }

    /// <summary>Clicks sent before the circuit is connected are lost, so every test waits for this first.</summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    private async Task<string> StartAppAsync()
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

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "web app in a browser";
}
