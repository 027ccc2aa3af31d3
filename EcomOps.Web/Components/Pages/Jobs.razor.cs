using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Web.Components.Dialogs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Jobs : IDisposable
{
    /// <summary>Outputs under this prefix are rejected rows; the detail drawer previews them.</summary>
    internal const string QuarantinePrefix = "quarantine/";

    private static readonly TimeSpan ReloadInterval = TimeSpan.FromMilliseconds(250);

    private IReadOnlyList<JobRun> _runs = [];
    private IReadOnlyList<JobRun> _active = [];
    private JobStatus? _status;
    private string? _kind;
    private string? _dataset;
    private bool _failedOnly;
    private JobRun? _selected;
    private Guid? _linkedRun;
    private LakePreview? _quarantine;
    private bool _retrying;
    private IDisposable? _subscription;
    private int _reloadPending;
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary><c>/jobs?run=ID</c> opens that run's details: the link of an alert.</summary>
    /// <remarks>Text, not a Guid: a mistyped id in the address opens the page without details instead of failing it.</remarks>
    [SupplyParameterFromQuery(Name = "run")]
    public string? Run { get; set; }

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private IConversionService Conversion { get; set; } = default!;

    [Inject]
    private ILakeService Lake { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ILogger<Jobs> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        // Subscribed before the first load, so a change in between is not missed.
        _subscription = Runner.Subscribe(_ => ScheduleReload());
        await LoadAsync();
    }

    protected override async Task OnParametersSetAsync()
    {
        // Once per link: the layout's re-renders set the parameters again, and a closed detail stays closed.
        if (Guid.TryParse(Run, out var id) && id != _linkedRun)
        {
            _linkedRun = id;
            if (await Runner.GetAsync(id, _cancellation.Token) is { } run)
            {
                await SelectAsync(run);
            }
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private async Task LoadAsync()
    {
        var token = _cancellation.Token;
        _runs = await Runner.ListAsync(new JobRunFilter(_status, _kind, _dataset, _failedOnly), token);
        _active = (await Runner.ListAsync(new JobRunFilter(Limit: 50), token)).Where(r => !r.IsFinished).ToList();
        if (_selected is not null)
        {
            _selected = await Runner.GetAsync(_selected.Id, token) ?? _selected;
        }
    }

    // Runs change many times a second while they work: the table is read again at most 4 times a second.
    private void ScheduleReload()
    {
        if (Interlocked.Exchange(ref _reloadPending, 1) == 1)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            try
            {
                await Task.Delay(ReloadInterval, _cancellation.Token);
                Volatile.Write(ref _reloadPending, 0);
                await LoadAsync();
                StateHasChanged();
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                // The page is gone.
            }
            catch (Exception e)
            {
                Volatile.Write(ref _reloadPending, 0);
                Logger.LogWarning(e, "Could not refresh the run list");
            }
        });
    }

    private async Task SetFilterAsync(Action change)
    {
        change();
        await LoadAsync();
    }

    private async Task CancelAsync(JobRun run)
    {
        try
        {
            if (!await Runner.CancelAsync(run.Id, _cancellation.Token))
            {
                Snackbar.Add("That run had already finished.", Severity.Info);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Could not cancel run {RunId}", run.Id);
            Snackbar.Add($"Could not cancel the run: {e.Message}", Severity.Error);
        }
    }

    private async Task RetryAsync(JobRun run)
    {
        if (_retrying)
        {
            return;
        }

        _retrying = true;
        try
        {
            var again = await Runner.RetryAsync(run.Id, _cancellation.Token);
            Snackbar.Add($"Started again as run {again.Id.ToString()[..8]}.", Severity.Success);
            await LoadAsync();
            await SelectAsync(again);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Could not run {RunId} again", run.Id);
            Snackbar.Add($"Could not run it again: {e.Message}", Severity.Error);
        }
        finally
        {
            _retrying = false;
        }
    }

    private async Task SelectAsync(JobRun run)
    {
        _selected = run;
        _quarantine = null;
        var key = run.Outputs.FirstOrDefault(o => o.Location.StartsWith(QuarantinePrefix, StringComparison.Ordinal))?.Location;
        if (key is null)
        {
            return;
        }

        try
        {
            _quarantine = await Lake.PreviewAsync(key, 50, _cancellation.Token);
        }
        catch (Exception e) when (e is ObjectNotFoundException or IOException)
        {
            Logger.LogWarning(e, "Quarantine {Key} of run {RunId} cannot be previewed", key, run.Id);
            Snackbar.Add($"The quarantined rows ({key}) cannot be shown: {e.Message}", Severity.Warning);
        }
    }

    private void CloseDetail()
    {
        _selected = null;
        _quarantine = null;
    }

    private async Task OpenConvertAsync()
    {
        var dialog = await Dialogs.ShowAsync<ConvertDialog>("Convert CSV to Parquet", new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        if (result is not { Canceled: false, Data: ConvertDialog.Choice choice })
        {
            return;
        }

        try
        {
            var started = Conversion.StartConversion(choice.Options, choice.Datasets);
            Snackbar.Add($"Started {started.Count} conversion run(s).", Severity.Success);
            await LoadAsync();
        }
        catch (ArgumentException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }
}
