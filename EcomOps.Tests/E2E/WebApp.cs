using EcomOps.Tests.Support;
using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>One dashboard process over its own temporary data root; disposing it stops the app and deletes the root.</summary>
public sealed class WebApp(IBrowser browser) : IAsyncDisposable
{
    private readonly TempDirectory _dataRoot = new();
    private DashboardProcess? _app;

    public string BaseUrl => _app?.BaseUrl ?? "";

    public string DataRoot => _dataRoot.Path;

    /// <summary>What the app printed, for failure messages.</summary>
    public string Output => _app?.Output ?? "";

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
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _dataRoot.Dispose();
    }

    internal async Task StartAsync(IReadOnlyDictionary<string, string>? settings = null) => _app = await DashboardProcess.StartAsync(_dataRoot.Path, settings);
}
