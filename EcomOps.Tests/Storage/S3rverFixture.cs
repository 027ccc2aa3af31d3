using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using EcomOps.Tests.Support;

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
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    /// <summary>The bucket s3rver creates at start (<c>--configure-bucket</c>).</summary>
    public const string Bucket = "ecomops-test-lake";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public string ServiceUrl { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var package = Path.Combine(RepoPaths.Root, "tools", "s3rver");
        var cli = Path.Combine(package, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed ({cli} is missing). Run ./test.sh, which installs it first, or 'npm ci --prefix tools/s3rver'.");
        }

        // The port is free when asked for but could be taken before s3rver binds it; then try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            _process = Start(package, cli, port);
            if (await WaitUntilListeningAsync(_process, port))
            {
                ServiceUrl = $"http://127.0.0.1:{port}";
                return;
            }

            await StopAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException(
                    $"s3rver did not start on 127.0.0.1 within {StartTimeout.TotalSeconds:0} s (3 attempts). Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
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

    private Process Start(string package, string cli, int port)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = package,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only has in its
        // legacy provider; without it every truncated listing fails with a 500.
        start.ArgumentList.Add("--openssl-legacy-provider");

        // Makes s3rver read CopyObject's source header as S3 does (see the file).
        start.ArgumentList.Add("--require");
        start.ArgumentList.Add(Path.Combine(package, "s3rver-fixes.js"));
        foreach (var argument in new[] { cli, "-d", _data.Path, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for s3rver.");
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("Could not run 'node' for s3rver: install Node.js 18 or later and put it on PATH, then run ./test.sh.", e);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        // The last lines are what explain a failed start; the rest would only grow the queue.
        _output.Enqueue(line);
        if (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    private static async Task<bool> WaitUntilListeningAsync(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                return false;
            }

            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }

    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
