using System.Globalization;

namespace EcomOps.Core.Lake;

/// <summary>The limits on one upload as a whole: how many files, and how many bytes together.</summary>
internal static class UploadBatch
{
    public static void Check(IReadOnlyList<UploadRequest> files, int maxFiles, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count > maxFiles)
        {
            throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture,
                $"This upload has {files.Count} files; at most {maxFiles} go in one upload (EcomOps:Limits:MaxUploadFiles), and '{Name(files[maxFiles])}' is file {maxFiles + 1}. Upload them in groups of {maxFiles} or fewer. Nothing was uploaded."));
        }

        long total = 0;
        foreach (var file in files)
        {
            total += file.Size ?? 0;
            if (total > maxBytes)
            {
                throw new UploadRejectedException(string.Create(CultureInfo.InvariantCulture,
                    $"'{Name(file)}' brings this upload to {total:N0} bytes, over the limit of {maxBytes:N0} bytes for one upload (EcomOps:Limits:MaxUploadBatchBytes). Upload fewer files at once. Nothing was uploaded."));
            }
        }
    }

    // The name the file would get; the raw name only if even that is unusable (the file's own check says why).
    private static string Name(UploadRequest file) => UploadFileName.TrySanitize(file.FileName, out var name, out _) ? name : file.FileName;
}
