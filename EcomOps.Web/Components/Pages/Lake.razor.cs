using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Lake : IDisposable
{
    private LakeFolder? _folder;
    private List<BreadcrumbItem> _breadcrumbs = [];
    private LakePreview? _preview;
    private bool _previewLoading;
    private bool _refreshing;
    private bool _deleting;
    private bool _showUpload;
    private string? _error;
    private RunFollower? _rowCount;
    private readonly CancellationTokenSource _cancellation = new();

    [SupplyParameterFromQuery(Name = "prefix")]
    public string? Prefix { get; set; }

    [Inject]
    private ILakeService LakeService { get; set; } = default!;

    [Inject]
    private IJobRunner Jobs { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Lake> Logger { get; set; } = default!;

    protected override void OnInitialized() => _rowCount = new RunFollower(Jobs, OnRowCountChanged, Logger);

    protected override async Task OnParametersSetAsync()
    {
        _preview = null;
        await RefreshAsync();
    }

    public void Dispose()
    {
        _rowCount?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    internal static string LakeUrl(string prefix) => prefix.Length == 0 ? "lake" : $"lake?prefix={Uri.EscapeDataString(prefix)}";

    private static string Utc(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    private void ToggleUpload() => _showUpload = !_showUpload;

    private async Task RefreshAsync()
    {
        if (_refreshing)
        {
            return;
        }

        _refreshing = true;
        try
        {
            _error = null;
            _folder = await LakeService.BrowseAsync(Prefix ?? "", _cancellation.Token);
            _breadcrumbs = _folder.Breadcrumbs
                .Select((b, i) => new BreadcrumbItem(i == 0 ? "lake" : b.Name, LakeUrl(b.Prefix), disabled: i == _folder.Breadcrumbs.Count - 1))
                .ToList();
        }
        catch (ArgumentException e) when (!string.IsNullOrEmpty(Prefix))
        {
            // A hand-edited ?prefix= that is not a valid key prefix: say so and show the top of the lake.
            _error = e.Message;
            Prefix = null;
            _refreshing = false;
            await RefreshAsync();
            _error ??= e.Message;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Listing {Prefix} of {Store} failed", Prefix ?? "", LakeService.StoreName);
            _error = $"Cannot list {(string.IsNullOrEmpty(Prefix) ? "the lake" : Prefix)}: {e.Message}";
            Snackbar.Add(_error, Severity.Error);
        }
        finally
        {
            _refreshing = false;
            StateHasChanged();
        }
    }

    private async Task PreviewAsync(string key)
    {
        if (_previewLoading)
        {
            return;
        }

        _previewLoading = true;
        try
        {
            _preview = await LakeService.PreviewAsync(key, 100, _cancellation.Token);
            if (_preview.RowCountRunId is { } countRun)
            {
                _rowCount?.Follow(countRun);
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Preview of {Key} failed", key);
            Snackbar.Add($"Cannot preview {key}: {e.Message}", Severity.Error);
        }
        finally
        {
            _previewLoading = false;
            StateHasChanged();
        }
    }

    private void ClosePreview() => _preview = null;

    private async Task DeleteAsync(ObjectInfo item)
    {
        if (_deleting)
        {
            return;
        }

        _deleting = true;
        try
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync(
                "Delete object?",
                $"Delete {item.Key} ({Format.Bytes(item.Size)}) from the lake? This cannot be undone.",
                yesText: "Delete",
                cancelText: "Cancel");
            if (confirmed != true)
            {
                return;
            }

            await LakeService.DeleteAsync(item.Key, _cancellation.Token);
            Snackbar.Add($"Deleted {item.Key}", Severity.Success);
            if (_preview?.Object.Key == item.Key)
            {
                _preview = null;
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Delete of {Key} failed", item.Key);
            Snackbar.Add($"Could not delete {item.Key}: {e.Message}", Severity.Error);
        }
        finally
        {
            _deleting = false;
        }

        await RefreshAsync();
    }

    // A finished row count makes the open preview complete: ask for it again. A failed one says so (asking
    // again would only start another count).
    private Task OnRowCountChanged(JobRun run) => !run.IsFinished ? Task.CompletedTask : InvokeAsync(async () =>
    {
        if (_preview?.RowCountRunId != run.Id)
        {
            return;
        }

        if (run.Status == JobStatus.Succeeded)
        {
            await PreviewAsync(_preview.Object.Key);
        }
        else
        {
            _preview = _preview with { RowCountRunId = null, Note = $"Counting the rows {run.Status.ToString().ToLowerInvariant()}: {run.Error}" };
        }

        StateHasChanged();
    });
}
