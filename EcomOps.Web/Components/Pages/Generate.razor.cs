using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Generate : IDisposable
{
    private readonly GenerateForm _form = new();
    private IReadOnlyList<DatasetPreview>? _preview;
    private JobRun? _run;
    private bool _busy;

    // Until the latest run is read, Generate waits: it could be running already, and its settings fill the form.
    private bool _loaded;
    private IDisposable? _subscription;
    private RunFollower? _follower;

    [Inject]
    private IGenerationService Generation { get; set; } = default!;

    [Inject]
    private IJobRunner Jobs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Generate> Logger { get; set; } = default!;

    private bool IsRunning => _run is { IsFinished: false };

    protected override async Task OnInitializedAsync()
    {
        _follower = new RunFollower(Jobs, run => InvokeAsync(() =>
        {
            _run = run;
            StateHasChanged();
        }), Logger);

        // A generation started from here later, or in another tab, is followed from its start.
        _subscription = Jobs.Subscribe(OnRunStarted);

        // The job outlives the page: coming back shows the latest run, finished or not, and its settings.
        _run = (await Jobs.ListAsync(new JobRunFilter(Kind: JobKinds.Generate, Limit: 1))).FirstOrDefault();
        if (_run is not null)
        {
            _form.LoadFrom(_run.Parameters);
            _follower.Follow(_run.Id);
        }
    }

    // Runs once OnInitializedAsync has finished, and its render is the last one of the first load.
    protected override void OnParametersSet() => _loaded = true;

    public void Dispose()
    {
        _subscription?.Dispose();
        _follower?.Dispose();
    }

    private bool Has(string field) => _form.ErrorFor(field) is not null;

    private Task<IEnumerable<string>> SearchLocalesAsync(string? text, CancellationToken cancellationToken) =>
        Task.FromResult(string.IsNullOrWhiteSpace(text) || GenerationLimits.Locales.Contains(text)
            ? GenerationLimits.Locales.AsEnumerable()
            : GenerationLimits.Locales.Where(l => l.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)));

    private async Task PreviewAsync()
    {
        if (_busy || _form.TryBuild() is not { } options)
        {
            return;
        }

        _busy = true;
        try
        {
            _preview = await Task.Run(() => Generation.PreviewAsync(options));
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Preview failed");
            Snackbar.Add($"Preview failed: {e.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private Task StartAsync()
    {
        if (_busy || IsRunning || _form.TryBuild() is not { } options)
        {
            return Task.CompletedTask;
        }

        _busy = true;
        try
        {
            _run = Generation.StartGeneration(options);
            _follower?.Follow(_run.Id);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not start generation");
            Snackbar.Add($"Could not start generation: {e.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
        }

        return Task.CompletedTask;
    }

    private async Task CancelAsync()
    {
        try
        {
            if (_run is not null && !await Jobs.CancelAsync(_run.Id))
            {
                Snackbar.Add("The run had already finished.", Severity.Info);
            }
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not cancel run {RunId}", _run?.Id);
            Snackbar.Add($"Could not cancel the run: {e.Message}", Severity.Error);
        }
    }

    private void OnRunStarted(JobRun run)
    {
        if (run.Kind == JobKinds.Generate && run.Status == JobStatus.Queued && (_run is null || run.QueuedAt > _run.QueuedAt))
        {
            _ = InvokeAsync(() => _follower?.Follow(run.Id));
        }
    }
}
