using System.Diagnostics;
using System.Globalization;

namespace EcomOps.Core.Storage;

/// <summary>
/// The Local backend's lake: objects are files under <c>rootDirectory</c>, keys are relative paths.
/// Writes go to a staging folder on the same file system and are renamed into place on commit, so a
/// reader sees the previous whole file or the new whole file, never half of one.
/// </summary>
public sealed partial class LocalObjectStore : IObjectStore, IAtomicPrefixSwap
{
    private readonly string _root;
    private readonly string _staging;
    private readonly TimeProvider _time;

    /// <param name="rootDirectory">Where objects live (created if missing).</param>
    /// <param name="stagingDirectory">
    /// Where unfinished writes live until commit; must be on the same file system as the root and
    /// outside it, so listings never show them. Defaults to <c>&lt;root&gt;.staging</c> beside the root.
    /// </param>
    /// <param name="timeProvider">Clock; the system clock by default.</param>
    public LocalObjectStore(string rootDirectory, string? stagingDirectory = null, TimeProvider? timeProvider = null)
    {
        _root = Path.GetFullPath(rootDirectory);
        _staging = Path.GetFullPath(stagingDirectory ?? _root.TrimEnd(Path.DirectorySeparatorChar) + ".staging");
        _time = timeProvider ?? TimeProvider.System;
    }

    public string RootDirectory => _root;

    public string DisplayName => $"local:{_root}";

    public Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default)
    {
        prefix = ObjectKey.ValidatePrefix(prefix);
        var objects = new List<ObjectInfo>();
        var prefixes = new SortedSet<string>(StringComparer.Ordinal);

        // Only the folder the prefix names (up to its last '/') can hold matches.
        var folderPart = prefix.Contains('/') ? prefix[..(prefix.LastIndexOf('/') + 1)] : string.Empty;
        var scanRoot = Path.Combine(_root, folderPart);
        if (Directory.Exists(scanRoot))
        {
            foreach (var path in EnumerateFiles(scanRoot))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(delimiter))
                {
                    var cut = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                    if (cut >= 0)
                    {
                        prefixes.Add(key[..(cut + delimiter.Length)]);
                        continue;
                    }
                }

                // Deleted since it was listed (another writer's cleanup): not there any more.
                var file = new FileInfo(path);
                if (file.Exists)
                {
                    objects.Add(Info(key, file));
                }
            }
        }

        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult(new ObjectListing(prefix, objects, [.. prefixes]));
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? Info(key, file) : null);
    }

    public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, DisplayName);
        }

        if (range is not { } r)
        {
            return Task.FromResult<Stream>(stream);
        }

        stream.Seek(Math.Min(r.Offset, stream.Length), SeekOrigin.Begin);
        return Task.FromResult<Stream>(new RangeStream(stream, r.Length));
    }

    public async Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var stream = await OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        var file = (FileStream)stream;

        // Commits rename a new file into place, so the open handle keeps the version it opened: its size and
        // time say which one that is, whatever the path holds by now.
        var opened = ETagOf(file.Length, new DateTimeOffset(File.GetLastWriteTimeUtc(file.SafeFileHandle), TimeSpan.Zero));
        if (opened != eTag)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ObjectChangedException(key, DisplayName, eTag);
        }

        if (range is not { } r)
        {
            return stream;
        }

        stream.Seek(Math.Min(r.Offset, stream.Length), SeekOrigin.Begin);
        return new RangeStream(stream, r.Length);
    }

    public Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(_staging);
        var temp = Path.Combine(_staging, StagingFileName(Guid.NewGuid()));
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        return Task.FromResult<IObjectWrite>(new LocalWrite(this, key, target, temp, stream));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.CompletedTask;
        }

        File.Delete(path);
        PruneEmptyFolders(Path.GetDirectoryName(path));
        return Task.CompletedTask;
    }

    public async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(sourceKey, null, cancellationToken).ConfigureAwait(false);
        await using var write = await OpenWriteAsync(targetKey, cancellationToken).ConfigureAwait(false);
        await source.CopyToAsync(write.Stream, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes staging files left by a process that died mid-write (they were never visible). The CLI and the
    /// dashboard share a data root, so a file whose owner (named in it: process id and start time) still runs
    /// is another process's write in flight, and stays. Files named otherwise (older versions) go once they
    /// have not been written for <see cref="UnownedStagingAge"/>.
    /// </summary>
    public void CleanStaging()
    {
        if (!Directory.Exists(_staging))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_staging, "*.tmp"))
        {
            var gone = OwnerOf(Path.GetFileName(file)) is { } owner
                ? !IsRunning(owner.Pid, owner.StartedMs)
                : _time.GetUtcNow() - File.GetLastWriteTimeUtc(file) > UnownedStagingAge;
            if (gone)
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException e)
                {
                    // Another start-up cleaned it first, or it is in use on a system that locks: leave it.
                    Debug.WriteLine($"Left staging file '{file}': {e.Message}");
                }
            }
        }
    }

    /// <summary>How long a staging file with no owner in its name must be untouched before it is removed.</summary>
    internal static TimeSpan UnownedStagingAge { get; } = TimeSpan.FromHours(24);

    /// <summary>A staging file name that says which process writes it: <c>&lt;pid&gt;-&lt;start, Unix ms&gt;-&lt;id&gt;.tmp</c>.</summary>
    internal static string StagingFileName(Guid id) => StagingFileName(Environment.ProcessId, CurrentProcessStartedMs, id);

    internal static string StagingFileName(int pid, long startedMs, Guid id) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid}-{startedMs}-{id:N}.tmp");

    private static long CurrentProcessStartedMs { get; } = StartedMs(Process.GetCurrentProcess());

    /// <summary>The process start time, as the staging file names carry it.</summary>
    internal static long StartedMs(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();

    private static (int Pid, long StartedMs)? OwnerOf(string fileName)
    {
        var parts = fileName.Split('-');
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var started)
            ? (pid, started)
            : null;
    }

    private static bool IsRunning(int pid, long startedMs)
    {
        try
        {
            using var process = Process.GetProcessById(pid);

            // The same id with another start time is a new process that reused the id: the owner is gone. The
            // start time is derived from the boot time, which can read a little differently from one process
            // to another, hence the tolerance.
            return Math.Abs(StartedMs(process) - startedMs) < 2_000;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Cannot tell (another user's process, say): keeping a file is safe, deleting a live write is not.
            return true;
        }
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));

        // Belt and braces: validation already refuses '..', but a symlink-free containment check is cheap.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid object key '{key}': it resolves outside the lake.");
        }

        return path;
    }

    private static ObjectInfo Info(string key, FileInfo file)
    {
        var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        return new ObjectInfo(key, file.Length, modified, ETagOf(file.Length, modified));
    }

    private static string ETagOf(long length, DateTimeOffset modified) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{modified.UtcTicks:x}\"");

    /// <summary>
    /// Moves a finished file to its key's path, creating the folders on the way. A concurrent delete prunes empty
    /// folders, so a folder (or a parent of it) can vanish between being made and being moved into, even while
    /// CreateDirectory makes its parents: each step is tried again, a few times, from the top.
    /// </summary>
    private static void MoveIntoPlace(string temp, string target)
    {
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(temp, target, overwrite: true);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < Attempts && File.Exists(temp))
            {
                // Pruned meanwhile: make the folders again.
            }
        }
    }

    private void PruneEmptyFolders(string? folder)
    {
        try
        {
            while (folder is not null && folder.Length > _root.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
                folder = Path.GetDirectoryName(folder);
            }
        }
        catch (IOException e) when (e is DirectoryNotFoundException || (folder is not null && Directory.Exists(folder)))
        {
            // A concurrent write put something in the folder since it was found empty, or a concurrent prune
            // removed it first: either way it is not this prune's to remove. Writers re-create what they need.
            Debug.WriteLine($"Left '{folder}' in place: {e.Message}");
        }
    }

    // Lists files under a folder; a folder removed meanwhile by a concurrent delete holds nothing.
    private static IEnumerable<string> EnumerateFiles(string folder)
    {
        using var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).GetEnumerator();
        while (true)
        {
            try
            {
                if (!files.MoveNext())
                {
                    yield break;
                }
            }
            catch (DirectoryNotFoundException) when (!Directory.Exists(folder))
            {
                yield break;
            }

            yield return files.Current;
        }
    }

    private sealed class LocalWrite(LocalObjectStore store, string key, string target, string temp, FileStream stream) : IObjectWrite
    {
        private bool _committed;

        public string Key => key;

        public Stream Stream => stream;

        public async Task<ObjectInfo> CommitAsync(CancellationToken cancellationToken = default)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            MoveIntoPlace(temp, target);

            File.SetLastWriteTimeUtc(target, store._time.GetUtcNow().UtcDateTime);
            _committed = true;
            return Info(key, new FileInfo(target));
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                // Flushing what was buffered can fail (a full disk); the abandoned file goes anyway.
                if (!_committed)
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
