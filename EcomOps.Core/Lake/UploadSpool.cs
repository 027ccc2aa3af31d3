using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Lake;

/// <summary>
/// Where browser uploads are received (<c>&lt;DataRoot&gt;/uploads/</c>) before their upload run streams them
/// into the lake. The page writes the spool file and nothing else; the run waits until it is complete, so the
/// run never reads the browser's file and goes on whether or not the page is still open. A file is
/// <c>&lt;id&gt;-&lt;name&gt;.part</c> while it arrives and loses <c>.part</c> when it is all there.
/// </summary>
internal sealed class UploadSpool(IOptions<EcomOpsOptions> options, TimeProvider time, ILogger<UploadSpool> logger)
{
    private const string PartSuffix = ".part";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A browser that sends nothing for this long has gone (closed tab, lost connection).</summary>
    internal static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Spool files older than this are left by runs that failed long ago, and are deleted.</summary>
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(1);

    public string Folder => Path.Combine(options.Value.DataRootFullPath, "uploads");

    /// <summary>Creates an empty spool file to receive <paramref name="fileName"/> into; returns the path it will have when complete.</summary>
    public string Create(string fileName)
    {
        Directory.CreateDirectory(Folder);
        CleanOld();
        var path = Path.Combine(Folder, $"{Guid.NewGuid():N}-{fileName}");
        using (File.Create(path + PartSuffix))
        {
        }

        return path;
    }

    /// <summary>
    /// Copies what the browser sends into the spool file and marks it complete. Stops when the upload run was
    /// cancelled (it deletes the part file). On any failure the part file is deleted, so the run stops waiting.
    /// </summary>
    public async Task ReceiveAsync(string path, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var part = path + PartSuffix;
        try
        {
            await using (var file = new FileStream(part, FileMode.Open, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous))
            {
                var buffer = new byte[256 * 1024];
                long total = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        throw new UploadRejectedException(FormattableString.Invariant($"The file is over the upload limit of {maxBytes:N0} bytes (EcomOps:MaxUploadBytes). Nothing was uploaded."));
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);

                    // The run deletes the part file when it is cancelled: stop sending then.
                    if (total % (4 * buffer.Length) < read && !File.Exists(part))
                    {
                        throw new OperationCanceledException("The upload run was cancelled.");
                    }
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(part, path);
        }
        catch
        {
            TryDelete(part);
            throw;
        }
    }

    /// <summary>
    /// Waits until the spool file is complete and returns its size, reporting the bytes received so far. Fails
    /// with a message for people when the browser stopped sending; deletes the part file when cancelled.
    /// </summary>
    public async Task<long> WaitForAsync(string path, string fileName, long? size, Action<long> onBytes, CancellationToken cancellationToken)
    {
        var part = path + PartSuffix;
        long last = -1;
        var lastGrowth = time.GetUtcNow();
        try
        {
            while (true)
            {
                if (File.Exists(path))
                {
                    return new FileInfo(path).Length;
                }

                var info = new FileInfo(part);
                if (!info.Exists)
                {
                    throw new UploadRejectedException(FormattableString.Invariant(
                        $"The browser stopped sending '{fileName}' after {Math.Max(0, last):N0} of {size ?? 0:N0} bytes (the page was closed, or lost its connection). Nothing was uploaded; upload it again."));
                }

                if (info.Length != last)
                {
                    last = info.Length;
                    lastGrowth = time.GetUtcNow();
                    onBytes(last);
                }
                else if (time.GetUtcNow() - lastGrowth > StallTimeout)
                {
                    TryDelete(part);
                    throw new UploadRejectedException(FormattableString.Invariant(
                        $"The browser sent nothing of '{fileName}' for {StallTimeout.TotalMinutes:0} minutes, after {last:N0} bytes. Nothing was uploaded; upload it again."));
                }

                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            TryDelete(part);
            TryDelete(path);
            throw;
        }
    }

    public void Delete(string path) => TryDelete(path);

    private void CleanOld()
    {
        var cutoff = time.GetUtcNow().UtcDateTime - KeepFor;
        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff)
            {
                TryDelete(file.FullName);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            logger.LogDebug(e, "Could not delete spool file {Path}", path);
        }
    }
}
