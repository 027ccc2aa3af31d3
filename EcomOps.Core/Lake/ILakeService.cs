using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Lake;

/// <summary>
/// The lake as people use it: browse, check and upload CSVs, preview, download and delete objects. Reading needs the
/// Viewer role, uploading and deleting Operator (<see cref="IAccess"/>); refusals throw <see cref="AccessDeniedException"/>.
/// </summary>
public interface ILakeService
{
    /// <summary>Where the lake is, for display (a local folder or an S3 bucket).</summary>
    string StoreName { get; }

    /// <summary>The upload size limit in bytes (<c>EcomOps:MaxUploadBytes</c>, default 2 GiB).</summary>
    long MaxUploadBytes { get; }

    /// <summary>Files one upload may hold (<c>EcomOps:Limits:MaxUploadFiles</c>, default 20).</summary>
    int MaxUploadFiles { get; }

    /// <summary>Bytes all files of one upload may hold together (<c>EcomOps:Limits:MaxUploadBatchBytes</c>, default 4 GiB).</summary>
    long MaxUploadBatchBytes { get; }

    /// <summary>
    /// Checks the files of one upload together (a drop on the Lake page, one CLI command) before any is checked or
    /// sent: their count and their total size (as each request's <see cref="UploadRequest.Size"/> says). The names
    /// they get are in each request's check (<see cref="UploadFileName"/>).
    /// </summary>
    /// <exception cref="UploadRejectedException">Too many files, or too many bytes; the message names the first file over the limit and the setting.</exception>
    void CheckUploadBatch(IReadOnlyList<UploadRequest> files);

    /// <summary>One folder level under <paramref name="prefix"/> (empty for the root, else ending in '/').</summary>
    Task<LakeFolder> BrowseAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a file before uploading it: header, first rows, target key and whether it exists. Reads at
    /// most the first <see cref="CsvInspector.MaxHeadBytes"/> of <paramref name="content"/>; writes nothing.
    /// </summary>
    Task<UploadCheck> CheckUploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a CSV into the lake, checking it again on the way (header, first rows, size limit). A refused
    /// or cancelled upload leaves the lake as it was.
    /// </summary>
    /// <exception cref="UploadRejectedException">The file was refused; the message says why.</exception>
    Task<ObjectInfo> UploadAsync(UploadRequest request, Stream content, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads a file on this machine as a job (<see cref="UploadJob"/>), so it shows progress, can be cancelled,
    /// run again and is in the run history. The checks of <see cref="UploadAsync"/> apply.
    /// </summary>
    /// <exception cref="UploadRejectedException">The file does not exist; no run was started.</exception>
    JobRun StartUpload(UploadRequest request, string sourcePath);

    /// <summary>
    /// Starts the upload run of a file a browser is sending. The page hands what it reads from the browser to
    /// <see cref="BrowserUpload.ReceiveAsync"/>; the bytes are spooled on the server and the run streams them
    /// into the lake. Once they have all arrived the run no longer depends on the page; if the page goes away
    /// before, the run fails with a message saying so and the lake is as it was.
    /// </summary>
    BrowserUpload StartBrowserUpload(UploadRequest request);

    /// <summary>
    /// The first <paramref name="rows"/> rows of a CSV or Parquet object, with column types. A large CSV's row
    /// count is computed by a background run whose id is returned; ask again when it has finished.
    /// </summary>
    Task<LakePreview> PreviewAsync(string key, int rows = 100, CancellationToken cancellationToken = default);

    /// <summary>Opens an object to download it, with its details; null when there is none.</summary>
    /// <exception cref="ArgumentException">The key is not a valid object key.</exception>
    Task<(ObjectInfo Info, Stream Content)?> OpenDownloadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
