using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using EcomOps.Tests.Support;
using EcomOps.Tools;

namespace EcomOps.Tests.Storage;

/// <summary>The tests that talk S3 to one s3rver, started once for them all.</summary>
[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}

/// <summary>
/// s3rver 3.7.1 (tools/s3rver, installed by ./test.sh) on 127.0.0.1 and a free port, over a temporary folder,
/// with <see cref="Bucket"/> created. Killed with its process tree on dispose.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    /// <summary>s3rver's built-in account; it accepts no other.</summary>
    public const string AccessKey = S3rverProcess.AccessKey;

    public const string SecretKey = S3rverProcess.SecretKey;

    /// <summary>The bucket s3rver creates at start (<c>--configure-bucket</c>).</summary>
    public const string Bucket = "ecomops-test-lake";

    private readonly TempDirectory _data = new();
    private S3rverProcess? _server;

    public string ServiceUrl => _server?.ServiceUrl ?? throw new InvalidOperationException("s3rver has not started.");

    public async Task InitializeAsync() => _server = await S3rverProcess.StartAsync(_data.Path, Bucket, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _data.Dispose();
    }

    /// <summary>
    /// A client for s3rver as the lake would use it: path-style, s3rver's credentials, the SDK's default checksum
    /// settings. Requests are added to <paramref name="log"/> when one is given.
    /// </summary>
    public AmazonS3Client CreateClient(RequestLog? log = null, string accessKey = AccessKey, string secretKey = SecretKey) =>
        new(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = ServiceUrl,
            ForcePathStyle = true,
            HttpClientFactory = log is null ? null : new RecordingHttpClientFactory(log),
        });

    /// <summary>A new, empty bucket, so a test sees only its own objects.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = $"test-{Guid.NewGuid():N}"[..24];
        using var client = CreateClient();
        await client.PutBucketAsync(name);
        return name;
    }
}

/// <summary>The HTTP requests an S3 client sent, with their x-amz-* headers, for tests about what goes on the wire.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<SentRequest> _requests = new();

    public IReadOnlyList<SentRequest> Requests => [.. _requests];

    public void Clear() => _requests.Clear();

    internal void Add(SentRequest request) => _requests.Enqueue(request);
}

/// <param name="Query">The raw query string, with its leading '?', or empty.</param>
public sealed record SentRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> AmzHeaders, HttpStatusCode Status)
{
    public bool Has(string queryParameter) =>
        Query.TrimStart('?').Split('&').Any(p => p == queryParameter || p.StartsWith(queryParameter + "=", StringComparison.Ordinal));

    public string? Header(string name) => AmzHeaders.GetValueOrDefault(name);
}

internal sealed class RecordingHttpClientFactory(RequestLog log) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new RecordingHandler(log, new SocketsHttpHandler()));

    private sealed class RecordingHandler(RequestLog log, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var headers = request.Headers
                .Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            log.Add(new SentRequest(request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, headers, response.StatusCode));
            return response;
        }
    }
}
