using EcomOps.Core.Jobs;
using EcomOps.Core.Warehouse;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Shared;

public sealed partial class LoadDetail : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private (long, int)? _readFor;
    private LoadHistoryEntry? _load;
    private IReadOnlyList<LoadErrorEntry> _errors = [];
    private JobRun? _run;
    private string? _copy;
    private bool _loaded;

    [Parameter, EditorRequired]
    public long QueryId { get; set; }

    /// <summary>Changed by the page when the history changed: the detail reads its load again.</summary>
    [Parameter]
    public int Generation { get; set; }

    [Inject]
    private IWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<LoadDetail> Logger { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (_readFor == (QueryId, Generation))
        {
            return;
        }

        if (_readFor?.Item1 != QueryId)
        {
            _loaded = false;
        }

        _readFor = (QueryId, Generation);
        var token = _cancellation.Token;
        try
        {
            _load = await Warehouse.GetLoadAsync(QueryId, token);
            _errors = _load is null ? [] : await Warehouse.ErrorsAsync(QueryId, token);
            _run = _load is null ? null : await LoadsView.FindRunAsync(Runner, QueryId, token);
            _copy = _run?.Parameters.GetValueOrDefault("copy");
            _loaded = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Reading load {QueryId} failed", QueryId);
            Snackbar.Add($"Cannot read load {QueryId}: {e.Message}", Severity.Error);
            _loaded = true;
        }
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
