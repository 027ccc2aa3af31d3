using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace EcomOps.Web.Components.Shared;

public sealed partial class UploadPanel : IDisposable
{
    private readonly List<UploadItem> _items = [];
    private readonly CancellationTokenSource _cancellation = new();
    private IDisposable? _subscription;
    private string? _batchError;

    /// <summary>The folder the Lake page shows; uploads go there when it is a dataset's or a custom folder.</summary>
    [Parameter]
    public string? Prefix { get; set; }

    /// <summary>Called when an upload has finished, so the page can list the new object.</summary>
    [Parameter]
    public EventCallback OnUploaded { get; set; }

    [Inject]
    private ILakeService Lake { get; set; } = default!;

    [Inject]
    private IJobRunner Jobs { get; set; } = default!;

    [Inject]
    private ILogger<UploadPanel> Logger { get; set; } = default!;

    private string TargetText => FolderDataset() is { } dataset ? $"raw/{dataset.Name}/"
        : CustomFolder() is { } folder ? folder
        : "raw/<dataset>/ (recognized from each file's header)";

    protected override void OnInitialized() => _subscription = Jobs.Subscribe(OnRunChanged);

    public void Dispose()
    {
        _subscription?.Dispose();

        // Files still being received stop here; their runs end with a message saying the page went away.
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private static string StateOf(UploadItem item) => item switch
    {
        { Checking: true } => "checking",
        { Error: not null } or { Refused: true } => "refused",
        { Run: null } => "ready",
        { Run.Status: var status } => status.ToString().ToLowerInvariant(),
    };

    private async Task OnFilesChangedAsync(InputFileChangeEventArgs e)
    {
        // All of the drop is taken, so Core refuses one too large with its own words (GetMultipleFiles throws past its limit).
        var added = e.GetMultipleFiles(e.FileCount).Select(f => new UploadItem(f) { Dataset = FolderDataset()?.Name }).ToList();
        try
        {
            Lake.CheckUploadBatch(added.Select(Request).ToList());
            _batchError = null;
        }
        catch (UploadRejectedException refused)
        {
            _batchError = refused.Message;
            return;
        }

        _items.AddRange(added);
        foreach (var item in added)
        {
            await CheckAsync(item);
        }
    }

    private async Task ChangeDatasetAsync(UploadItem item, string? dataset)
    {
        item.Dataset = dataset;
        item.Check = null;
        item.Error = null;
        await CheckAsync(item);
    }

    private async Task CheckAsync(UploadItem item)
    {
        try
        {
            // Only the start of the file crosses the circuit for the check; the upload reads it again in full.
            // No size cap here: only the head is read, and an oversized file gets Core's refusal naming the setting.
            await using var head = item.File.OpenReadStream(long.MaxValue);
            item.Check = await Lake.CheckUploadAsync(Request(item), head);
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Checking {File} failed", item.File.Name);
            item.Error = $"Could not check '{item.File.Name}': {e.Message}";
        }
    }

    private async Task UploadAsync(UploadItem item)
    {
        if (!item.CanUpload)
        {
            return;
        }

        var request = Request(item) with { Overwrite = item.Overwrite, AcceptBadRows = item.BadRows > 0 };
        BrowserUpload upload;
        try
        {
            upload = Lake.StartBrowserUpload(request);
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Could not start the upload of {File}", item.File.Name);
            item.Error = $"Could not upload '{item.File.Name}': {e.Message}";
            return;
        }

        item.Run = upload.Run;
        StateHasChanged();
        try
        {
            // Only the browser's bytes go through the page, into the server's spool; the run does the rest,
            // and goes on if the page is left once they are all there.
            await using var content = item.File.OpenReadStream(Lake.MaxUploadBytes, _cancellation.Token);
            await upload.ReceiveAsync(content, _cancellation.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _cancellation.IsCancellationRequested)
        {
            // The page went away; the run reports that the browser stopped sending.
        }
        catch (Exception e)
        {
            // The run fails with its own message (the spool is gone); the log has the cause.
            Logger.LogWarning(e, "Receiving {File} from the browser failed", item.File.Name);
        }
    }

    private async Task CancelAsync(UploadItem item)
    {
        if (item.Run is null)
        {
            return;
        }

        try
        {
            await Jobs.CancelAsync(item.Run.Id);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not cancel upload run {RunId}", item.Run.Id);
            item.Error = $"Could not cancel: {e.Message}";
        }
    }

    private void Remove(UploadItem item) => _items.Remove(item);

    private UploadRequest Request(UploadItem item) => new(
        item.File.Name,
        item.Dataset,
        CustomFolder() is { } folder ? folder + item.StoredName : null,
        Size: item.File.Size);

    private DatasetSchema? FolderDataset() =>
        Prefix is { } p && p.StartsWith("raw/", StringComparison.Ordinal) && p.Count(c => c == '/') == 2
            ? DatasetRegistry.Find(p[4..^1])
            : null;

    // Uploads into the lake's root or raw/ go to raw/<dataset>/; into any other folder, right there.
    private string? CustomFolder() =>
        Prefix is { Length: > 0 } p && p != "raw/" && FolderDataset() is null ? (p.EndsWith('/') ? p : p + "/") : null;

    private void OnRunChanged(JobRun run)
    {
        var item = _items.FirstOrDefault(i => i.Run?.Id == run.Id);
        if (item is null)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            item.Run = run;
            StateHasChanged();
            if (run.Status == JobStatus.Succeeded)
            {
                await OnUploaded.InvokeAsync();
            }
        });
    }
}
