using Microsoft.JSInterop;

namespace EcomOps.Web.Model;

/// <summary>The Query page's tabs in the browser's localStorage (wwwroot/js/query.js), so a reload finds them again.</summary>
public sealed class QueryTabStore(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;

    /// <summary>The saved tabs, or one empty tab when the browser has none. Call it after the first render: it needs the browser.</summary>
    public async Task<QueryTabs> LoadAsync(CancellationToken cancellationToken = default)
    {
        var module = await ModuleAsync(cancellationToken);
        return QueryTabs.FromJson(await module.InvokeAsync<string?>("loadTabs", cancellationToken));
    }

    public async Task SaveAsync(QueryTabs tabs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tabs);
        var module = await ModuleAsync(cancellationToken);
        await module.InvokeVoidAsync("saveTabs", cancellationToken, tabs.ToJson());
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException)
            {
                // The browser has gone, or the closing circuit cancelled the call; so has the module.
            }
        }
    }

    private async Task<IJSObjectReference> ModuleAsync(CancellationToken cancellationToken) =>
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", cancellationToken, "./js/query.js");
}
