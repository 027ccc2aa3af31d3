using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Query : IDisposable
{
    private const string User = "web";
    private const int SqlTab = 0;

    private readonly CancellationTokenSource _cancellation = new();
    private CancellationTokenSource? _run;
    private string _sql = "";
    private bool _running;
    private bool _limitRows = true;
    private int _maxRows = 1_000;
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
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Query> Logger { get; set; } = default!;

    private int? MaxRows => _limitRows ? Math.Max(1, _maxRows) : null;

    protected override async Task OnInitializedAsync()
    {
        if (!string.IsNullOrWhiteSpace(InitialSql))
        {
            _sql = InitialSql;
        }
        else if (TableName?.Split('.', 2) is [var database, var name])
        {
            try
            {
                if (await Catalog.GetTableAsync(database, name, _cancellation.Token) is { } table)
                {
                    _sql = CatalogService.StarterQuery(table);
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
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
        _run?.Dispose();
    }

    private async Task OnEditorKeyDown(KeyboardEventArgs e)
    {
        if (e is { Key: "Enter", CtrlKey: true } or { Key: "Enter", MetaKey: true })
        {
            await RunAsync();
        }
    }

    private Task RunAsync() => RunSqlAsync(_sql, QuerySource.Editor);

    /// <summary>Runs SQL and shows its result or why it did not run; one query at a time.</summary>
    private async Task RunSqlAsync(string sql, QuerySource source)
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
            _result = await Queries.RunAsync(new QueryRunRequest(sql, User, source, MaxRows), run.Token);
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

    private void Load(string sql)
    {
        _sql = sql;
        _tab = SqlTab;
    }

    private Task RunBuiltAsync(string sql) => RunSqlAsync(sql, QuerySource.Builder);

    private void EditAsSql(string sql) => Load(sql);

    private Task RunSavedAsync(string sql)
    {
        Load(sql);
        return RunSqlAsync(sql, QuerySource.Saved);
    }

    private sealed record QueryError(string Message, bool Refused);
}
