namespace EcomOps.Core.Storage;

/// <summary>
/// The lake's object store: a local folder or an S3 bucket, with the same keys (see ARCHITECTURE.md's lake
/// layout). Keys are '/'-separated, relative, validated by <see cref="ObjectKey.Validate"/>.
/// </summary>
public interface IObjectStore
{
    /// <summary>A name for messages and the UI, such as <c>local:data/lake/ecomops-lake</c> or <c>s3://bucket</c>.</summary>
    string DisplayName { get; }

    /// <summary>
    /// Lists objects under <paramref name="prefix"/>. With a <paramref name="delimiter"/> ("/"), keys with the
    /// delimiter after the prefix are rolled up into <see cref="ObjectListing.CommonPrefixes"/> (folders).
    /// </summary>
    Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default);

    /// <summary>Size, last modified time and ETag of an object, or null when it does not exist.</summary>
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object for reading, whole or a byte range (inclusive start, length).
    /// Throws <see cref="ObjectNotFoundException"/> when it does not exist.
    /// </summary>
    Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a byte range (or all) of one version of an object: the one whose ETag is <paramref name="eTag"/>, as
    /// <see cref="HeadAsync"/> or a listing gave it. A reader that reads one object in several requests (a Parquet
    /// footer, then its pages) passes the ETag it saw first, so it never mixes two versions of an object replaced
    /// meanwhile. Throws <see cref="ObjectChangedException"/> when the object is no longer that version (on S3:
    /// If-Match, answered 412), <see cref="ObjectNotFoundException"/> when it is gone.
    /// </summary>
    Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts writing an object. Nothing is visible under <paramref name="key"/> until
    /// <see cref="IObjectWrite.CommitAsync"/>; disposing without committing discards what was written.
    /// </summary>
    Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; deleting a missing object is not an error (as on S3).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Copies an object within the store, replacing the target.</summary>
    Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default);
}

/// <summary>An object being written: write to <see cref="Stream"/>, then commit, or dispose to abandon.</summary>
public interface IObjectWrite : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Where the bytes go. Do not dispose it; dispose the <see cref="IObjectWrite"/>.</summary>
    Stream Stream { get; }

    /// <summary>Makes the whole object visible at once under <see cref="Key"/>, replacing any previous one.</summary>
    Task<ObjectInfo> CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>A byte range: <paramref name="Offset"/> and at most <paramref name="Length"/> bytes.</summary>
public readonly record struct ByteRange(long Offset, long Length);

/// <summary>What a store knows about one object.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string ETag)
{
    /// <summary>The last path segment of the key.</summary>
    public string Name => Key[(Key.LastIndexOf('/') + 1)..];
}

/// <summary>The result of <see cref="IObjectStore.ListAsync"/>: objects and, with a delimiter, sub-prefixes.</summary>
public sealed record ObjectListing(string Prefix, IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes);

/// <summary>The object asked for does not exist.</summary>
public sealed class ObjectNotFoundException(string key, string store)
    : FileNotFoundException($"No object '{key}' in {store}.", key)
{
    public string Key { get; } = key;
}

/// <summary>An object was replaced while it was being read; what was read so far belongs to another version.</summary>
public sealed class ObjectChangedException(string key, string store, string eTag)
    : IOException($"'{key}' in {store} changed while it was being read (it is no longer version {eTag}); read it again to get the new version.")
{
    public string Key { get; } = key;

    /// <summary>The version that was being read.</summary>
    public string ETag { get; } = eTag;
}
