namespace EcomOps.Core.Storage;

/// <summary>How server-side encryption is requested for objects the lake writes to S3.</summary>
public enum S3Encryption
{
    /// <summary>Whatever the bucket's default encryption is.</summary>
    BucketDefault,

    /// <summary>SSE-S3 (AES256, keys managed by S3).</summary>
    SseS3,

    /// <summary>SSE-KMS with <see cref="S3StoreOptions.KmsKeyId"/>.</summary>
    SseKms,
}

/// <summary>
/// Settings of the <c>EcomOps:S3</c> section, used when <c>EcomOps:Backend</c> is <c>Aws</c>. Credentials are
/// never read from settings: they come from the AWS default chain (environment, profile, instance role).
/// </summary>
public sealed class S3StoreOptions
{
    public const string Section = "EcomOps:S3";

    /// <summary><c>EcomOps:S3:Region</c>, such as <c>eu-west-1</c>. Required unless <see cref="ServiceUrl"/> is set.</summary>
    public string? Region { get; set; }

    /// <summary>
    /// <c>EcomOps:S3:ServiceUrl</c>: an S3-compatible endpoint (MinIO, Ceph, s3rver, LocalStack) instead of AWS,
    /// such as <c>http://127.0.0.1:4568</c>. Default: none (Amazon S3).
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary><c>EcomOps:S3:ForcePathStyle</c>: <c>http://host/bucket/key</c> addressing, which most S3-compatible servers need. Default false.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>
    /// <c>EcomOps:S3:DisableChunkedEncoding</c>: send plain signed bodies instead of aws-chunked uploads. Some
    /// S3-compatible servers store the chunk framing as data while reporting success. Default false.
    /// </summary>
    public bool DisableChunkedEncoding { get; set; }

    /// <summary><c>EcomOps:S3:Encryption</c>: <c>BucketDefault</c> (default), <c>SseS3</c> or <c>SseKms</c>.</summary>
    public S3Encryption Encryption { get; set; } = S3Encryption.BucketDefault;

    /// <summary><c>EcomOps:S3:KmsKeyId</c>: the KMS key id or ARN, required with <c>SseKms</c>.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>
    /// <c>EcomOps:S3:PartSizeMB</c>: multipart upload part size in MiB, 5..512 (default 8: measured, it keeps an
    /// upload under 100 MB above idle; objects up to 80 GB at S3's 10,000 parts). Memory per upload is about twice this.
    /// </summary>
    public int PartSizeMB { get; set; } = 8;

    /// <summary><c>EcomOps:S3:ListPageSize</c>: keys per ListObjectsV2 page, 1..1000 (default 1000).</summary>
    public int ListPageSize { get; set; } = 1000;
}
