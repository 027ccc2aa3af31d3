using EcomOps.Core.Jobs;
using EcomOps.Core.Overview;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Plotly.Blazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Overview : IDisposable
{
    // The saved query (sql/athena_queries.sql) the demo runs once its pipeline has loaded the data.
    internal const string DemoQueryName = "Category share";

    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly Config _config = new() { Responsive = true, DisplayLogo = false };
    private OverviewKpis? _kpis;
    private IReadOnlyList<RecentFailure> _failures = [];
    private IReadOnlyList<DailyRowsLoaded> _rowsPerDay = [];
    private IReadOnlyList<JobDurationPoint> _durations = [];
    private ReconciliationReport? _reconciliation;
    private TableLineage? _lineage;
    private PipelineRun? _demo;
    private QueryResult? _demoQuery;
    private string? _demoQueryError;
    private bool _startingDemo;
    private bool _refreshing;
    private bool _refreshQueued;
    private int _chartKey;
    private DateTimeOffset _now;
    private IDisposable? _subscription;
    private PeriodicTimer? _timer;

    [Inject]
    private IOverviewService Overviews { get; set; } = default!;

    [Inject]
    private IPipelineService Pipelines { get; set; } = default!;

    [Inject]
    private IQueryService Queries { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Overview> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _now = Time.GetUtcNow();
        _subscription = Runner.Subscribe(OnRunChanged);
        await RefreshAsync();
        _timer = new PeriodicTimer(TickEvery);
        _ = TickAsync(_timer);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _timer?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private async Task RefreshAsync()
    {
        if (_refreshing || _cancellation.IsCancellationRequested)
        {
            return;
        }

        _refreshing = true;
        var token = _cancellation.Token;
        try
        {
            _now = Time.GetUtcNow();
            _kpis = await Overviews.GetKpisAsync(null, token);
            _failures = await Overviews.RecentFailuresAsync(10, token);
            _rowsPerDay = await Overviews.RowsLoadedPerDayAsync(30, token);
            _durations = await Overviews.JobDurationsAsync(_now.AddDays(-14), token);
            _reconciliation = await Overviews.ReconcileAsync(token);
            if (_lineage is { } lineage)
            {
                _lineage = await Overviews.LineageAsync(lineage.Table, token);
            }

            _chartKey++;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Reading the overview failed");
            Snackbar.Add($"Cannot read the overview: {e.Message}", Severity.Error);
        }
        finally
        {
            _refreshing = false;
        }
    }

    private async Task TickAsync(PeriodicTimer timer)
    {
        var sinceRefresh = TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(_cancellation.Token))
            {
                sinceRefresh += TickEvery;
                var live = _demo is { } demo && PipelineView.IsLive(demo.Status);
                if (live || sinceRefresh >= RefreshEvery)
                {
                    sinceRefresh = TimeSpan.Zero;
                    await InvokeAsync(async () =>
                    {
                        await FollowDemoAsync();
                        if (!live)
                        {
                            await RefreshAsync();
                        }

                        StateHasChanged();
                    });
                }
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

    // Any run ending changes the figures (runs today, rows loaded, lake size): read them again, one refresh queued at a time.
    private void OnRunChanged(JobRun run)
    {
        if ((!run.IsFinished && run.Kind != JobKinds.Pipeline) || _refreshQueued)
        {
            return;
        }

        _refreshQueued = true;
        _ = InvokeAsync(async () =>
        {
            try
            {
                _refreshQueued = false;
                await FollowDemoAsync();
                await RefreshAsync();
                StateHasChanged();
            }
            catch (Exception e)
            {
                await DispatchExceptionAsync(e);
            }
        });
    }

    private async Task RunDemoAsync()
    {
        if (_startingDemo)
        {
            return;
        }

        _startingDemo = true;
        try
        {
            _demoQuery = null;
            _demoQueryError = null;
            _demo = await Pipelines.StartAsync(PipelineForm.Demo, _cancellation.Token);
            _now = Time.GetUtcNow();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Starting the demo pipeline failed");
            Snackbar.Add($"Cannot start the demo: {e.Message}", Severity.Error);
        }
        finally
        {
            _startingDemo = false;
        }
    }

    // The demo's run as it is now; once it has succeeded, the query whose chart ends the demo, run once.
    private async Task FollowDemoAsync()
    {
        if (_demo is not { } demo)
        {
            return;
        }

        _now = Time.GetUtcNow();
        if (!demo.IsFinished)
        {
            _demo = await Pipelines.GetAsync(demo.Id, _cancellation.Token) ?? demo;
        }

        if (_demo.Status != JobStatus.Succeeded || _demoQuery is not null || _demoQueryError is not null)
        {
            return;
        }

        try
        {
            var saved = await Queries.GetSavedAsync(DemoQueryName, _cancellation.Token)
                ?? throw new QueryFailedException($"The saved query '{DemoQueryName}' is missing; it comes from sql/athena_queries.sql.");
            _demoQuery = await Queries.RunAsync(new QueryRunRequest(saved.Sql, Target: saved.Target), _cancellation.Token);
        }
        catch (Exception e) when (e is QueryFailedException or QueryRefusedException)
        {
            _demoQueryError = $"The demo's query failed: {e.Message}";
        }
    }

    private async Task ShowLineageAsync(string table)
    {
        try
        {
            _lineage = await Overviews.LineageAsync(table, _cancellation.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Snackbar.Add($"Cannot trace {table}: {e.Message}", Severity.Error);
        }
    }
}
