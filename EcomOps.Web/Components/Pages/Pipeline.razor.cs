using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Pipeline : IDisposable
{
    // While a run is live the timeline's running bar grows with the clock; a tick a second keeps it honest.
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly PipelineForm _form = new();
    private readonly Dictionary<Guid, JobRun> _children = [];
    private IReadOnlyList<PipelineRun> _runs = [];
    private PipelineRun? _selected;
    private JobStatus? _status;
    private bool _hideFixed;
    private bool _starting;
    private bool _refreshQueued;
    private DateTimeOffset _now;
    private IDisposable? _subscription;
    private PeriodicTimer? _timer;
    private IReadOnlyList<SavedPipeline> _saved = [];
    private IReadOnlyList<DateTimeOffset> _nextRuns = [];
    private string _saveName = "";
    private string _cron = "";
    private string _timeZone = "UTC";
    private string? _scheduleError;
    private SavedPipeline? _editing;

    [Parameter]
    public Guid? RunId { get; set; }

    [Inject]
    private IPipelineService Pipelines { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Pipeline> Logger { get; set; } = default!;

    protected override void OnInitialized()
    {
        _now = Time.GetUtcNow();
        _subscription = Runner.Subscribe(OnRunChanged);
        _timer = new PeriodicTimer(TickEvery);
        _ = TickAsync(_timer);
    }

    protected override Task OnParametersSetAsync() => RefreshAsync();

    public void Dispose()
    {
        _subscription?.Dispose();
        _timer?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private static string Short(Guid id) => id.ToString("N")[..8];

    private static string Started(PipelineRun run) =>
        (run.StartedAt ?? run.QueuedAt).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task RefreshAsync()
    {
        var token = _cancellation.Token;
        try
        {
            _now = Time.GetUtcNow();
            _runs = await Pipelines.ListAsync(new PipelineRunFilter(_status, _hideFixed), token);
            _saved = await Pipelines.ListPipelinesAsync(token);
            _selected = RunId is { } id ? await Pipelines.GetAsync(id, token) : null;
            if (_selected is { } run)
            {
                foreach (var childId in run.Steps.SelectMany(s => s.ChildRunIds))
                {
                    if (!_children.TryGetValue(childId, out var known) || !known.IsFinished)
                    {
                        if (await Runner.GetAsync(childId, token) is { } child)
                        {
                            _children[childId] = child;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Reading the pipeline runs failed");
            Snackbar.Add($"Cannot read the pipeline runs: {e.Message}", Severity.Error);
        }
    }

    private async Task TickAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(_cancellation.Token))
            {
                if (_selected is { } run && PipelineView.IsLive(run.Status))
                {
                    await InvokeAsync(async () =>
                    {
                        await RefreshAsync();
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

    // A pipeline run or one of its steps' runs changed: read the runs again (unfinished step runs included), on the
    // renderer's thread, with at most one refresh queued at a time.
    private void OnRunChanged(JobRun run)
    {
        if (run.Kind != JobKinds.Pipeline && run.ParentId is null)
        {
            return;
        }

        if (_refreshQueued)
        {
            return;
        }

        _refreshQueued = true;
        _ = InvokeAsync(async () =>
        {
            try
            {
                _refreshQueued = false;
                await RefreshAsync();
                StateHasChanged();
            }
            catch (Exception e)
            {
                await DispatchExceptionAsync(e);
            }
        });
    }

    private async Task SetFilterAsync(Action set)
    {
        set();
        await RefreshAsync();
    }

    private void ToggleDataset(string dataset, bool on)
    {
        if (on)
        {
            _form.Datasets.Add(dataset);
        }
        else
        {
            _form.Datasets.Remove(dataset);
        }
    }

    private void SetCron(string value)
    {
        _cron = value;
        PreviewSchedule();
    }

    private void SetTimeZone(string value)
    {
        _timeZone = value;
        PreviewSchedule();
    }

    // The next five times as the schedule editor shows them, or what is wrong with the expression or the zone.
    private void PreviewSchedule()
    {
        _scheduleError = null;
        _nextRuns = [];
        if (_cron.Trim().Length == 0)
        {
            return;
        }

        try
        {
            _nextRuns = Pipelines.NextOccurrences(_cron.Trim(), _timeZone.Trim().Length == 0 ? "UTC" : _timeZone.Trim());
        }
        catch (ArgumentException e)
        {
            _scheduleError = e.Message;
        }
    }

    // A new pipeline takes the form's options; editing one changes its name and schedule and keeps its options.
    private async Task SaveAsync()
    {
        var options = _editing?.Options ?? _form.TryBuild();
        if (options is null)
        {
            return;
        }

        try
        {
            var cron = _cron.Trim().Length == 0 ? null : _cron.Trim();
            var request = new SavedPipelineRequest(_saveName.Trim(), options, cron, _timeZone.Trim().Length == 0 ? "UTC" : _timeZone.Trim(), _editing?.Enabled ?? true);
            var saved = _editing is { } editing
                ? await Pipelines.UpdatePipelineAsync(editing.Id, request, _cancellation.Token)
                : await Pipelines.CreatePipelineAsync(request, _cancellation.Token);
            Snackbar.Add($"Saved pipeline {saved.Name}{(saved.Cron is null ? "" : $"; it runs on its schedule ({saved.Cron}, {saved.TimeZone})")}.", Severity.Success);
            StopEditing();
            await RefreshAsync();
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private void Edit(SavedPipeline saved)
    {
        _editing = saved;
        _saveName = saved.Name;
        _cron = saved.Cron ?? "";
        _timeZone = saved.TimeZone;
        PreviewSchedule();
    }

    private void StopEditing()
    {
        _editing = null;
        _saveName = "";
        _cron = "";
        _timeZone = "UTC";
        PreviewSchedule();
    }

    private async Task SetEnabledAsync(SavedPipeline saved, bool enabled)
    {
        try
        {
            await Pipelines.UpdatePipelineAsync(saved.Id, new SavedPipelineRequest(saved.Name, saved.Options, saved.Cron, saved.TimeZone, enabled), _cancellation.Token);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await RefreshAsync();
    }

    private async Task RunSavedAsync(SavedPipeline saved)
    {
        var run = await Pipelines.StartPipelineAsync(saved.Id, _cancellation.Token);
        Navigation.NavigateTo($"/pipeline/{run.Id}");
    }

    private async Task DeleteSavedAsync(SavedPipeline saved)
    {
        await Pipelines.DeletePipelineAsync(saved.Id, _cancellation.Token);
        await RefreshAsync();
    }

    private void Select(PipelineRun run) => Navigation.NavigateTo(run.Id == RunId ? "/pipeline" : $"/pipeline/{run.Id}");

    private async Task StartAsync()
    {
        if (_starting || _form.TryBuild() is not { } options)
        {
            return;
        }

        _starting = true;
        try
        {
            var run = await Pipelines.StartAsync(options, _cancellation.Token);
            Navigation.NavigateTo($"/pipeline/{run.Id}");
        }
        catch (PipelineOptionsException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Starting a pipeline run failed");
            Snackbar.Add($"Cannot start the run: {e.Message}", Severity.Error);
        }
        finally
        {
            _starting = false;
        }
    }

    private async Task CancelAsync(PipelineRun run)
    {
        if (!await Pipelines.CancelAsync(run.Id, _cancellation.Token))
        {
            Snackbar.Add("The run had already ended.", Severity.Info);
        }

        await RefreshAsync();
    }

    private async Task RetryAsync(PipelineRun run)
    {
        try
        {
            var retry = await Pipelines.RetryAsync(run.Id, _cancellation.Token);
            Navigation.NavigateTo($"/pipeline/{retry.Id}");
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
    }
}
