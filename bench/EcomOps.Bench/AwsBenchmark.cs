using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;
using EcomOps.Core;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

/// <summary>
/// <c>aws</c>: what OUR side of the Aws backend costs, since AWS's own latency cannot be measured without an account.
/// Against <see cref="AwsBenchServer"/> on 127.0.0.1 answering fixed, realistic bodies: (1) the per-call overhead of the
/// signed JSON 1.1 client (typed clients over <see cref="AwsJsonClient"/>, registered as the Aws backend registers them)
/// against the same POST from a plain HttpClient; (2) the Athena query engine streaming a large result page by page
/// against parsing the same page bytes with JsonDocument; (3) the same for the Redshift Data warehouse's QueryAsync.
/// </summary>
internal static partial class AwsBenchmark
{
    public const string Command = "aws";

    public const string Usage = """
          aws [--parts calls,athena,redshift] [--calls N] [--rounds K] [--concurrency C] [--rows N] [--repeat K]
            What our side of the Aws backend costs (AWS's own latency cannot be measured here), against an HTTP server on
            127.0.0.1 in this process answering fixed, realistic bodies; Core registered as with EcomOps:Backend=Aws (fixed
            credentials, EcomOps:Aws:Endpoints:* at the server, default retries and time-outs).
            calls: Athena GetQueryExecution and Glue GetJobRun through the typed clients, N calls per way (default 10_000),
            sequential and with C concurrent callers (default 8), warm, in K rounds (default 4), the ways taking turns:
            the anchor (the same POST, unsigned, from a plain HttpClient),
            AwsJsonClient unsigned, + a handler adding fixed SigV4
            headers (control), + the signer, and ours as registered. Calls/s, p50/p95/p99 latency, CPU and bytes
            allocated per call; then the same layers in-process without sockets.
            athena: the Athena query engine (IQueryEngine.StreamAsync) streaming N rows (default 100_000, transactions_data's
            6 columns) from GetQueryResults pages of 1,000 rows into a counting row writer, K times (default 7), against
            parsing the same page bytes with JsonDocument (every VarCharValue read as a string), with the steps between
            (records, value conversion), the engine over an in-process handler, and a plain HttpClient fetching the pages.
            redshift: the Redshift Data warehouse's IWarehouse.QueryAsync over the same N rows (at most 1,000,000) from
            GetStatementResult pages of 1,000 records, the same ways.
        """;

    internal const string AccessKey = "AKIDBENCHMARK0000001";
    internal const string SecretKey = "bEnChMaRk/secret+Key0123456789abcdefGHIJ";
    private const string Region = "eu-west-1";
    private const string Calls = "calls";
    private const string Athena = "athena";
    private const string Redshift = "redshift";
    private const int WarmUpCalls = 2_000;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var parts = (args.String("--parts") ?? $"{Calls},{Athena},{Redshift}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => p is not (Calls or Athena or Redshift)))
        {
            throw new BenchArgumentException($"--parts takes {Calls}, {Athena} and {Redshift}, comma-separated; got '{string.Join(",", parts)}'.");
        }

        var calls = (int)args.Long("--calls", 10_000, 100, 10_000_000);
        var rounds = (int)args.Long("--rounds", 4, 1, 100);
        var concurrency = (int)args.Long("--concurrency", 8, 2, 256);
        var rows = args.Long("--rows", 100_000, 1, 10_000_000);
        var repeat = (int)args.Long("--repeat", 7, 1, 100);
        args.EnsureAllUsed();

        var loadAtStart = MachineInfo.LoadAverage();
        report.Line($"Load average at the start (1/5/15 min): {loadAtStart ?? "unknown"}");
        var pages = parts.Contains(Athena) ? AthenaPages.Build(rows) : null;
        var statements = parts.Contains(Redshift) ? RedshiftPages.Build(Math.Min(rows, 1_000_000)) : null;
        var answers = new BenchAnswers(pages, statements);
        var work = Directory.CreateTempSubdirectory("ecomops-bench-aws-");
        try
        {
            using var server = new AwsBenchServer(answers.Answer, acceptLoops: concurrency);
            await using var services = BuildServices(work.FullName, server.Url);
            using var plain = PlainHttpClient();
            // The same registration over an in-process handler answering the same bytes: the engines without sockets.
            await using var socketless = RegisteredOverStub(new AnsweringHandler(answers.Answer), Region, services.GetRequiredService<AwsCredentialSource>());

            List<CallFigures>? callFigures = null;
            List<LayerCost>? layers = null;
            if (parts.Contains(Calls))
            {
                report.Heading(BenchReport.Text($"Per call: {calls:N0} calls per way, sequential and {concurrency} concurrent callers, {rounds} rounds taking turns, after {WarmUpCalls:N0} + {WarmUpCalls:N0} warm-up calls per way of every operation first"));
                callFigures = await MeasureCallsAsync(services, plain, server, calls, rounds, concurrency, report, cancellationToken).ConfigureAwait(false);
                report.Heading(BenchReport.Text($"Where our time goes, in-process without sockets: one layer more at a time over a handler answering the same bytes, 3 rounds taking turns"));
                layers = await MeasureLayersAsync(services, answers, pages, calls, report, cancellationToken).ConfigureAwait(false);
            }

            AthenaFigures? athena = null;
            if (pages is not null)
            {
                report.Heading(BenchReport.Text($"Athena results: {rows:N0} rows in {pages.Pages.Count:N0} pages ({pages.Bytes / 1e6:N1} MB of JSON), {repeat} runs per way taking turns, after a warm-up"));
                athena = await MeasureAthenaAsync(services, socketless, plain, server, pages, repeat, report, cancellationToken).ConfigureAwait(false);
            }

            AthenaFigures? redshift = null;
            if (statements is not null)
            {
                report.Heading(BenchReport.Text($"Redshift Data API results: {statements.Rows:N0} rows in {statements.Pages.Count:N0} pages ({statements.Bytes / 1e6:N1} MB of JSON), {repeat} runs per way taking turns, after a warm-up"));
                redshift = await MeasureRedshiftAsync(services, socketless, plain, server, statements, repeat, report, cancellationToken).ConfigureAwait(false);
            }

            var (signed, unsigned) = server.Signing;
            var (signedConnections, unsignedConnections) = server.Connections;
            report.Check("the bench server answered every request", server.Failures == 0,
                BenchReport.Text($"{server.Failures:N0} errors; {signed:N0} signed requests on {signedConnections:N0} connections, {unsigned:N0} unsigned on {unsignedConnections:N0}"));
            PrintSummary(callFigures, layers, athena, redshift, calls, rounds, concurrency, repeat, loadAtStart, report);
            return report.AllChecksPassed ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // Core as the app registers it with EcomOps:Backend=Aws (so AddAwsClients' HTTP client, resilience pipeline and signer),
    // every endpoint at the bench server, fixed credentials instead of the default chain; retries and time-outs at their defaults.
    private static ServiceProvider BuildServices(string dataRoot, string url) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton(new AwsCredentialSource(new BasicAWSCredentials(AccessKey, SecretKey)))
            .AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EcomOps:DataRoot"] = dataRoot,
                ["EcomOps:SeedSampleData"] = "false",
                ["EcomOps:Backend"] = "Aws",
                ["EcomOps:S3:Region"] = Region,
                ["EcomOps:Aws:Region"] = Region,
                ["EcomOps:Aws:Endpoints:Glue"] = url,
                ["EcomOps:Aws:Endpoints:Athena"] = url,
                ["EcomOps:Aws:Endpoints:RedshiftData"] = url,
                ["EcomOps:Aws:Endpoints:Sts"] = url,
            }).Build())
            .BuildServiceProvider();

    // The anchor's client: the same primary handler settings as AddAwsClients' (no redirects, decompression on), nothing above it.
    private static HttpClient PlainHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The same POST our client sends, unsigned: body and X-Amz-Target as ours, the answer read to the end and not parsed.</summary>
    private static async Task<byte[]> PostPlainAsync(HttpClient client, string url, AwsOperation operation, byte[] body, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url);
        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        message.Headers.TryAddWithoutValidation("X-Amz-Target", operation.Target);

        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? bytes : throw new InvalidOperationException($"The bench server answered {(int)response.StatusCode} to {operation.Target}.");
    }

    private sealed record CallOperation(string Name, AwsOperation Operation, byte[] RequestBody, Func<AwsJsonClient, CancellationToken, Task<bool>> Call);

    private static IReadOnlyList<CallOperation> CallOperations()
    {
        var query = new GetQueryExecutionRequest(BenchAnswers.QueryExecutionId);
        var run = new GetJobRunRequest(BenchAnswers.JobName, BenchAnswers.JobRunId);
        return
        [
            new("Athena GetQueryExecution", AwsOperations.AthenaGetQueryExecution, JsonSerializer.SerializeToUtf8Bytes(query, AwsJson.Options),
                async (client, ct) => (await new AthenaClient(client).GetQueryExecutionAsync(query, ct).ConfigureAwait(false)).QueryExecution?.Status?.State == "SUCCEEDED"),
            new("Glue GetJobRun", AwsOperations.GlueGetJobRun, JsonSerializer.SerializeToUtf8Bytes(run, AwsJson.Options),
                async (client, ct) => (await new GlueClient(client).GetJobRunAsync(run, ct).ConfigureAwait(false)).JobRun?.JobRunState == "SUCCEEDED"),
        ];
    }

    internal const string OursWay = "ours (as registered)";
    internal const string AnchorCallWay = "anchor (plain HttpClient)";
    private const string JsonWay = "AwsJsonClient, unsigned, no pipeline";
    private const string ShapedWay = "+ handler adding fixed SigV4 headers (control)";
    private const string SignedWay = "+ SigV4 signer, no pipeline";

    private static async Task<List<CallFigures>> MeasureCallsAsync(
        ServiceProvider services, HttpClient plain, AwsBenchServer server, int calls, int rounds, int concurrency, BenchReport report, CancellationToken cancellationToken)
    {
        var figures = new List<CallFigures>();
        var resolver = services.GetRequiredService<AwsEndpointResolver>();
        // The steps between the anchor and ours over the same sockets: AwsJsonClient over a bare SocketsHttpHandler, then
        // with the signer in between; ours adds the resilience pipeline and IHttpClientFactory.
        using var bare = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All };
        using var signedSockets = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All };
        using var signer = new AwsSigningHandler(services.GetRequiredService<AwsCredentialSource>()) { InnerHandler = signedSockets };
        using var shapedSockets = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All };
        using var shaped = new SignatureShapedHandler { InnerHandler = shapedSockets };
        var clients = new Dictionary<string, AwsJsonClient>
        {
            [JsonWay] = new AwsJsonClient(new FixedClientFactory(bare), resolver),
            [ShapedWay] = new AwsJsonClient(new FixedClientFactory(shaped), resolver),
            [SignedWay] = new AwsJsonClient(new FixedClientFactory(signer), resolver),
            [OursWay] = services.GetRequiredService<AwsJsonClient>(),
        };

        var plans = CallOperations().Select(op => new CallPlan(op, plain, server.Url, clients)).ToList();

        // Every way of every operation warmed up before anything is measured, so tiered compilation (and dynamic PGO) of
        // the code they share has settled before the first operation's figures, not only before the second's.
        foreach (var plan in plans)
        {
            foreach (var (_, call) in plan.Ways)
            {
                await RunCallsAsync(call, WarmUpCalls, 1, cancellationToken).ConfigureAwait(false);
                await RunCallsAsync(call, WarmUpCalls, concurrency, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var plan in plans)
        {
            var op = plan.Operation;
            var signedBefore = server.Signing.Signed;
            var (issuedBefore, answeredBefore, issuedSignedBefore) = plan.Counts;
            foreach (var callers in new[] { 1, concurrency })
            {
                var measured = plan.Ways.ToDictionary(w => w.Name, _ => new List<CallRound>());
                var perRound = Math.Max(callers, calls / rounds);
                // Taking turns, the order rotating each round, so a burst of load on the shared machine hits every way alike.
                for (var r = 0; r < rounds; r++)
                {
                    for (var k = 0; k < plan.Ways.Count; k++)
                    {
                        var (name, call) = plan.Ways[(k + r) % plan.Ways.Count];
                        measured[name].Add(await RunCallsAsync(call, perRound, callers, cancellationToken).ConfigureAwait(false));
                    }
                }

                foreach (var (name, _) in plan.Ways)
                {
                    var f = CallFigures.Of(op.Name, callers, name, measured[name]);
                    figures.Add(f);
                    report.Line($"{op.Name}, {callers} caller(s), {name}: {f.CallsPerSecond:N0} calls/s, p50 {f.P50Us:N0} µs, p95 {f.P95Us:N0} µs, p99 {f.P99Us:N0} µs, {f.CpuUsPerCall:N0} µs CPU and {f.AllocatedPerCall / 1e3:N1} KB per call  [rounds, calls/s: {string.Join(", ", measured[name].Select(x => BenchReport.Count(x.Calls / x.WallSeconds)))}]");
                }
            }

            var signedCalls = server.Signing.Signed - signedBefore;
            var (issued, answered, issuedSigned) = plan.Counts;
            report.Check(BenchReport.Text($"{op.Name}: every call through AwsJsonClient parsed to the answer's state, and those through the signer arrived with a SigV4 Authorization header"),
                answered - answeredBefore == issued - issuedBefore && signedCalls == issuedSigned - issuedSignedBefore,
                BenchReport.Text($"{answered - answeredBefore:N0} of {issued - issuedBefore:N0} answers parsed; {signedCalls:N0} signed requests received of {issuedSigned - issuedSignedBefore:N0} sent signed"));
        }

        return figures;
    }

    /// <summary>One operation's ways, counting what they sent and what parsed.</summary>
    private sealed class CallPlan
    {
        private long _issued;
        private long _answered;
        private long _issuedSigned;

        public CallPlan(CallOperation operation, HttpClient plain, string url, Dictionary<string, AwsJsonClient> clients)
        {
            Operation = operation;
            Ways.Add((AnchorCallWay, ct => PostPlainAsync(plain, url, operation.Operation, operation.RequestBody, ct)));
            foreach (var (name, client) in clients)
            {
                // The control's fixed Authorization header has the SigV4 form: the server counts it as signed.
                var signs = name != JsonWay;
                Ways.Add((name, async ct =>
                {
                    Interlocked.Increment(ref _issued);
                    if (signs)
                    {
                        Interlocked.Increment(ref _issuedSigned);
                    }

                    if (await operation.Call(client, ct).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref _answered);
                    }
                }));
            }
        }

        public CallOperation Operation { get; }

        public List<(string Name, Func<CancellationToken, Task> Call)> Ways { get; } = [];

        public (long Issued, long Answered, long IssuedSigned) Counts => (Interlocked.Read(ref _issued), Interlocked.Read(ref _answered), Interlocked.Read(ref _issuedSigned));
    }

    /// <summary>
    /// The control for the signer's step: in the signer's place, it does what the signer does but compute, reading the
    /// body and adding SigV4's three headers with fixed values of the real lengths. Its cost over the unsigned client is
    /// that of carrying a signature through both HTTP stacks; the signer's cost over it is that of computing one.
    /// </summary>
    private sealed class SignatureShapedHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                _ = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }

            var service = request.Options.TryGetValue(AwsSigningHandler.Service, out var name) ? name : "athena";
            foreach (var (header, value) in FixedSignatureHeaders(service))
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    // What a signature adds on the wire, of the same lengths, computed once.
    private static IReadOnlyList<(string Name, string Value)> FixedSignatureHeaders(string service) =>
    [
        ("X-Amz-Date", "20261201T120000Z"),
        ("X-Amz-Content-SHA256", new string('a', 64)),
        ("Authorization", BenchReport.Text($"AWS4-HMAC-SHA256 Credential={AccessKey}/20261201/{Region}/{service}/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature={new string('b', 64)}")),
    ];

    private static async Task<CallRound> RunCallsAsync(Func<CancellationToken, Task> call, int calls, int callers, CancellationToken cancellationToken)
    {
        var latencies = new long[calls];
        var next = -1;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpu = ProcessCpu();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= calls)
                {
                    return;
                }

                var t0 = Stopwatch.GetTimestamp();
                await call(cancellationToken).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetTimestamp() - t0;
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new CallRound(calls, wall, (ProcessCpu() - cpu).TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - allocated, latencies);
    }

    internal static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private sealed record CallRound(int Calls, double WallSeconds, double CpuSeconds, long AllocatedBytes, long[] LatencyTicks);

    private sealed record CallFigures(string Operation, int Callers, string Way, double CallsPerSecond, double P50Us, double P95Us, double P99Us, double CpuUsPerCall, double AllocatedPerCall)
    {
        public static CallFigures Of(string operation, int callers, string way, List<CallRound> rounds)
        {
            var sorted = rounds.SelectMany(r => r.LatencyTicks).Order().ToArray();
            var calls = rounds.Sum(r => r.Calls);
            return new CallFigures(operation, callers, way, calls / rounds.Sum(r => r.WallSeconds),
                Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99),
                rounds.Sum(r => r.CpuSeconds) * 1e6 / calls, (double)rounds.Sum(r => r.AllocatedBytes) / calls);
        }

        private static double Percentile(long[] sortedTicks, double share) =>
            sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(share * sortedTicks.Length) - 1)] * 1e6 / Stopwatch.Frequency;
    }
}
