using System.Diagnostics;
using Microsoft.Playwright;

namespace EcomOps.LoadTest;

/// <summary>
/// A few real Chromium tabs (one browser, a context each) changing pages through the nav drawer as a person does:
/// the latency is from the click to the new page's document title, read by Playwright. Chromium is too heavy to
/// make the load on this machine (20 tabs saturate it), so these only measure what a browser user sees.
/// </summary>
internal sealed class BrowserSessions : IAsyncDisposable
{
    public const string Client = "browser";
    private static readonly string[] LaunchArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<IPage> _pages = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<(IPage Page, string Text)> _consoleErrors = new();

    private BrowserSessions(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<BrowserSessions> OpenAsync(string chromium, Uri baseUri, int count, TimeSpan timeout)
    {
        if (!File.Exists(chromium))
        {
            throw new FileNotFoundException($"Chromium not found at {chromium}: install it (apt-get install chromium) or pass --chromium PATH, or --browsers 0 to measure without a browser.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = LaunchArgs });
        var sessions = new BrowserSessions(playwright, browser);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUri.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
                var page = await context.NewPageAsync();
                page.SetDefaultTimeout((float)timeout.TotalMilliseconds);

                // blazor.web.js logs a circuit's end to the console: the tab's circuit died and its clicks are dead.
                page.Console += (_, message) =>
                {
                    // The app has no favicon; Chromium's request for one is answered 404, which no user sees.
                    if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
                    {
                        sessions._consoleErrors.Enqueue((page, $"{message.Text} ({message.Location})"));
                    }
                };
                await page.GotoAsync(DashboardPages.Overview.Path);

                // Clicks sent before the circuit is connected are lost.
                await page.Locator("[data-interactive=true]").WaitForAsync();
                sessions._pages.Add(page);
            }

            return sessions;
        }
        catch
        {
            await sessions.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every tab changes pages until <paramref name="stop"/> or <paramref name="changesEach"/> changes, with think time between.</summary>
    public Task RunAsync(string phase, int changesEach, SessionContext context, int seed, CancellationToken stop) =>
        Task.WhenAll(_pages.Select((page, i) => RunTabAsync(page, phase, changesEach, context, new Random(seed + i), stop)));

    /// <summary>Console errors since the last call for <paramref name="page"/>, each counted as an error of the run.</summary>
    private bool TakeConsoleErrors(IPage page, string phase, LoadErrors errors)
    {
        var any = false;
        foreach (var (p, text) in _consoleErrors.Where(e => e.Page == page).ToList())
        {
            errors.Add($"browser console error, {phase}", text.ReplaceLineEndings(" "));
            any = true;
        }

        var rest = _consoleErrors.Where(e => e.Page != page).ToList();
        _consoleErrors.Clear();
        foreach (var e in rest)
        {
            _consoleErrors.Enqueue(e);
        }

        return any;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task RunTabAsync(IPage page, string phase, int changes, SessionContext context, Random random, CancellationToken stop)
    {
        var step = random.Next(DashboardPages.Tour.Count);
        var current = await page.TitleAsync();
        for (var done = 0; done < changes && !stop.IsCancellationRequested;)
        {
            var next = DashboardPages.Tour[step++ % DashboardPages.Tour.Count];
            if (next.Title == current)
            {
                continue;
            }

            try
            {
                await Task.Delay(context.ThinkMin + ((context.ThinkMax - context.ThinkMin) * random.NextDouble()), stop);
                var link = page.Locator(".mud-navmenu a", new PageLocatorOptions { HasTextString = next.NavText }).First;
                var started = Stopwatch.GetTimestamp();
                await link.ClickAsync();
                await page.WaitForFunctionAsync("title => document.title === title", next.Title, new PageWaitForFunctionOptions { PollingInterval = 5 });
                context.Latencies.Add(Client, $"page change, {phase} (click to new title)", context.Clock.Elapsed, Stopwatch.GetElapsedTime(started));
                current = next.Title;
                done++;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (PlaywrightException e)
            {
                context.Errors.Add($"browser page change failed, {phase}", e.Message.Split('\n')[0]);
                current = await page.TitleAsync();
                done++;
            }

            if (TakeConsoleErrors(page, phase, context.Errors))
            {
                // A dead circuit ignores clicks; a person would reload the tab.
                try
                {
                    await page.GotoAsync(DashboardPages.Overview.Path);
                    await page.Locator("[data-interactive=true]").WaitForAsync();
                }
                catch (PlaywrightException e)
                {
                    context.Errors.Add($"browser reload failed, {phase}", e.Message.Split('\n')[0]);
                }

                current = await page.TitleAsync();
            }
        }
    }
}
