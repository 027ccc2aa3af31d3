using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using S3Encryption = EcomOps.Core.Storage.S3Encryption;

namespace EcomOps.Tests.Storage;

/// <summary>
/// The shared object store behaviour on S3, spoken to s3rver over loopback, plus what only S3 has: multipart
/// uploads, paged listings, encryption headers and S3's own errors.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ObjectStoreTests(S3rverFixture s3rver) : ObjectStoreContractTests, IDisposable
{
    private const int PartBytes = 5 * 1024 * 1024;

    private readonly RequestLog _log = new();
    private readonly List<IDisposable> _clients = [];
    private string _bucket = string.Empty;

    public void Dispose() => _clients.ForEach(c => c.Dispose());

    [Fact]
    public async Task Write_LargerThanAPart_SendsPartsBeforeCommit_AndIsInvisibleUntilCompleted()
    {
        var bytes = PseudoRandomBytes((2 * PartBytes) + 12_345, seed: 7);
        await using var write = await Store.OpenWriteAsync("raw/big.csv");
        await write.Stream.WriteAsync(bytes);

        // Two full parts are gone before commit: the writer does not hold the whole object in memory.
        Assert.Contains(_log.Requests, r => r.Method == "POST" && r.Has("uploads"));
        Assert.Contains(_log.Requests, r => r.Method == "PUT" && r.Has("partNumber"));
        Assert.Null(await Store.HeadAsync("raw/big.csv"));
        Assert.Empty((await Store.ListAsync()).Objects);

        var info = await write.CommitAsync();

        Assert.Equal(bytes.Length, info.Size);
        Assert.Equal(3, _log.Requests.Count(r => r.Method == "PUT" && r.Has("partNumber")));
        Assert.Contains(_log.Requests, r => r.Method == "POST" && r.Has("uploadId"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadBytesAsync("raw/big.csv")));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(PartBytes)]
    public async Task Write_ThatFitsOnePart_IsOnePutObject(int size)
    {
        var bytes = PseudoRandomBytes(size, seed: size);

        await PutAsync("raw/one.bin", bytes);

        Assert.DoesNotContain(_log.Requests, r => r.Has("uploads") || r.Has("uploadId"));
        Assert.Single(_log.Requests, r => r.Method == "PUT" && r.Path.EndsWith("/raw/one.bin", StringComparison.Ordinal));
        Assert.Equal(bytes, await ReadBytesAsync("raw/one.bin"));
    }

    [Fact]
    public async Task Write_DisposedWithoutCommit_AbortsTheMultipartUpload()
    {
        await using (var write = await Store.OpenWriteAsync("raw/abandoned.csv"))
        {
            await write.Stream.WriteAsync(PseudoRandomBytes(PartBytes + 1, seed: 3));
        }

        // s3rver 3.7.1 implements neither AbortMultipartUpload (405) nor ListMultipartUploads (501), so the test
        // checks that the abort was asked for with the upload's id, and that nothing became visible.
        var uploadId = _log.Requests.Single(r => r.Method == "PUT" && r.Has("partNumber")).Query.Split('&').Single(p => p.StartsWith("uploadId=", StringComparison.Ordinal));
        Assert.Contains(_log.Requests, r => r.Method == "DELETE" && r.Path.EndsWith("/raw/abandoned.csv", StringComparison.Ordinal) && r.Query.Contains(uploadId, StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Requests, r => r.Method == "POST" && r.Has("uploadId"));
        Assert.Null(await Store.HeadAsync("raw/abandoned.csv"));
        Assert.Empty((await Store.ListAsync()).Objects);
    }

    [Fact]
    public async Task List_FollowsContinuationTokens_AndMatchesTheLocalStore()
    {
        using var localDir = new TempDirectory();
        var local = new LocalObjectStore(localDir.Combine("lake"), localDir.Combine("staging"));
        var store = CreateStore(new S3StoreOptions { ListPageSize = 7, DisableChunkedEncoding = true });
        string[] keys =
        [
            .. Enumerable.Range(0, 12).Select(i => $"raw/customer_data/part-{i:00}.csv"),
            .. Enumerable.Range(0, 6).Select(i => $"parquet/transactions_data/year=2024/month={i + 1:00}/part-0.parquet"),
            "raw/catalog_data/p.csv", "raw/readme.txt", "rawish.txt", "a.txt", "z/z.txt", "quarantine/x/1.csv", "quarantine/x/2.csv",

            // s3rver 3.7.1 leaves out of a delimited listing a common prefix whose folder holds only deeper folders
            // (its directory walk prunes them before it meets an object); S3 does not. These give each such folder
            // an object of its own, so the comparison checks our paging rather than that defect.
            "parquet/README.txt", "parquet/transactions_data/_SUCCESS", "quarantine/README.txt",
        ];
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await PutAsync(key, new string('x', i + 1));
            await using var write = await local.OpenWriteAsync(key);
            await write.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(new string('x', i + 1)));
            await write.CommitAsync();
        }

        _log.Clear();
        var all = await store.ListAsync();

        Assert.Equal(28, all.Objects.Count);
        Assert.Equal(4, _log.Requests.Count(r => r.Method == "GET" && r.Has("list-type")));
        Assert.Equal(3, _log.Requests.Count(r => r.Has("continuation-token")));
        foreach (var (prefix, delimiter) in new (string, string?)[]
        {
            ("", null), ("", "/"), ("raw/", "/"), ("raw", "/"), ("raw", null), ("raw/customer_data/part-1", null),
            ("parquet/", "/"), ("parquet/transactions_data/year=2024/", "/"), ("quarantine/x/", null), ("none/", "/"),
        })
        {
            var expected = await local.ListAsync(prefix, delimiter);
            var actual = await store.ListAsync(prefix, delimiter);
            Assert.Equal(expected.Objects.Select(o => (o.Key, o.Size)), actual.Objects.Select(o => (o.Key, o.Size)));
            Assert.Equal(expected.CommonPrefixes, actual.CommonPrefixes);
            Assert.Equal(expected.Prefix, actual.Prefix);
        }
    }

    [Fact]
    public async Task List_LeavesOutFolderMarkersTheS3ConsoleCreates()
    {
        using var client = s3rver.CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = "raw/", InputStream = new MemoryStream(), UseChunkEncoding = false });
        await PutAsync("raw/a.csv", "1");

        var listing = await Store.ListAsync("raw/");

        Assert.Equal(["raw/a.csv"], listing.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task ETag_IsTheOneS3Gives()
    {
        await PutAsync("raw/e.csv", "hello");

        var info = await Store.HeadAsync("raw/e.csv");

        // S3's ETag of a single-part object is the quoted MD5 of its bytes.
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData("hello"u8))}\"", info!.ETag);
        Assert.Equal(info.ETag, (await Store.ListAsync("raw/")).Objects.Single().ETag);
    }

    [Theory]
    [InlineData(S3Encryption.SseS3, "AES256", null)]
    [InlineData(S3Encryption.SseKms, "aws:kms", "arn:aws:kms:eu-west-1:111122223333:key/ecomops")]
    public async Task Encryption_IsAskedForOnEveryRequestThatCreatesAnObject(S3Encryption encryption, string header, string? kmsKeyId)
    {
        var store = CreateStore(new S3StoreOptions { Encryption = encryption, KmsKeyId = kmsKeyId, PartSizeMB = 5, DisableChunkedEncoding = true });
        await using (var small = await store.OpenWriteAsync("raw/small.csv"))
        {
            await small.Stream.WriteAsync("x"u8.ToArray());
            await small.CommitAsync();
        }

        await using (var large = await store.OpenWriteAsync("raw/large.csv"))
        {
            await large.Stream.WriteAsync(new byte[PartBytes + 1]);
            await large.CommitAsync();
        }

        await store.CopyAsync("raw/small.csv", "raw/copy.csv");

        SentRequest[] creating =
        [
            _log.Requests.Single(r => r.Method == "PUT" && r.Path.EndsWith("/raw/small.csv", StringComparison.Ordinal)),
            _log.Requests.Single(r => r.Method == "POST" && r.Has("uploads")),
            _log.Requests.Single(r => r.Method == "PUT" && r.Header("x-amz-copy-source") is not null),
        ];
        Assert.All(creating, r => Assert.Equal(header, r.Header("x-amz-server-side-encryption")));
        Assert.All(creating, r => Assert.Equal(kmsKeyId, r.Header("x-amz-server-side-encryption-aws-kms-key-id")));

        // S3 refuses encryption headers on UploadPart: the upload carries them.
        Assert.All(_log.Requests.Where(r => r.Has("partNumber")), r => Assert.Null(r.Header("x-amz-server-side-encryption")));
        Assert.Equal("x", await ReadAsync("raw/copy.csv"));
    }

    [Fact]
    public async Task Copy_ObjectOver5GiB_IsRefusedNamingTheLimit()
    {
        // A stand-in S3 that answers HEAD with a 6 GiB object; s3rver cannot hold one here.
        using var client = new AmazonS3Client(new BasicAWSCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey), new AmazonS3Config
        {
            ServiceURL = "http://127.0.0.1:9",
            ForcePathStyle = true,
            HttpClientFactory = new HugeObjectHttpClientFactory(6L * 1024 * 1024 * 1024),
        });
        var store = new S3ObjectStore("lake", new S3StoreOptions { ServiceUrl = "http://127.0.0.1:9" }, client);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => store.CopyAsync("raw/huge.csv", "raw/copy.csv"));

        Assert.Contains("'raw/huge.csv'", error.Message);
        Assert.Contains("5 GiB", error.Message);
    }

    [Fact]
    public async Task MissingBucket_SaysToCheckTheLakeBucketSetting()
    {
        var store = new S3ObjectStore("no-such-lake", new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, DisableChunkedEncoding = true }, Track(s3rver.CreateClient()));

        var listing = await Assert.ThrowsAsync<IOException>(() => store.ListAsync("raw/"));
        var write = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await using var w = await store.OpenWriteAsync("raw/a.csv");
            await w.Stream.WriteAsync("x"u8.ToArray());
            await w.CommitAsync();
        });

        Assert.All([listing, write], e => Assert.Contains("'no-such-lake'", e.Message));
        Assert.All([listing, write], e => Assert.Contains("EcomOps:LakeBucket", e.Message));
        Assert.Contains("s3://no-such-lake/raw/a.csv", write.Message);
    }

    [Fact]
    public async Task CredentialsS3DoesNotKnow_SayWhereCredentialsComeFromAndWhatPolicyIsNeeded()
    {
        await PutAsync("raw/a.csv", "1");
        var store = new S3ObjectStore(_bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl }, Track(s3rver.CreateClient(accessKey: "AKIAWRONG", secretKey: "wrong")));

        var error = await Assert.ThrowsAsync<IOException>(() => store.OpenReadAsync("raw/a.csv"));

        Assert.Contains($"s3://{_bucket}/raw/a.csv", error.Message);
        Assert.Contains("AWS_ACCESS_KEY_ID", error.Message);
        Assert.Contains("iam/ecomops-dashboard.json", error.Message);
        Assert.IsType<AmazonS3Exception>(error.InnerException);
    }

    [Fact]
    public async Task UnreachableEndpoint_SaysToCheckTheServiceUrl()
    {
        var closed = $"http://127.0.0.1:{ClosedPort()}";
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey),
            new AmazonS3Config { ServiceURL = closed, ForcePathStyle = true, MaxErrorRetry = 0 });
        var store = new S3ObjectStore("lake", new S3StoreOptions { ServiceUrl = closed }, client);

        var error = await Assert.ThrowsAsync<IOException>(() => store.HeadAsync("raw/a.csv"));

        Assert.Contains(closed, error.Message);
        Assert.Contains("EcomOps:S3:ServiceUrl", error.Message);
    }

    [Fact]
    public void DisplayName_IsTheBucketUri() => Assert.Equal($"s3://{_bucket}", Store.DisplayName);

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        _bucket = await s3rver.CreateBucketAsync();

        // The smallest part S3 allows, so the 21 MB contract test spans five parts.
        return CreateStore(new S3StoreOptions { PartSizeMB = 5, DisableChunkedEncoding = true });
    }

    private S3ObjectStore CreateStore(S3StoreOptions options)
    {
        options.ServiceUrl = s3rver.ServiceUrl;
        options.ForcePathStyle = true;
        return new S3ObjectStore(_bucket, options, Track(s3rver.CreateClient(_log)));
    }

    private T Track<T>(T client)
        where T : IDisposable
    {
        _clients.Add(client);
        return client;
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every request as a HEAD of an object of the given size.</summary>
    private sealed class HugeObjectHttpClientFactory(long size) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(size));

        private sealed class Handler(long size) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent([]) };
                response.Content.Headers.ContentLength = size;
                response.Content.Headers.LastModified = DateTimeOffset.UtcNow;
                response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"huge-1\"");
                return Task.FromResult(response);
            }
        }
    }
}
