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

    private IReadOnlyList<JobRun> _runs = [];
    private IReadOnlyList<JobRun> _active = [];
    private JobStatus? _status;
    private string? _kind;
    private string? _dataset;
    private bool _failedOnly;
    private JobRun? _selected;
    private LakePreview? _quarantine;
    private IDisposable? _subscription;
    private readonly CancellationTokenSource _cancellation = new();

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

    protected override void OnInitialized()
    {
        Load();
        _subscription = Runner.Subscribe(_ => InvokeAsync(() =>
        {
            Load();
            StateHasChanged();
        }));
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private void Load()
    {
        _runs = Runner.List(new JobRunFilter(_status, _kind, _dataset, _failedOnly));
        _active = Runner.List(new JobRunFilter(Limit: 50)).Where(r => !r.IsFinished).ToList();
        if (_selected is not null)
        {
            _selected = Runner.Get(_selected.Id) ?? _selected;
        }
    }

    private void SetFilter(Action change)
    {
        change();
        Load();
    }

    private void Cancel(JobRun run)
    {
        if (!Runner.Cancel(run.Id))
        {
            Snackbar.Add("That run had already finished.", Severity.Info);
        }
    }

    private async Task Select(JobRun run)
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
            var started = Conversion.StartConversion(choice.Options, choice.Datasets, "web");
            Snackbar.Add($"Started {started.Count} conversion run(s).", Severity.Success);
            Load();
        }
        catch (ArgumentException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }
}
