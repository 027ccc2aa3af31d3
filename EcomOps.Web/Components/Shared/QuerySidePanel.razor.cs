using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Shared;

public sealed partial class QuerySidePanel : IDisposable
{
    private const int HistoryLimit = 50;

    private readonly CancellationTokenSource _cancellation = new();
    private IReadOnlyList<SavedQuery> _saved = [];
    private IReadOnlyList<QueryHistoryEntry> _history = [];
    private string _search = "";
    private string _name = "";
    private string _description = "";
    private bool _busy;
    private int? _loadedGeneration;

    /// <summary>The editor's SQL, which Save stores.</summary>
    [Parameter]
    public string CurrentSql { get; set; } = "";

    /// <summary>What the editor's SQL runs on, which Save stores with it.</summary>
    [Parameter]
    public QueryTarget CurrentTarget { get; set; }

    /// <summary>Bumped by the page after each run, to read the history again.</summary>
    [Parameter]
    public int Generation { get; set; }

    /// <summary>Puts SQL into the editor and switches to its target.</summary>
    [Parameter]
    public EventCallback<QueryPick> OnLoad { get; set; }

    /// <summary>Puts SQL into the editor, switches to its target and runs it.</summary>
    [Parameter]
    public EventCallback<QueryPick> OnRun { get; set; }

    [Inject]
    private IQueryService Queries { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<QuerySidePanel> Logger { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedGeneration == Generation)
        {
            return;
        }

        var first = _loadedGeneration is null;
        _loadedGeneration = Generation;
        if (first)
        {
            await LoadSavedAsync();
        }

        await LoadHistoryAsync();
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    /// <summary>The target as the page's selector names it.</summary>
    internal static string TargetLabel(QueryTarget target) => target == QueryTarget.Warehouse ? "warehouse" : "lake";

    private static Color TargetColor(QueryTarget target) => target == QueryTarget.Warehouse ? Color.Tertiary : Color.Info;

    private static QueryPick Pick(SavedQuery query) => new(query.Sql, query.Target);

    private static Color StatusColor(string status) => status switch
    {
        "Succeeded" => Color.Success,
        "Refused" => Color.Warning,
        "Cancelled" => Color.Default,
        _ => Color.Error,
    };

    private async Task SearchAsync(string search)
    {
        _search = search ?? "";
        await LoadSavedAsync();
    }

    private async Task LoadSavedAsync()
    {
        try
        {
            _saved = await Queries.SavedAsync(string.IsNullOrWhiteSpace(_search) ? null : _search.Trim(), _cancellation.Token);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Listing saved queries failed");
            Snackbar.Add($"Cannot list the saved queries: {e.Message}", Severity.Error);
        }
    }

    private async Task LoadHistoryAsync()
    {
        try
        {
            _history = await Queries.HistoryAsync(HistoryLimit, _cancellation.Token);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Reading the query history failed");
            Snackbar.Add($"Cannot read the query history: {e.Message}", Severity.Error);
        }
    }

    private async Task SaveAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var saved = await Queries.SaveAsync(_name.Trim(), _description.Trim(), CurrentSql, CurrentTarget, _cancellation.Token);
            Snackbar.Add($"Saved '{saved.Name}'.", Severity.Success);
            _name = "";
            _description = "";
            await LoadSavedAsync();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (ArgumentException e)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Saving query {Name} failed", _name);
            Snackbar.Add($"Could not save the query: {e.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
            StateHasChanged();
        }
    }

    private async Task DeleteAsync(SavedQuery query)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync(
                "Delete saved query?",
                $"Delete the saved query '{query.Name}'? This cannot be undone.",
                yesText: "Delete",
                cancelText: "Cancel");
            if (confirmed != true)
            {
                return;
            }

            if (!await Queries.DeleteSavedAsync(query.Name, _cancellation.Token))
            {
                Snackbar.Add($"'{query.Name}' was already gone.", Severity.Info);
            }

            await LoadSavedAsync();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Deleting saved query {Name} failed", query.Name);
            Snackbar.Add($"Could not delete '{query.Name}': {e.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
            StateHasChanged();
        }
    }
}
