using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>
/// A headless Chromium driven by Playwright, started once for all browser tests, and a way to start the real
/// dashboard: every test gets its own app in a child process on a free loopback port over its own temporary
/// data root (<see cref="StartAppAsync"/>), so no test depends on what another one did or in which order they run.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

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
    }

    /// <summary>
    /// Starts a new dashboard over a new, empty data root (seeded with the sample data, as a first start is), with
    /// <paramref name="settings"/> (such as <c>EcomOps:Alerts:WebhookUrl</c>) on its command line.
    /// </summary>
    public async Task<WebApp> StartAppAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var app = new WebApp(Browser);
        try
        {
            await app.StartAsync(settings);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
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
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "web app in a browser";
}
