using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Lake;

/// <summary>A sub-folder (common prefix) of a lake listing, with the size of everything under it.</summary>
public sealed record LakeFolderEntry(string Name, string Prefix, long TotalBytes, long ObjectCount, DateTimeOffset? LastModified);

/// <summary>One level of the lake: the path to it, its sub-folders and its objects.</summary>
public sealed record LakeFolder(
    string Prefix,
    IReadOnlyList<(string Name, string Prefix)> Breadcrumbs,
    IReadOnlyList<LakeFolderEntry> Folders,
    IReadOnlyList<ObjectInfo> Objects,
    long TotalBytes,
    long TotalObjects);

/// <summary>A column as a preview shows it: name and type (the dataset's, or the Parquet file's).</summary>
public sealed record PreviewColumn(string Name, string Type);

/// <summary>The first rows of an object, its columns and, when known, how many rows it has.</summary>
/// <param name="Format"><c>csv</c>, <c>parquet</c> or <c>text</c>.</param>
/// <param name="RowCount">Rows in the whole object, when known (Parquet footer, or a finished count).</param>
/// <param name="RowCountRunId">The run counting a large CSV's rows, while it runs.</param>
/// <param name="Note">Something the user should know about the preview, such as why rows are missing.</param>
public sealed record LakePreview(
    ObjectInfo Object,
    string Format,
    DatasetSchema? Dataset,
    IReadOnlyList<PreviewColumn> Columns,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    long? RowCount,
    Guid? RowCountRunId,
    string? Note);

/// <summary>What an upload will do, before it is done: the check of the file, where it would go, and whether that replaces something.</summary>
public sealed record UploadCheck(CsvInspection Inspection, string? TargetKey, ObjectInfo? Existing, long? Size, long MaxBytes)
{
    /// <summary>
    /// Why the upload would be refused as <paramref name="request"/> asks for it (bad rows not accepted, an
    /// existing object not to be replaced), or null: the words <see cref="ILakeService.UploadAsync"/> refuses with.
    /// </summary>
    public string? RefusalFor(UploadRequest request) =>
        (Refusal is { } refusal ? refusal + " Nothing was uploaded." : null)
        ?? (Inspection.BadRowCount > 0 && !request.AcceptBadRows ? UploadMessages.BadRows(Inspection) : null)
        ?? (Existing is { } existing && !request.Overwrite && TargetKey is { } key ? UploadMessages.Exists(key, existing) : null);

    /// <summary>Why the upload cannot go ahead at all, or null.</summary>
    public string? Refusal => Inspection.Refusal
        ?? (Size > MaxBytes ? string.Create(CultureInfo.InvariantCulture, $"'{Inspection.FileName}' is {Size:N0} bytes, over the upload limit of {MaxBytes:N0} bytes (EcomOps:MaxUploadBytes).") : null);
}

/// <summary>An upload to make.</summary>
/// <param name="FileName">The file's name; the object is <c>raw/&lt;dataset&gt;/&lt;FileName&gt;</c> unless <paramref name="Key"/> is given.</param>
/// <param name="Dataset">The dataset, or null to recognize it from the header.</param>
/// <param name="Key">Where to put it instead of the default key.</param>
/// <param name="Overwrite">Replace an existing object; without it an existing object is never replaced.</param>
/// <param name="AcceptBadRows">Go on when the first rows have bad values (the converter will quarantine them).</param>
/// <param name="Size">The file's size when known, to refuse an oversized file before reading it.</param>
public sealed record UploadRequest(string FileName, string? Dataset = null, string? Key = null, bool Overwrite = false, bool AcceptBadRows = false, long? Size = null);

/// <summary>Bytes sent so far of an upload.</summary>
public readonly record struct UploadProgress(long Bytes, long? TotalBytes);

/// <summary>An upload was refused; the lake is as it was. The message says why and what to do.</summary>
public sealed class UploadRejectedException(string message, CsvInspection? inspection = null) : InvalidOperationException(message)
{
    public CsvInspection? Inspection { get; } = inspection;
}

/// <summary>An upload run whose file a browser is sending: the run, and where to send the bytes.</summary>
public sealed class BrowserUpload(JobRun run, Func<Stream, CancellationToken, Task> receive)
{
    /// <summary>The upload run, queued.</summary>
    public JobRun Run { get; } = run;

    /// <summary>
    /// Copies the browser's file to the server for the run. Cancelling it (the page going away) ends the run
    /// with a message; a cancelled run stops it.
    /// </summary>
    public Task ReceiveAsync(Stream content, CancellationToken cancellationToken = default) => receive(content, cancellationToken);
}

/// <summary>The words of upload refusals, shared by the check before an upload and the upload itself.</summary>
internal static class UploadMessages
{
    public static string BadRows(CsvInspection inspection) => string.Create(CultureInfo.InvariantCulture,
        $"'{inspection.FileName}' has {inspection.BadRowCount:N0} bad row(s) in its first {inspection.RowsChecked:N0}: {string.Join("; ", inspection.BadRows.Take(5))}. ") +
        "Fix the file, or upload it anyway (the converter will quarantine bad rows). Nothing was uploaded.";

    public static string Exists(string key, ObjectInfo existing) => string.Create(CultureInfo.InvariantCulture,
        $"'{key}' already exists ({existing.Size:N0} bytes, {existing.LastModified.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC). Confirm to replace it (--overwrite on the command line), or choose another name. Nothing was uploaded.");
}
