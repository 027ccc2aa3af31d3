using EcomOps.Core.Storage;
using Parquet;

namespace EcomOps.Core.Conversion;

/// <summary>
/// Moves a run's staged files into the dataset's Parquet folder. With the store's <see cref="IAtomicPrefixSwap"/> (the local
/// lake) the staged folder, manifest and <c>_SUCCESS</c> included, replaces the live one in one step. Without it
/// (S3) objects are copied one by one: <c>_SUCCESS</c> is removed first, the data files are copied, the manifest
/// is written (the commit point: it lists exactly the new set), old files are deleted and <c>_SUCCESS</c> is
/// written last; a reader listing the prefix in between can see old and new files together.
/// </summary>
internal static class ParquetCommit
{
    public static async Task CommitAsync(
        IObjectStore store,
        IAtomicPrefixSwap? prefixSwap,
        string stagingPrefix,
        string targetPrefix,
        IReadOnlyList<string> stagedRelativeKeys,
        ConversionManifest manifest,
        bool append,
        CancellationToken cancellationToken)
    {
        var manifestJson = manifest.ToUtf8Json();
        if (prefixSwap is { } swap)
        {
            await PutAsync(store, stagingPrefix + ConversionManifest.FileName, manifestJson, cancellationToken).ConfigureAwait(false);
            await PutAsync(store, stagingPrefix + ConversionManifest.SuccessFileName, [], cancellationToken).ConfigureAwait(false);
            await swap.SwapPrefixAsync(stagingPrefix, targetPrefix, keepTargetObjects: append, cancellationToken).ConfigureAwait(false);
            return;
        }

        await store.DeleteAsync(targetPrefix + ConversionManifest.SuccessFileName, cancellationToken).ConfigureAwait(false);
        foreach (var relativeKey in stagedRelativeKeys)
        {
            await store.CopyAsync(stagingPrefix + relativeKey, targetPrefix + relativeKey, cancellationToken).ConfigureAwait(false);
        }

        // From here on the new output is committed: a later step that fails is finished by RecoverAsync.
        await PutAsync(store, targetPrefix + ConversionManifest.FileName, manifestJson, CancellationToken.None).ConfigureAwait(false);
        await FinishAsync(store, targetPrefix, manifest, CancellationToken.None).ConfigureAwait(false);
        await DeletePrefixAsync(store, stagingPrefix, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes a copy-based commit whose manifest is written: deletes the objects the manifest does not list
    /// (files of the replaced output, or of a commit that died before its manifest) and writes <c>_SUCCESS</c>.
    /// </summary>
    public static async Task FinishAsync(IObjectStore store, string targetPrefix, ConversionManifest manifest, CancellationToken cancellationToken)
    {
        var listed = manifest.Files.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var live = await store.ListAsync(targetPrefix, null, cancellationToken).ConfigureAwait(false);
        foreach (var stale in live.Objects.Where(o => !listed.Contains(o.Key) && !IsMarker(targetPrefix, o.Key)))
        {
            await store.DeleteAsync(stale.Key, cancellationToken).ConfigureAwait(false);
        }

        await PutAsync(store, targetPrefix + ConversionManifest.SuccessFileName, [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The data files under a dataset's folder with their row counts, from the manifest where it lists them, else from each file's footer.</summary>
    public static async Task<IReadOnlyList<ManifestFile>> LiveFilesAsync(IObjectStore store, string targetPrefix, ConversionManifest? manifest, CancellationToken cancellationToken)
    {
        var known = (manifest?.Files ?? []).ToDictionary(f => f.Key, StringComparer.Ordinal);
        var live = await store.ListAsync(targetPrefix, null, cancellationToken).ConfigureAwait(false);
        var files = new List<ManifestFile>();
        foreach (var info in live.Objects.Where(o => o.Key.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)))
        {
            if (known.TryGetValue(info.Key, out var file))
            {
                files.Add(file);
                continue;
            }

            await using var stream = new SeekableObjectStream(store, info.Key, info.ETag, info.Size);
            await using var reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: false, cancellationToken).ConfigureAwait(false);
            long rows = 0;
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                rows += rowGroup.RowCount;
            }

            files.Add(new ManifestFile(info.Key, rows, info.Size, Guid.Empty, "unknown"));
        }

        return files;
    }

    public static async Task DeletePrefixAsync(IObjectStore store, string prefix, CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false);
        foreach (var info in listing.Objects)
        {
            await store.DeleteAsync(info.Key, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task PutAsync(IObjectStore store, string key, byte[] content, CancellationToken cancellationToken)
    {
        await using var write = await store.OpenWriteAsync(key, cancellationToken).ConfigureAwait(false);
        await write.Stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool IsMarker(string targetPrefix, string key) =>
        key == targetPrefix + ConversionManifest.FileName || key == targetPrefix + ConversionManifest.SuccessFileName;
}
