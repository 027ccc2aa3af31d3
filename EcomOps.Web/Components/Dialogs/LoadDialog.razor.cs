using EcomOps.Core;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Warehouse;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;

namespace EcomOps.Web.Components.Dialogs;

public sealed partial class LoadDialog : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private LoadWizardForm _form = default!;
    private IReadOnlyList<string> _tables = [];
    private LakeFolder? _folder;
    private string? _copy;
    private string? _refusal;
    private JobRun? _check;
    private JobRun? _load;
    private bool _starting;
    private RunFollower? _checkFollower;
    private RunFollower? _loadFollower;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private IWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private IWarehouseService WarehouseService { get; set; } = default!;

    [Inject]
    private ILakeService Lake { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private IOptions<EcomOpsOptions> Options { get; set; } = default!;

    [Inject]
    private IJSRuntime Js { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<LoadDialog> Logger { get; set; } = default!;

    private bool Busy => _starting || _check is { IsFinished: false } || _load is { IsFinished: false };

    protected override async Task OnInitializedAsync()
    {
        _form = new LoadWizardForm(Options.Value.LakeBucket);
        _checkFollower = new RunFollower(Runner, run => OnRunChanged(run, r => _check = r), Logger);
        _loadFollower = new RunFollower(Runner, run => OnRunChanged(run, r => _load = r), Logger);
        Render();
        try
        {
            await Warehouse.InitAsync(_cancellation.Token);
            _tables = (await Warehouse.ListTablesAsync(_cancellation.Token)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Could not list the warehouse's tables");
            Snackbar.Add($"Cannot list the warehouse's tables: {e.Message}", Severity.Error);
        }

        await BrowseAsync("");
    }

    public void Dispose()
    {
        // The runs go on in the job runner; only watching them stops.
        _checkFollower?.Dispose();
        _loadFollower?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private static long? QueryIdOf(JobRun run) =>
        run.Results?.FirstOrDefault(r => r.Name == LoadsView.LoadQueryIdResult) is { } result && long.TryParse(result.Value, out var id) ? id : null;

    private async Task BrowseAsync(string prefix)
    {
        try
        {
            _folder = await Lake.BrowseAsync(prefix, _cancellation.Token);
            _form.ChoosePrefix(prefix, _tables);
            Render();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The dialog is closing.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Browsing {Prefix} failed", prefix);
            Snackbar.Add($"Cannot list {prefix}: {e.Message}", Severity.Error);
        }
    }

    private Task UpAsync()
    {
        var parts = _form.Prefix.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return BrowseAsync(parts.Length <= 1 ? "" : string.Join('/', parts[..^1]) + "/");
    }

    private void Changed(Action set)
    {
        set();
        Render();
    }

    private void Render() => (_copy, _refusal) = _form.Render();

    private async Task CopyToClipboardAsync()
    {
        if (_copy is null)
        {
            return;
        }

        try
        {
            await Js.InvokeVoidAsync("navigator.clipboard.writeText", _cancellation.Token, _copy);
            Snackbar.Add("COPY copied.", Severity.Success);
        }
        catch (Exception e) when (e is JSException or InvalidOperationException)
        {
            Snackbar.Add($"The browser did not allow copying: {e.Message}", Severity.Warning);
        }
    }

    private Task CheckAsync() => StartAsync(noLoad: true);

    private Task LoadAsync() => StartAsync(noLoad: false);

    private Task StartAsync(bool noLoad)
    {
        if (Busy)
        {
            return Task.CompletedTask;
        }

        var (copy, refusal) = _form.Render(noLoad);
        if (copy is null)
        {
            _refusal = refusal;
            return Task.CompletedTask;
        }

        _starting = true;
        try
        {
            var run = WarehouseService.StartLoad(copy);
            if (noLoad)
            {
                _check = run;
                _checkFollower?.Follow(run.Id);
            }
            else
            {
                _load = run;
                _loadFollower?.Follow(run.Id);
            }
        }
        catch (Exception e) when (e is CopyParseException or ArgumentException or InvalidOperationException)
        {
            Snackbar.Add($"Could not start the load: {e.Message}", Severity.Error);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not start a load");
            Snackbar.Add($"Could not start the load: {e.Message}", Severity.Error);
        }
        finally
        {
            _starting = false;
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    private async Task CancelAsync(JobRun run)
    {
        try
        {
            if (!await Runner.CancelAsync(run.Id, _cancellation.Token))
            {
                Snackbar.Add("The run had already finished.", Severity.Info);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Could not cancel run {RunId}", run.Id);
            Snackbar.Add($"Could not cancel the run: {e.Message}", Severity.Error);
        }
    }

    private Task OnRunChanged(JobRun run, Action<JobRun> set) => InvokeAsync(() =>
    {
        set(run);
        StateHasChanged();
    });

    private void Close() => Dialog.Cancel();
}
