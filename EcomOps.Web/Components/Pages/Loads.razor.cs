using EcomOps.Core.Security;
using EcomOps.Core.Jobs;
using EcomOps.Core.Warehouse;
using EcomOps.Web.Components.Dialogs;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using ScatterMode = Plotly.Blazor.Traces.ScatterLib.ModeFlag;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Loads : IDisposable
{
    // Often enough that a load started elsewhere (the CLI, another tab) shows up while someone watches.
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly LoadFilterForm _filter = new();
    private readonly Config _config = new() { Responsive = true, DisplayLogo = false };
    private readonly Plotly.Blazor.Layout _durationsLayout = new() { Height = 240, Margin = new Plotly.Blazor.LayoutLib.Margin { T = 10, B = 50, L = 60, R = 10 } };

    // Days as categories: on a date axis a single day's bar is a sliver one millisecond wide.
    private readonly Plotly.Blazor.Layout _rowsLayout = new()
    {
        Height = 240,
        Margin = new Plotly.Blazor.LayoutLib.Margin { T = 10, B = 50, L = 60, R = 10 },
        XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category }],
    };
    private readonly Dictionary<Guid, JobStatus> _runStatuses = [];
    private IReadOnlyList<LoadHistoryEntry> _loads = [];
    private IReadOnlyList<string> _tables = [];
    private IReadOnlySet<long> _checks = new HashSet<long>();
    private IReadOnlyList<(string Day, long Rows)> _rowsPerDay = [];
    private IReadOnlyList<(DateTime Start, double Seconds, string Status)> _durations = [];
    private bool _loaded;
    private bool _loading;
    private bool _filtered;
    private bool _opening;
    private int _chartKey;

    // Bumped on each refresh, so an open detail reads its load (and its errors) again.
    private int _generation;
    private IDisposable? _subscription;
    private PeriodicTimer? _timer;

    [Parameter]
    public long? QueryId { get; set; }

    [Inject]
    private IWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private IWarehouseService WarehouseService { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Loads> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _subscription = Runner.Subscribe(OnRunChanged);

        // Taken once: a page left while it starts has its source disposed, and .Token would then throw.
        var token = _cancellation.Token;
        try
        {
            // The warehouse is made at first use (its tables exist before anyone picks one), by those who may.
            if (User.Allows(CoreAction.InitWarehouse))
            {
                await Warehouse.InitAsync(token);
            }

            _tables = (await Warehouse.ListTablesAsync(token)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not open the warehouse");
            Snackbar.Add($"Cannot open the warehouse: {e.Message}", Severity.Error);
        }

        await LoadHistoryAsync();
        _timer = new PeriodicTimer(RefreshEvery);
        _ = RefreshPeriodicallyAsync(_timer);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _timer?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private async Task RefreshPeriodicallyAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(_cancellation.Token))
            {
                await InvokeAsync(RefreshAsync);
            }
        }
        catch (OperationCanceledException)
        {
            // The page is going away.
        }
        catch (ObjectDisposedException)
        {
            // The page is going away.
        }
    }

    private async Task RefreshAsync()
    {
        await LoadHistoryAsync();
        StateHasChanged();
    }

    private async Task SetFilterAsync(Action set)
    {
        set();
        await LoadHistoryAsync();
    }

    private async Task LoadHistoryAsync()
    {
        if (_loading || _cancellation.IsCancellationRequested)
        {
            return;
        }

        _loading = true;
        var token = _cancellation.Token;
        try
        {
            var filter = _filter.ToFilter();
            var loads = await Warehouse.LoadsAsync(filter, token);
            _checks = await LoadsView.NoLoadChecksAsync(Runner, token);
            _filtered = filter != new LoadFilter();
            if (!loads.SequenceEqual(_loads))
            {
                _generation++;
                _loads = loads;
                _rowsPerDay = LoadCharts.RowsPerDay(loads);
                _durations = LoadCharts.Durations(loads);
                _chartKey++;
            }

            _loaded = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Listing the loads failed");
            Snackbar.Add($"Cannot list the loads: {e.Message}", Severity.Error);
        }
        finally
        {
            _loading = false;
        }
    }

    private void Select(LoadHistoryEntry load) =>
        Navigation.NavigateTo(load.QueryId == QueryId ? "/loads" : $"/loads/{load.QueryId}");

    private async Task OpenNewLoadAsync()
    {
        if (_opening)
        {
            return;
        }

        _opening = true;
        try
        {
            var dialog = await Dialogs.ShowAsync<LoadDialog>("New load", new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
            if (await dialog.Result is { Canceled: false, Data: long queryId })
            {
                Navigation.NavigateTo($"/loads/{queryId}");
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "The New load dialog failed");
            Snackbar.Add($"The New load dialog failed: {e.Message}", Severity.Error);
        }
        finally
        {
            _opening = false;
            await LoadHistoryAsync();
            StateHasChanged();
        }
    }

    // A load's run moving to another status (queued, running, ended) means the history changed: read it at once,
    // not at the next tick. Progress within a status does not, so renders stay few.
    private void OnRunChanged(JobRun run)
    {
        if (run.Kind != JobKinds.Load)
        {
            return;
        }

        lock (_runStatuses)
        {
            if (_runStatuses.TryGetValue(run.Id, out var known) && known == run.Status)
            {
                return;
            }

            _runStatuses[run.Id] = run.Status;
        }

        _ = InvokeAsync(async () =>
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception e)
            {
                await DispatchExceptionAsync(e);
            }
        });
    }

    private IList<ITrace> RowsTraces() =>
        [new Bar { X = [.. _rowsPerDay.Select(p => (object)p.Day)], Y = [.. _rowsPerDay.Select(p => (object)p.Rows)], Name = "rows loaded" }];

    private IList<ITrace> DurationTraces() =>
    [
        new Scatter
        {
            X = [.. _durations.Select(p => (object)p.Start)],
            Y = [.. _durations.Select(p => (object)p.Seconds)],
            Mode = ScatterMode.Lines | ScatterMode.Markers,
            Name = "duration (s)",
        },
    ];
}
