using BlazorMonaco;
using BlazorMonaco.Editor;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace EcomOps.Web.Components.Shared;

public sealed partial class QuerySqlEditor : IAsyncDisposable
{
    // Names this editor to the window-wide provider; a DotNetObjectReference arrives in JS as a new object each call.
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private StandaloneCodeEditor? _editor;
    private DotNetObjectReference<QuerySqlEditor>? _self;
    private IJSObjectReference? _module;
    private string _shown = "";
    private bool _ready;

    /// <summary>The SQL shown; set it to replace the editor's text (a tab switch, a query loaded from history).</summary>
    [Parameter]
    public string Sql { get; set; } = "";

    [Parameter]
    public EventCallback<string> SqlChanged { get; set; }

    /// <summary>Ctrl+Enter (Cmd+Enter on a Mac), with the editor's text as it is at that moment.</summary>
    [Parameter]
    public EventCallback<string> OnRun { get; set; }

    /// <summary>What completion offers; the catalog's names.</summary>
    [Parameter]
    public SqlCompletions Completions { get; set; } = SqlCompletions.Empty;

    /// <summary>Lets the page read the editor's text when it runs it: a change event may still be on its way.</summary>
    [Parameter]
    public SqlEditorHandle? Handle { get; set; }

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<QuerySqlEditor> Logger { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        Handle?.Attach(ReadAsync);
        if (_ready && _editor is not null && Sql != _shown)
        {
            _shown = Sql;
            await _editor.SetValue(Sql);
        }
    }

    /// <summary>The completions at the cursor, for the provider registered in wwwroot/js/query.js.</summary>
    [JSInvokable]
    public IReadOnlyList<CompletionDto> Complete(string textBeforeCursor, string fullText) =>
        [.. Completions.At(textBeforeCursor, fullText).Select(c => new CompletionDto(c.Label, c.Kind.ToString().ToLowerInvariant(), c.Detail, c.InsertText))];

    public async ValueTask DisposeAsync()
    {
        Handle?.Detach(ReadAsync);
        try
        {
            if (_module is not null)
            {
                await _module.InvokeVoidAsync("releaseCompletions", _owner);
                await _module.DisposeAsync();
            }
        }
        catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException)
        {
            // The browser is gone, and its editor with it; or the circuit is closing and cancelled the call. Either way
            // there is nothing left to release, and a throw here would end the circuit (seen under load).
        }

        _self?.Dispose();
    }

    private StandaloneEditorConstructionOptions Options(StandaloneCodeEditor editor) => new()
    {
        Language = "sql",
        Value = Sql,
        AutomaticLayout = true,
        Minimap = new EditorMinimapOptions { Enabled = false },
        ScrollBeyondLastLine = false,
        FontSize = 13,
        LineNumbers = "on",
        WordWrap = "on",
    };

    private async Task OnEditorReadyAsync()
    {
        _shown = Sql;
        await _editor!.AddCommand((int)KeyMod.CtrlCmd | (int)KeyCode.Enter, async _ => await RunFromKeyboardAsync());
        try
        {
            _self = DotNetObjectReference.Create(this);
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/query.js");
            await _module.InvokeVoidAsync("useCompletions", _self, _owner);
        }
        catch (JSException e)
        {
            Logger.LogWarning(e, "Catalog completion is not available in the SQL editor");
        }

        // The text may have been replaced while Monaco was loading.
        if (await _editor.GetValue() != Sql)
        {
            _shown = Sql;
            await _editor.SetValue(Sql);
        }

        _ready = true;
        StateHasChanged();
    }

    private async Task RunFromKeyboardAsync()
    {
        var sql = await ReadAsync();
        await OnRun.InvokeAsync(sql);
    }

    private async Task OnContentChangedAsync(ModelContentChangedEvent _) => await ReadAsync();

    private async Task<string> ReadAsync()
    {
        if (_editor is null || !_ready)
        {
            return Sql;
        }

        var value = await _editor.GetValue() ?? "";
        if (value != _shown)
        {
            _shown = value;
            await SqlChanged.InvokeAsync(value);
        }

        return value;
    }

    public sealed record CompletionDto(string Label, string Kind, string Detail, string InsertText);
}
