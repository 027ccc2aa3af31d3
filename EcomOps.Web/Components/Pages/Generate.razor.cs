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
    private IDisposable? _subscription;

    [Inject]
    private IGenerationService Generation { get; set; } = default!;

    [Inject]
    private IJobRunner Jobs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Generate> Logger { get; set; } = default!;

    private bool IsRunning => _run is { IsFinished: false };

    protected override void OnInitialized()
    {
        // The job outlives the page: coming back shows the latest run, finished or not, and its settings.
        _run = Jobs.List().FirstOrDefault(r => r.Kind == JobKinds.Generate);
        if (_run is not null)
        {
            _form.LoadFrom(_run.Parameters);
        }

        _subscription = Jobs.Subscribe(OnRunChanged);
    }

    public void Dispose() => _subscription?.Dispose();

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
            _run = Generation.StartGeneration(options, "web");
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

    private Task CancelAsync()
    {
        if (_run is not null && !Jobs.Cancel(_run.Id))
        {
            Snackbar.Add("The run had already finished.", Severity.Info);
        }

        return Task.CompletedTask;
    }

    private void OnRunChanged(JobRun run)
    {
        if (run.Kind != JobKinds.Generate || (_run is not null && run.Id != _run.Id && run.QueuedAt < _run.QueuedAt))
        {
            return;
        }

        _ = InvokeAsync(() =>
        {
            _run = run;
            StateHasChanged();
        });
    }
}
