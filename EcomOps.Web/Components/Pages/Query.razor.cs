using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Query : IAsyncDisposable
{
    private const int SqlTab = 0;

    private readonly CancellationTokenSource _cancellation = new();
    private CancellationTokenSource? _run;
    private readonly SqlEditorHandle _editorHandle = new();
    private QueryTabs _tabs = new();
    private QueryTabStore? _store;
    private bool _tabsLoaded;
    private string? _linkedSql;
    private string? _linkedTitle;
    private SqlCompletions _completions = SqlCompletions.Empty;
    private bool _running;
    private bool _limitRows = true;
    private int _maxRows = 1_000;
    private QueryTarget _target;
    private QueryTarget _resultTarget;
    private QueryResult? _result;
    private QueryError? _error;
    private int _historyGeneration;
    private int _tab;
    private bool _showChart = true;
    private readonly BuilderForm _builder = new();

    /// <summary>A catalog table (<c>database.table</c>) whose starter query fills the editor.</summary>
    [SupplyParameterFromQuery(Name = "table")]
    public string? TableName { get; set; }

    /// <summary>SQL to put in the editor.</summary>
    [SupplyParameterFromQuery(Name = "sql")]
    public string? InitialSql { get; set; }

    [Inject]
    private IQueryService Queries { get; set; } = default!;

    [Inject]
    private ICatalog Catalog { get; set; } = default!;

    [Inject]
    private ICatalogService CatalogService { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Query> Logger { get; set; } = default!;

    private int? MaxRows => _limitRows ? Math.Max(1, _maxRows) : null;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _completions = new SqlCompletions(await Catalog.ListTablesAsync(null, _cancellation.Token));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogWarning(e, "Could not list the catalog's tables for the SQL editor's completion");
        }

        if (!string.IsNullOrWhiteSpace(InitialSql))
        {
            _linkedSql = InitialSql;
        }
        else if (TableName?.Split('.', 2) is [var database, var name])
        {
            try
            {
                if (await Catalog.GetTableAsync(database, name, _cancellation.Token) is { } table)
                {
                    _linkedSql = CatalogService.StarterQuery(table);
                    _linkedTitle = table.Name;
                }
                else
                {
                    Snackbar.Add($"The catalog has no table {TableName}; run the crawler on the Catalog page.", Severity.Warning);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "Could not read {Table} for its starter query", TableName);
            }
        }

        // Until the browser's saved tabs are read (after the first render), the link's SQL shows on its own.
        if (_linkedSql is not null && !_tabsLoaded)
        {
            _tabs.Open(_linkedSql, _linkedTitle);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        _store = new QueryTabStore(JS);
        try
        {
            var saved = await _store.LoadAsync(_cancellation.Token);
            if (_linkedSql is not null)
            {
                saved.Open(_linkedSql, _linkedTitle);
            }

            _tabs = saved;
        }
        catch (Exception e) when (e is JSException or InvalidOperationException)
        {
            Logger.LogWarning(e, "Could not read the Query page's tabs from the browser");
        }

        _tabsLoaded = true;
        await SaveTabsAsync();
        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
        _run?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private async Task SaveTabsAsync()
    {
        if (!_tabsLoaded || _store is null)
        {
            return;
        }

        try
        {
            await _store.SaveAsync(_tabs, _cancellation.Token);
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or OperationCanceledException)
        {
            Logger.LogDebug(e, "Could not save the Query page's tabs in the browser");
        }
    }

    private Task OnTabsChangedAsync() => SaveTabsAsync();

    private Task OnSqlChangedAsync(string sql)
    {
        _tabs.Active.Sql = sql;
        return SaveTabsAsync();
    }

    private async Task RunAsync() => await RunSqlFromEditorAsync(await _editorHandle.ReadAsync(_tabs.Active.Sql));

    private Task RunSqlFromEditorAsync(string sql) => RunSqlAsync(sql, QuerySource.Editor, _target);

    private Task SetTargetAsync(QueryTarget target)
    {
        _target = target;
        return Task.CompletedTask;
    }

    /// <summary>Runs SQL on its target and shows its result or why it did not run; one query at a time.</summary>
    private async Task RunSqlAsync(string sql, QuerySource source, QueryTarget target)
    {
        if (_running || string.IsNullOrWhiteSpace(sql))
        {
            return;
        }

        _running = true;
        _error = null;
        using var run = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        _run = run;
        StateHasChanged();
        try
        {
            _result = await Queries.RunAsync(new QueryRunRequest(sql, source, MaxRows, target), run.Token);
            _resultTarget = target;
        }
        catch (QueryRefusedException e)
        {
            _result = null;
            _error = new QueryError(e.Message, Refused: true);
        }
        catch (QueryFailedException e)
        {
            _result = null;
            _error = new QueryError(e.Message, Refused: false);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (OperationCanceledException)
        {
            Snackbar.Add("Query cancelled.", Severity.Info);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Running a query from the Query page failed");
            Snackbar.Add($"The query could not run: {e.Message}", Severity.Error);
            _error = new QueryError(e.Message, Refused: false);
        }
        finally
        {
            _run = null;
            _running = false;

            // Every run, however it ended, is a new history line.
            _historyGeneration++;
            if (!_cancellation.IsCancellationRequested)
            {
                StateHasChanged();
            }
        }
    }

    private void Cancel() => _run?.Cancel();

    // The whole result, every row, streamed by the server: the grid holds at most the row limit.
    private static string? CsvUrl(QueryResult result) => result.HistoryId is { } id ? Endpoints.QueryEndpoints.CsvUrlFor(id) : null;

    // SQL from elsewhere (history, a saved query, the builder) gets a tab of its own, so the user's SQL stays, and its target.
    private Task LoadAsync(QueryPick pick)
    {
        _tabs.Open(pick.Sql);
        _tab = SqlTab;
        _target = pick.Target;
        return SaveTabsAsync();
    }

    // The builder writes Athena SQL over the catalog: it always runs on the lake.
    private Task RunBuiltAsync(string sql) => RunSqlAsync(sql, QuerySource.Builder, QueryTarget.Lake);

    private Task EditAsSqlAsync(string sql) => LoadAsync(new QueryPick(sql, QueryTarget.Lake));

    private async Task RunSavedAsync(QueryPick pick)
    {
        await LoadAsync(pick);
        await RunSqlAsync(pick.Sql, QuerySource.Saved, pick.Target);
    }

    private sealed record QueryError(string Message, bool Refused);
}
