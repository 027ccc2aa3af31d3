using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Tests.Lake;

/// <summary>
/// A Parquet preview on S3 takes several range GETs (the footer, then the column chunks). Each one asks for the
/// version first seen (If-Match), so a file replaced meanwhile fails clearly instead of mixing two versions.
/// s3rver 3.7.1 ignores If-Match on GET, so the handler between the SDK and s3rver answers it as S3 does (412
/// PreconditionFailed when the ETag no longer matches), and records what went on the wire.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class PreviewOnS3ReplacedObjectTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private const string Key = "parquet/test/part-0.parquet";

    private readonly List<(string Method, string? IfMatch)> _gets = [];
    private string _bucket = "";
    private AmazonS3Client _plain = default!;
    private AmazonS3Client _watched = default!;
    private CoreHost _host = default!;

    /// <summary>Runs after each GET that carried If-Match has been answered.</summary>
    private Func<Task> _afterConditionalGet = () => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _bucket = await s3rver.CreateBucketAsync();
        _plain = s3rver.CreateClient();
        _watched = new AmazonS3Client(
            new BasicAWSCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey),
            new AmazonS3Config { ServiceURL = s3rver.ServiceUrl, ForcePathStyle = true, HttpClientFactory = new Factory(this) });
        var store = new S3ObjectStore(_bucket, new S3StoreOptions { ServiceUrl = s3rver.ServiceUrl, ForcePathStyle = true, DisableChunkedEncoding = true, PartSizeMB = 5 }, _watched);
        _host = new CoreHost(services => services.AddSingleton<IObjectStore>(store));
        await PutParquetAsync(first: 1);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        _watched.Dispose();
        _plain.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Preview_OnS3_AsksEveryRangeReadForTheVersionFirstSeen()
    {
        var etag = (await _plain.GetObjectMetadataAsync(_bucket, Key)).ETag;

        var preview = await _host.Get<ILakeService>().PreviewAsync(Key, 100);

        Assert.Equal(["1", "name-1"], preview.Rows[0]);
        var gets = _gets.Where(g => g.Method == "GET").ToList();
        Assert.True(gets.Count >= 2, $"Expected several range reads, saw {gets.Count}.");
        Assert.All(gets, g => Assert.Equal(etag, g.IfMatch));
    }

    [Fact]
    public async Task Preview_OfAnObjectReplacedWhileRead_FailsWithObjectChanged()
    {
        var replaced = false;
        _afterConditionalGet = async () =>
        {
            if (!replaced)
            {
                replaced = true;
                await PutParquetAsync(first: 1_000_000);
            }
        };

        var error = await Assert.ThrowsAsync<ObjectChangedException>(() => _host.Get<ILakeService>().PreviewAsync(Key, 100));

        Assert.Contains($"'{Key}' in s3://{_bucket} changed while it was being read", error.Message);
        Assert.Contains("read it again", error.Message);

        // Read again, the preview shows the new version whole.
        var again = await _host.Get<ILakeService>().PreviewAsync(Key, 100);
        Assert.Equal(["1000000", "name-1000000"], again.Rows[0]);
    }

    /// <summary>A Parquet file of a few MB (several 1 MiB range reads), its IDs and names starting at <paramref name="first"/>.</summary>
    private async Task PutParquetAsync(long first)
    {
        const int rows = 300_000;
        var schema = new ParquetSchema(new DataField<long>("CustomerID"), new DataField<string>("Name"));
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(schema.DataFields[0], (ReadOnlyMemory<long>)Enumerable.Range(0, rows).Select(i => first + i).ToArray());
            await group.WriteAsync(schema.DataFields[1], Enumerable.Range(0, rows).Select(i => $"name-{first + i}").ToArray());
        }

        buffer.Position = 0;
        await _plain.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = _bucket, Key = Key, InputStream = buffer, UseChunkEncoding = false });
    }

    private sealed class Factory(PreviewOnS3ReplacedObjectTests test) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(test));
    }

    private sealed class Handler(PreviewOnS3ReplacedObjectTests test) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var ifMatch = request.Headers.IfMatch.Count > 0 ? request.Headers.IfMatch.ToString() : null;
            lock (test._gets)
            {
                test._gets.Add((request.Method.Method, ifMatch));
            }

            if (request.Method == HttpMethod.Get && ifMatch is not null)
            {
                var current = (await test._plain.GetObjectMetadataAsync(test._bucket, Key, cancellationToken)).ETag;
                if (current != ifMatch)
                {
                    return new HttpResponseMessage(HttpStatusCode.PreconditionFailed)
                    {
                        RequestMessage = request,
                        Content = new StringContent(
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-Match</Condition></Error>",
                            Encoding.UTF8,
                            "application/xml"),
                    };
                }

                var response = await base.SendAsync(request, cancellationToken);
                await test._afterConditionalGet();
                return response;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
