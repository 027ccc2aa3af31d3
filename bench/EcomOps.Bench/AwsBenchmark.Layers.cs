using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

internal static partial class AwsBenchmark
{
    private static readonly string[] Layers =
    [
        "0 plain HttpClient, same POST, answer read",
        "1 + AwsJsonClient (request serialized, answer parsed)",
        "2 + SigV4 signer (AwsSigningHandler)",
        "3 + resilience pipeline and IHttpClientFactory (as registered)",
    ];

    /// <summary>
    /// Where ours spends its time per call, without sockets: the same call through one more layer at a time, every layer
    /// over a handler that answers the prepared bytes at once. Layer 3 is the HTTP client AddAwsClients registers with only
    /// its primary handler replaced; layers 1 and 2 put AwsJsonClient over a hand-built chain.
    /// </summary>
    private static async Task<List<LayerCost>> MeasureLayersAsync(ServiceProvider services, BenchAnswers answers, AthenaPages? pages, int iterations, BenchReport report, CancellationToken cancellationToken)
    {
        var stub = new AnsweringHandler(answers.Answer);
        var resolver = services.GetRequiredService<AwsEndpointResolver>();
        var credentials = services.GetRequiredService<AwsCredentialSource>();
        using var plain = new HttpClient(stub, disposeHandler: false);
        var unsignedClient = new AwsJsonClient(new FixedClientFactory(stub), resolver);
        var signer = new AwsSigningHandler(credentials) { InnerHandler = stub };
        var signedClient = new AwsJsonClient(new FixedClientFactory(signer), resolver);
        await using var registered = RegisteredOverStub(stub, resolver.Region, credentials);
        var clients = new[] { unsignedClient, signedClient, registered.GetRequiredService<AwsJsonClient>() };

        var query = new GetQueryExecutionRequest(BenchAnswers.QueryExecutionId);
        var run = new GetJobRunRequest(BenchAnswers.JobName, BenchAnswers.JobRunId);
        var url = resolver.Resolve(AwsService.Athena).Url.ToString();
        var operations = new List<(string Name, int Iterations, Func<int, Task<bool>> Call)>
        {
            ("Athena GetQueryExecution", iterations, layer => layer == 0
                ? Plain(AwsOperations.AthenaGetQueryExecution, query)
                : Typed(new AthenaClient(clients[layer - 1]).GetQueryExecutionAsync(query, cancellationToken), r => r.QueryExecution?.Status?.State == "SUCCEEDED")),
            ("Glue GetJobRun", iterations, layer => layer == 0
                ? Plain(AwsOperations.GlueGetJobRun, run)
                : Typed(new GlueClient(clients[layer - 1]).GetJobRunAsync(run, cancellationToken), r => r.JobRun?.JobRunState == "SUCCEEDED")),
        };
        if (pages is not null && pages.Pages.Count > 1)
        {
            var page = new GetQueryResultsRequest(BenchAnswers.QueryExecutionId, pages.Tokens[1], AthenaPages.PageRows);
            operations.Add((BenchReport.Text($"Athena GetQueryResults, one page of {AthenaPages.PageRows:N0} rows ({pages.Pages[1].Length / 1e3:N0} KB)"), Math.Max(20, iterations / 50), layer => layer == 0
                ? Plain(AwsOperations.AthenaGetQueryResults, page)
                : Typed(new AthenaClient(clients[layer - 1]).GetQueryResultsAsync(page, cancellationToken), r => r.ResultSet?.Rows?.Count == AthenaPages.PageRows)));
        }

        // Whether signing finishes on the caller's thread: if not, every signed request takes a thread hop more.
        var probe = new Amazon.Runtime.Signing.AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = new Uri(url) };
        probe.Headers["X-Amz-Target"] = AwsOperations.AthenaGetQueryExecution.Target;
        probe.Headers["Content-Type"] = "application/x-amz-json-1.1";
        probe.Content = JsonSerializer.SerializeToUtf8Bytes(query, AwsJson.Options);
        var signing = Amazon.Runtime.Signing.AWSSigV4Signer.SignAsync(probe,
            new Amazon.Runtime.Signing.AWSSigV4Parameters { Credentials = credentials.Credentials, Region = Amazon.RegionEndpoint.GetBySystemName(resolver.Region), Service = AwsService.Athena.Name },
            cancellationToken);
        var synchronous = signing.IsCompleted;
        var signedHeaders = (await signing.ConfigureAwait(false)).Headers;
        report.Line($"AWSSigV4Signer.SignAsync completed synchronously (on the caller's thread): {synchronous}; it returns the headers {string.Join(", ", signedHeaders.Keys)} ({signedHeaders.Sum(h => h.Key.Length + h.Value.Length + 4):N0} bytes)");

        var costs = new List<LayerCost>();
        foreach (var (name, count, call) in operations)
        {
            var rounds = Layers.Select(_ => new List<(double Wall, double Cpu, double Allocated)>()).ToArray();
            for (var layer = 0; layer < Layers.Length; layer++)
            {
                await TimeLayerAsync(call, layer, Math.Max(10, count / 10)).ConfigureAwait(false);
            }

            // Three rounds, the layers taking turns.
            for (var r = 0; r < 3; r++)
            {
                for (var layer = 0; layer < Layers.Length; layer++)
                {
                    rounds[layer].Add(await TimeLayerAsync(call, layer, count).ConfigureAwait(false));
                }
            }

            for (var layer = 0; layer < Layers.Length; layer++)
            {
                // The fastest round: the one least disturbed by the other work on a shared machine.
                var cost = new LayerCost(name, Layers[layer], rounds[layer].Min(x => x.Wall), rounds[layer].Min(x => x.Cpu), BenchReport.Median(rounds[layer].Select(x => x.Allocated)));
                costs.Add(cost);
                report.Line($"{name}, layer {cost.Layer}: {cost.WallUs:N1} µs, CPU {cost.CpuUs:N1} µs, {cost.AllocatedBytes / 1e3:N1} KB allocated per call");
            }
        }

        return costs;

        async Task<bool> Plain<TRequest>(AwsOperation operation, TRequest request)
        {
            await PostPlainAsync(plain, url, operation, JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options), cancellationToken).ConfigureAwait(false);
            return true;
        }

        static async Task<bool> Typed<TResponse>(Task<TResponse> call, Func<TResponse, bool> check) => check(await call.ConfigureAwait(false));
    }

    private static async Task<(double Wall, double Cpu, double Allocated)> TimeLayerAsync(Func<int, Task<bool>> call, int layer, int count)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = ProcessCpu();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (!await call(layer).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Layer {layer}: the answer did not parse to what the server sent.");
            }
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (wall * 1e6 / count, (ProcessCpu() - cpu).TotalSeconds * 1e6 / count, (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count);
    }

    // AddAwsClients as the Aws backend calls it, with its primary handler (the socket) replaced by the answering one.
    internal static ServiceProvider RegisteredOverStub(HttpMessageHandler stub, string region, AwsCredentialSource credentials)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(credentials).AddSingleton(TimeProvider.System);
        services.AddAwsClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EcomOps:Aws:Region"] = region,
            ["EcomOps:Aws:Endpoints:Glue"] = "http://127.0.0.1:1/",
            ["EcomOps:Aws:Endpoints:Athena"] = "http://127.0.0.1:1/",
            ["EcomOps:Aws:Endpoints:RedshiftData"] = "http://127.0.0.1:1/",
        }).Build());
        services.AddHttpClient(AwsJsonClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new NonDisposing(stub));
        return services.BuildServiceProvider();
    }

    private sealed class FixedClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // The factory disposes expired handler chains; the shared answering handler must outlive them.
    private sealed class NonDisposing(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>Answers as <see cref="AwsBenchServer"/> does, without a socket: the request body is read, the prepared answer returned.</summary>
    internal sealed class AnsweringHandler(Func<string, byte[], byte[]?> answer) : HttpMessageHandler
    {
        private static readonly MediaTypeHeaderValue JsonType = new("application/x-amz-json-1.1");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
            var bytes = answer(target, body) ?? throw new InvalidOperationException($"No answer for {target}.");
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes), RequestMessage = request };
            response.Content.Headers.ContentType = JsonType;
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "5f3c1b9e-8d2a-4c7e-9b61-0a4d2e8f7c13");
            return response;
        }
    }

    /// <summary>One layer of one call, in-process: wall and CPU microseconds and bytes allocated per call.</summary>
    private sealed record LayerCost(string Operation, string Layer, double WallUs, double CpuUs, double AllocatedBytes);
}
