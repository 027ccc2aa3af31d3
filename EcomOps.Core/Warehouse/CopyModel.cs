namespace EcomOps.Core.Warehouse;

/// <summary>The data format of the files a COPY reads.</summary>
public enum CopyFormat
{
    /// <summary>Redshift's default: character-delimited UTF-8 text, pipe-delimited unless DELIMITER says otherwise.</summary>
    Text,

    /// <summary><c>CSV</c> or <c>FORMAT AS CSV</c>: comma-delimited, fields quoted with <c>QUOTE</c> (default <c>"</c>).</summary>
    Csv,

    /// <summary><c>FORMAT AS PARQUET</c>: columns are matched by position; most text options do not apply.</summary>
    Parquet,
}

/// <summary>The compression of the files a COPY reads (text and CSV only; Parquet compresses inside the file).</summary>
public enum CopyCompression
{
    /// <summary>Uncompressed files.</summary>
    None,

    /// <summary><c>GZIP</c>.</summary>
    Gzip,

    /// <summary><c>BZIP2</c>.</summary>
    Bzip2,

    /// <summary><c>ZSTD</c>.</summary>
    Zstd,
}

/// <summary>The <c>COMPUPDATE</c> setting: whether Redshift chooses column encodings during the load.</summary>
public enum CopyCompUpdate
{
    /// <summary>Not given: Redshift applies automatic compression to an empty table whose columns are RAW or unencoded.</summary>
    Default,

    /// <summary><c>COMPUPDATE</c>, <c>COMPUPDATE ON</c> or <c>COMPUPDATE TRUE</c>.</summary>
    On,

    /// <summary><c>COMPUPDATE OFF</c> or <c>COMPUPDATE FALSE</c>.</summary>
    Off,

    /// <summary><c>COMPUPDATE PRESET</c>: encodings from the column types, without sampling the data.</summary>
    Preset,
}

/// <summary>A place in the statement text: 1-based line and column, and the 0-based character offset.</summary>
public readonly record struct CopyPosition(int Line, int Column, int Offset)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>
/// Something the parser accepted but a user should hear about (for example access keys instead of an IAM role),
/// with the option it is about and where it was written.
/// </summary>
public sealed record CopyWarning(string Option, string Message, CopyPosition Position)
{
    /// <inheritdoc />
    public override string ToString() => $"{Option} ({Position}): {Message}";
}

/// <summary>The target table of a COPY, optionally schema-qualified.</summary>
/// <param name="Schema">The schema, or null for the search path's (usually <c>public</c>).</param>
/// <param name="Name">
/// The table name. Unquoted names are folded to lower case as Redshift does; quoted names keep their case
/// (Redshift folds those too unless <c>enable_case_sensitive_identifier</c> is on: the loader decides).
/// </param>
public sealed record CopyTableName(string? Schema, string Name)
{
    /// <summary>The name as SQL, quoted where an identifier needs it: <c>sales.orders</c>, <c>"My Schema"."Orders"</c>.</summary>
    public string Sql => Schema is null ? CopySql.Identifier(Name) : $"{CopySql.Identifier(Schema)}.{CopySql.Identifier(Name)}";

    /// <inheritdoc />
    public override string ToString() => Sql;
}

/// <summary>Where a COPY reads from: an S3 key prefix, or with <see cref="IsManifest"/> a manifest file listing the objects.</summary>
/// <remarks>
/// Without MANIFEST Redshift loads every object whose key starts with <see cref="Key"/>. With it, the object at
/// <see cref="Key"/> is a JSON manifest whose entries may name other buckets: that is for the loader to check
/// (the local warehouse reads one lake bucket), which is why <see cref="Bucket"/> is exposed here.
/// </remarks>
public sealed record CopySource
{
    /// <summary>Creates a source from a bucket and a key (or key prefix).</summary>
    public CopySource(string bucket, string key, bool isManifest = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentNullException.ThrowIfNull(key);
        Bucket = bucket;
        Key = key;
        IsManifest = isManifest;
    }

    /// <summary>The S3 bucket.</summary>
    public string Bucket { get; init; }

    /// <summary>The key prefix (or the manifest's key); may be empty for a whole bucket.</summary>
    public string Key { get; init; }

    /// <summary>True when <c>MANIFEST</c> was given: <see cref="Key"/> names a manifest file.</summary>
    public bool IsManifest { get; init; }

    /// <summary>The source as Redshift writes it: <c>s3://bucket/key</c>.</summary>
    public string Uri => $"s3://{Bucket}/{Key}";

    /// <summary>
    /// Parses <c>s3://bucket/key</c>. Returns null when the text is not an S3 URI with a bucket.
    /// </summary>
    public static CopySource? TryFromUri(string uri, bool isManifest = false)
    {
        const string scheme = "s3://";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var rest = uri[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        return string.IsNullOrWhiteSpace(bucket) || bucket.Any(char.IsWhiteSpace) ? null : new CopySource(bucket, key, isManifest);
    }

    /// <inheritdoc />
    public override string ToString() => IsManifest ? $"{Uri} (manifest)" : Uri;
}
