using System.Globalization;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcomOps.Core.Storage;

/// <summary>
/// The Aws backend's lake: an S3 bucket (or an S3-compatible endpoint), with the same keys and the same
/// behaviour as <see cref="LocalObjectStore"/>. Writes stream through a multipart upload a part at a time
/// and become visible only when committed, whole.
/// </summary>
public sealed class S3ObjectStore : IObjectStore
{
    /// <summary>CopyObject's limit on the source size (5 GiB); larger objects need a multipart copy.</summary>
    public const long MaxCopyBytes = 5L * 1024 * 1024 * 1024;

    private readonly IAmazonS3 _client;
    private readonly ILogger _logger;

    /// <param name="bucketName">The lake's bucket (<c>EcomOps:LakeBucket</c>).</param>
    /// <param name="options">The <c>EcomOps:S3</c> settings; validated at start-up when bound through <c>AddEcomOpsCore</c>.</param>
    /// <param name="client">The S3 client, such as one from <see cref="CreateClient"/>. Not disposed by the store.</param>
    /// <param name="logger">Where writes, aborts and failures are logged; none by default.</param>
    public S3ObjectStore(string bucketName, S3StoreOptions options, IAmazonS3 client, ILogger<S3ObjectStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bucketName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        Bucket = bucketName;
        Options = options;
        _client = client;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        // With the client's checksum calculation at WHEN_SUPPORTED, UploadPart sends a CRC32 of every part. S3
        // accepts those only on an upload created for CRC32, and then wants every part's CRC32 again at
        // completion, so the write names the algorithm on both ends instead of leaving it to the SDK's defaults.
        PartChecksum = client.Config.RequestChecksumCalculation == RequestChecksumCalculation.WHEN_REQUIRED ? null : ChecksumAlgorithm.CRC32;
    }

    /// <summary>The bucket this store reads and writes.</summary>
    public string Bucket { get; }

    public string DisplayName => $"s3://{Bucket}";

    internal S3StoreOptions Options { get; }

    internal IAmazonS3 Client => _client;

    internal ILogger Logger => _logger;

    internal ChecksumAlgorithm? PartChecksum { get; }

    internal int PartSizeBytes => Options.PartSizeMB * 1024 * 1024;

    /// <summary>
    /// Builds the S3 client the settings describe: <see cref="S3StoreOptions.Region"/>, or
    /// <see cref="S3StoreOptions.ServiceUrl"/> with <see cref="S3StoreOptions.ForcePathStyle"/> for an
    /// S3-compatible endpoint. Credentials always come from the AWS default chain (environment variables,
    /// profile, web identity, instance or container role), never from settings.
    /// </summary>
    public static IAmazonS3 CreateClient(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // Checksums: WHEN_SUPPORTED, the SDK 4 default, pinned here so an AWS_REQUEST_CHECKSUM_CALCULATION or
            // profile setting cannot change it under us. Uploads then carry a CRC32 that S3 verifies, and whole-object
            // GETs are checked against the CRC32 S3 returns. It does not affect the bytes stored: checked against
            // s3rver 3.7.1, with DisableChunkedEncoding the CRC32 travels in an x-amz-checksum-crc32 header (which
            // s3rver ignores) and objects round-trip byte-exact, single PUT and multipart alike; what corrupts
            // objects on such servers is aws-chunked framing (which also carries the CRC32 as a trailer), and that
            // is DisableChunkedEncoding's job, per request. WHEN_REQUIRED would only drop the integrity check.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_SUPPORTED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_SUPPORTED,
        };

        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            if (!string.IsNullOrWhiteSpace(options.Region))
            {
                // With a custom endpoint the region is only the one requests are signed for.
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonS3Client(config);
    }

    public async Task<ObjectListing> ListAsync(string prefix = "", string? delimiter = null, CancellationToken cancellationToken = default)
    {
        prefix = ObjectKey.ValidatePrefix(prefix);
        var objects = new List<ObjectInfo>();
        var prefixes = new SortedSet<string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var request = new ListObjectsV2Request
        {
            BucketName = Bucket,
            Prefix = prefix.Length == 0 ? null : prefix,
            Delimiter = string.IsNullOrEmpty(delimiter) ? null : delimiter,
            MaxKeys = Options.ListPageSize,
        };

        var pages = 0;
        do
        {
            var page = await CallAsync("list", prefix.Length == 0 ? null : prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            pages++;
            foreach (var item in page.S3Objects ?? [])
            {
                // Objects no local lake could hold, such as the empty "folder/" markers the S3 console creates,
                // are not lake objects: listing them would hand out keys every other call refuses.
                if (ObjectKey.Problem(item.Key) is null)
                {
                    objects.Add(new ObjectInfo(item.Key, item.Size ?? 0, ToOffset(item.LastModified), item.ETag ?? string.Empty));
                }
                else
                {
                    skipped.Add(item.Key);
                }
            }

            prefixes.UnionWith(page.CommonPrefixes ?? []);
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));

        if (skipped.Count > 0)
        {
            _logger.LogWarning(
                "Listing {Store} under '{Prefix}' skipped {Count} keys that are not valid lake keys, such as '{Example}'",
                DisplayName, prefix, skipped.Count, skipped[0]);
        }

        _logger.LogDebug("Listed {Store} under '{Prefix}': {Objects} objects, {Prefixes} prefixes in {Pages} pages", DisplayName, prefix, objects.Count, prefixes.Count, pages);

        // S3 orders by UTF-8 bytes; ordinal order is what the local store gives, so both list alike.
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new ObjectListing(prefix, objects, [.. prefixes]);
    }

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        try
        {
            var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return new ObjectInfo(key, head.ContentLength, ToOffset(head.LastModified), head.ETag ?? string.Empty);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD response has no body, so a missing bucket looks the same as a missing key here.
            return null;
        }
        catch (Exception e) when (IsTranslatable(e))
        {
            throw Translate(e, "head", key);
        }
    }

    public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        OpenReadAsync(key, range, null, cancellationToken);

    public Task<Stream> OpenReadIfMatchAsync(string key, string eTag, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eTag);
        return OpenReadAsync(key, range, eTag, cancellationToken);
    }

    private async Task<Stream> OpenReadAsync(string key, ByteRange? range, string? eTag, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        if (range is { } r && (r.Offset < 0 || r.Length < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(range), range, "A byte range needs a non-negative offset and length.");
        }

        if (range is { Length: 0 })
        {
            // S3 has no way to ask for zero bytes (the range end is inclusive); still say when the object is missing.
            return await HeadAsync(key, cancellationToken).ConfigureAwait(false) switch
            {
                null => throw new ObjectNotFoundException(key, DisplayName),
                { } head when eTag is not null && head.ETag != eTag => throw new ObjectChangedException(key, DisplayName, eTag),
                _ => new MemoryStream([], writable: false),
            };
        }

        var request = new GetObjectRequest { BucketName = Bucket, Key = key, EtagToMatch = eTag };
        if (range is { } wanted)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(wanted.Offset, wanted.Offset + wanted.Length - 1);
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey" || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket"))
        {
            throw new ObjectNotFoundException(key, DisplayName);
        }
        catch (AmazonS3Exception e) when (eTag is not null && e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new ObjectChangedException(key, DisplayName, eTag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The object exists but ends before the range starts: no bytes, as a local file read past its end.
            return new MemoryStream([], writable: false);
        }
        catch (Exception e) when (IsTranslatable(e))
        {
            throw Translate(e, "read", key);
        }

        var body = new S3ReadStream(response);
        if (range is not { } asked)
        {
            return body;
        }

        // HTTP lets a server answer a range request with the whole object (200), and s3rver answers 'bytes=0-0'
        // with all of it; the caller asked for at most Length bytes from Offset, so that is what it gets.
        if (response.HttpStatusCode != HttpStatusCode.PartialContent)
        {
            await SkipAsync(body, asked.Offset, cancellationToken).ConfigureAwait(false);
        }

        return new RangeStream(body, asked.Length);
    }

    public Task<IObjectWrite> OpenWriteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);

        // Nothing is sent yet: a write that fits in one part becomes a single PutObject at commit.
        return Task.FromResult<IObjectWrite>(new S3MultipartWrite(this, key));
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);

        // S3 answers 204 for a key that is not there, which is what the interface promises.
        await CallAsync("delete", key, () => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cancellationToken)).ConfigureAwait(false);
    }

    public async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(sourceKey);
        ObjectKey.Validate(targetKey);
        var source = await HeadAsync(sourceKey, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(sourceKey, DisplayName);
        if (source.Size > MaxCopyBytes)
        {
            throw new NotSupportedException(
                string.Create(CultureInfo.InvariantCulture, $"Cannot copy '{sourceKey}' to '{targetKey}' in {DisplayName}: it is {source.Size:N0} bytes and S3's CopyObject is limited to 5 GiB ") +
                string.Create(CultureInfo.InvariantCulture, $"({MaxCopyBytes:N0} bytes); this store does not do multipart copies. Read it and write it to the new key instead ") +
                "(OpenReadAsync, then OpenWriteAsync), or keep lake files under 5 GiB.");
        }

        var request = new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = sourceKey,
            DestinationBucket = Bucket,
            DestinationKey = targetKey,
        };
        ApplyEncryption(request);
        await CallAsync("copy", sourceKey, () => _client.CopyObjectAsync(request, cancellationToken)).ConfigureAwait(false);
        _logger.LogInformation("Copied {Source} to {Target} in {Store} ({Bytes} bytes)", sourceKey, targetKey, DisplayName, source.Size);
    }

    internal void ApplyEncryption(PutObjectRequest request) =>
        (request.ServerSideEncryptionMethod, request.ServerSideEncryptionKeyManagementServiceKeyId) = Encryption();

    internal void ApplyEncryption(InitiateMultipartUploadRequest request) =>
        (request.ServerSideEncryptionMethod, request.ServerSideEncryptionKeyManagementServiceKeyId) = Encryption();

    internal void ApplyEncryption(CopyObjectRequest request) =>
        (request.ServerSideEncryptionMethod, request.ServerSideEncryptionKeyManagementServiceKeyId) = Encryption();

    /// <summary>Runs one S3 call, turning SDK failures into messages that say what to check.</summary>
    internal async Task<T> CallAsync<T>(string operation, string? key, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTranslatable(e))
        {
            throw Translate(e, operation, key);
        }
    }

    internal static bool IsTranslatable(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException;

    /// <summary>An exception whose message names the bucket and key and what to check, with the SDK's as inner exception.</summary>
    internal Exception Translate(Exception e, string operation, string? key)
    {
        var where = key is null ? DisplayName : $"s3://{Bucket}/{key}";
        var endpoint = string.IsNullOrWhiteSpace(Options.ServiceUrl) ? $"region {Options.Region}" : Options.ServiceUrl;
        var message = e switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
                $"S3 bucket '{Bucket}' does not exist at {endpoint} ({operation} {where}). Check EcomOps:LakeBucket, and EcomOps:S3:Region or EcomOps:S3:ServiceUrl.",
            AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" } s3 =>
                $"S3 did not accept the credentials for {operation} {where} ({s3.ErrorCode}: {s3.Message}). EcomOps takes credentials from the AWS " +
                "default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role): check which one is in effect and " +
                "that it is current, and that its IAM policy allows the lake's actions (iam/ecomops-dashboard.json).",
            AmazonS3Exception { ErrorCode: "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException" } s3 =>
                $"S3 bucket '{Bucket}' is not in {endpoint} ({operation} {where}: {s3.ErrorCode}). Set EcomOps:S3:Region to the bucket's region.",
            AmazonS3Exception s3 when s3.ErrorCode?.StartsWith("KMS.", StringComparison.Ordinal) == true =>
                $"KMS refused {operation} {where} ({s3.ErrorCode}: {s3.Message}). Check EcomOps:S3:KmsKeyId '{Options.KmsKeyId}' and that the key " +
                "policy lets these credentials use it (kms:GenerateDataKey, kms:Decrypt).",
            AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.Forbidden || s3.ErrorCode is "AccessDenied" or "AllAccessDisabled" =>
                $"S3 denied {operation} {where} ({s3.ErrorCode ?? "HTTP 403"}). Check that the credentials in use are the intended ones (EcomOps " +
                "takes them from the AWS default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role) and that " +
                $"their IAM policy allows it: iam/ecomops-dashboard.json lists what the lake needs, with its bucket set to '{Bucket}'" +
                (Options.Encryption == S3Encryption.SseKms ? $", and that they may use the KMS key EcomOps:S3:KmsKeyId '{Options.KmsKeyId}'." : "."),
            AmazonServiceException service =>
                $"S3 {operation} {where} failed: {service.ErrorCode} (HTTP {(int)service.StatusCode}): {service.Message}",
            HttpRequestException http =>
                $"Could not reach S3 at {endpoint} for {operation} {where}: {http.Message}. Check EcomOps:S3:ServiceUrl or EcomOps:S3:Region, and the network.",
            AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) =>
                $"No AWS credentials for {operation} {where}: {client.Message} EcomOps takes them from the AWS default chain: set " +
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or container role.",
            _ => $"S3 {operation} {where} failed: {e.Message}",
        };
        return new IOException(message, e);
    }

    private (ServerSideEncryptionMethod? Method, string? KmsKeyId) Encryption() => Options.Encryption switch
    {
        S3Encryption.SseS3 => (ServerSideEncryptionMethod.AES256, null),
        S3Encryption.SseKms => (ServerSideEncryptionMethod.AWSKMS, Options.KmsKeyId),
        _ => (null, null),
    };

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[(int)Math.Min(count, 81_920)];
        while (count > 0)
        {
            var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            count -= read;
        }
    }

    private static DateTimeOffset ToOffset(DateTime? time) => time switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero),
        { } other => new DateTimeOffset(DateTime.SpecifyKind(other, DateTimeKind.Utc), TimeSpan.Zero),
    };

    /// <summary>The body of a GET: reports the object's length, and disposes the response (and its connection) with it.</summary>
    private sealed class S3ReadStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _body.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
