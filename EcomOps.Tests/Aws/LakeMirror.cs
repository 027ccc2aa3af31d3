using EcomOps.Core.Storage;

namespace EcomOps.Tests.Aws;

/// <summary>
/// A local copy of an S3 lake's data (<c>raw/</c> and <c>parquet/</c>) for the stand-ins whose local engines read files,
/// not S3: DuckDB, as the Athena stand-in's query engine and the Redshift stand-in's COPY of Parquet. Each
/// <see cref="SyncAsync"/> copies the objects that are new or changed (by size and ETag) and deletes the copies of objects
/// that are gone, so the local engines see what the bucket holds at that moment.
/// </summary>
internal sealed class LakeMirror(IObjectStore lake, string folder)
{
    private static readonly string[] Prefixes = ["raw/", "parquet/"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (long Size, string ETag)> _copied = new(StringComparer.Ordinal);

    /// <summary>The folder the lake is copied into (a Local backend's <c>lake/&lt;bucket&gt;/</c>).</summary>
    public string Folder => folder;

    /// <summary>How many objects have been downloaded so far (a changed object counts again).</summary>
    public int Downloads { get; private set; }

    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prefix in Prefixes)
            {
                foreach (var item in (await lake.ListAsync(prefix, null, cancellationToken)).Objects)
                {
                    present.Add(item.Key);
                    if (_copied.TryGetValue(item.Key, out var had) && had == (item.Size, item.ETag))
                    {
                        continue;
                    }

                    var path = PathOf(item.Key);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    // Written aside, then renamed: a reader of the old copy never sees half a file.
                    var partial = path + ".mirroring";
                    await using (var source = await lake.OpenReadAsync(item.Key, null, cancellationToken))
                    await using (var target = File.Create(partial))
                    {
                        await source.CopyToAsync(target, cancellationToken);
                    }

                    File.Move(partial, path, overwrite: true);
                    _copied[item.Key] = (item.Size, item.ETag);
                    Downloads++;
                }
            }

            foreach (var gone in _copied.Keys.Where(k => !present.Contains(k)).ToList())
            {
                File.Delete(PathOf(gone));
                _copied.Remove(gone);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private string PathOf(string key) => Path.Combine(folder, key.Replace('/', Path.DirectorySeparatorChar));
}
