using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using Microsoft.AspNetCore.Components.Forms;

namespace EcomOps.Web.Model;

/// <summary>One file in the upload panel: its check, the user's choices, and the upload run once started.</summary>
public sealed class UploadItem(IBrowserFile file)
{
    public IBrowserFile File { get; } = file;

    /// <summary>The name the file gets in the lake (<see cref="UploadFileName"/>), or the browser's name when none is usable (the check then says why).</summary>
    public string StoredName { get; } = UploadFileName.TrySanitize(file.Name, out var name, out _) ? name : file.Name;

    /// <summary>Whether the lake name differs from the file's, so the panel shows it before the upload.</summary>
    public bool Renamed => StoredName != File.Name;

    public UploadCheck? Check { get; set; }

    /// <summary>The dataset the user picked, or null to use the one recognized from the header.</summary>
    public string? Dataset { get; set; }

    public bool Overwrite { get; set; }

    public string? Error { get; set; }

    public JobRun? Run { get; set; }

    public bool Checking => Check is null && Error is null;

    public bool Refused => Check?.Refusal is not null;

    public int BadRows => Check?.Inspection.BadRowCount ?? 0;

    /// <summary>Whether Upload can be pressed: checked, not refused, not started, and an existing target confirmed.</summary>
    public bool CanUpload => Check is { Refusal: null, TargetKey: not null } && Run is null && (Check.Existing is null || Overwrite);

    public DatasetSchema? RecognizedDataset => Check?.Inspection.Dataset;
}
