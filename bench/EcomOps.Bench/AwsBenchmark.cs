using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
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
/// against parsing the same page bytes with JsonDocument.
/// </summary>
internal static partial class AwsBenchmark
{
    public const string Command = "aws";

    public const string Usage = """
          aws [--parts calls,athena] [--calls N] [--rounds K] [--concurrency C] [--rows N] [--repeat K]
            What our side of the Aws backend costs (AWS's own latency cannot be measured here), against an HTTP server on
            127.0.0.1 in this process answering fixed, realistic bodies. calls: Athena GetQueryExecution and Glue GetJobRun
            through the typed clients and the signed JSON 1.1 client, registered as the Aws backend does (fixed credentials,
            EcomOps:Aws:Endpoints:* at the server, default retries and time-outs), N calls per way (default 10_000),
            sequential and with C concurrent callers (default 8), warm, in K rounds (default 4) taking turns with the
            anchor: the same POST (same body and headers, unsigned) from a plain HttpClient. Calls/s, p50/p95/p99 latency,
            CPU and bytes allocated per call, and where the difference goes (serialization, SigV4, the rest) measured
            in-process. athena: the Athena query engine (IQueryEngine.StreamAsync) streaming N rows (default 100_000,
            transactions_data's 6 columns) from GetQueryResults pages of 1,000 rows into a counting row writer, K times
            (default 5), against parsing the same page bytes with JsonDocument (every VarCharValue read as a string),
            with the steps between (records, value conversion) and a plain HttpClient fetching the same pages.
        """;

    internal const string AccessKey = "AKIDBENCHMARK0000001";
    internal const string SecretKey = "bEnChMaRk/secret+Key0123456789abcdefGHIJ";
    private const string Region = "eu-west-1";
    private const string Calls = "calls";
    private const string Athena = "athena";
    private const int WarmUpCalls = 500;

    public static async Task<int> RunAsync(BenchArguments args, BenchReport report, CancellationToken cancellationToken = default)
    {
        var parts = (args.String("--parts") ?? $"{Calls},{Athena}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => p is not (Calls or Athena)))
        {
            throw new BenchArgumentException($"--parts takes {Calls}, {Athena} or both, comma-separated; got '{string.Join(",", parts)}'.");
        }

        var calls = (int)args.Long("--calls", 10_000, 100, 10_000_000);
        var rounds = (int)args.Long("--rounds", 4, 1, 100);
        var concurrency = (int)args.Long("--concurrency", 8, 2, 256);
        var rows = args.Long("--rows", 100_000, 1, 10_000_000);
        var repeat = (int)args.Long("--repeat", 5, 1, 100);
        args.EnsureAllUsed();

        var loadAtStart = MachineInfo.LoadAverage();
        report.Line($"Load average at the start (1/5/15 min): {loadAtStart ?? "unknown"}");
        var pages = parts.Contains(Athena) ? AthenaPages.Build(rows) : null;
        var answers = new BenchAnswers(pages);
        var work = Directory.CreateTempSubdirectory("ecomops-bench-aws-");
        try
        {
            using var server = new AwsBenchServer(answers.Answer, acceptLoops: concurrency);
            await using var services = BuildServices(work.FullName, server.Url);
            using var plain = PlainHttpClient();

            List<CallFigures>? callFigures = null;
            List<StepCost>? steps = null;
            if (parts.Contains(Calls))
            {
                report.Heading(BenchReport.Text($"Per call: {calls:N0} calls per way, sequential and {concurrency} concurrent callers, {rounds} rounds taking turns, after {WarmUpCalls} warm-up calls each"));
                (callFigures, steps) = await MeasureCallsAsync(services, plain, server, calls, rounds, concurrency, report, cancellationToken).ConfigureAwait(false);
            }

            AthenaFigures? athena = null;
            if (pages is not null)
            {
                report.Heading(BenchReport.Text($"Athena results: {rows:N0} rows in {pages.Pages.Count:N0} pages ({pages.Bytes / 1e6:N1} MB of JSON), {repeat} runs per way taking turns, after a warm-up"));
                athena = await MeasureAthenaAsync(services, plain, server, pages, repeat, report, cancellationToken).ConfigureAwait(false);
            }

            var (signed, unsigned) = server.Signing;
            report.Check("the bench server answered every request", server.Failures == 0, BenchReport.Text($"{server.Failures:N0} errors; {signed:N0} signed and {unsigned:N0} unsigned requests"));
            PrintSummary(callFigures, steps, athena, calls, rounds, concurrency, repeat, loadAtStart, report);
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

    private sealed record CallOperation(string Name, AwsOperation Operation, byte[] RequestBody, byte[] ResponseBody, Func<CancellationToken, Task<bool>> Ours, Func<byte[], bool> Serialize);

    private static IReadOnlyList<CallOperation> CallOperations(ServiceProvider services)
    {
        var athena = services.GetRequiredService<AthenaClient>();
        var glue = services.GetRequiredService<GlueClient>();
        var query = new GetQueryExecutionRequest(BenchAnswers.QueryExecutionId);
        var run = new GetJobRunRequest(BenchAnswers.JobName, BenchAnswers.JobRunId);
        return
        [
            new("Athena GetQueryExecution", AwsOperations.AthenaGetQueryExecution, JsonSerializer.SerializeToUtf8Bytes(query, AwsJson.Options), BenchAnswers.QueryExecutionBody,
                async ct => (await athena.GetQueryExecutionAsync(query, ct).ConfigureAwait(false)).QueryExecution?.Status?.State == "SUCCEEDED",
                response => JsonSerializer.SerializeToUtf8Bytes(query, AwsJson.Options).Length > 0
                    && JsonSerializer.Deserialize<GetQueryExecutionResponse>(response, AwsJson.Options)?.QueryExecution?.Status?.State == "SUCCEEDED"),
            new("Glue GetJobRun", AwsOperations.GlueGetJobRun, JsonSerializer.SerializeToUtf8Bytes(run, AwsJson.Options), BenchAnswers.JobRunBody,
                async ct => (await glue.GetJobRunAsync(run, ct).ConfigureAwait(false)).JobRun?.JobRunState == "SUCCEEDED",
                response => JsonSerializer.SerializeToUtf8Bytes(run, AwsJson.Options).Length > 0
                    && JsonSerializer.Deserialize<GetJobRunResponse>(response, AwsJson.Options)?.JobRun?.JobRunState == "SUCCEEDED"),
        ];
    }

    private static async Task<(List<CallFigures>, List<StepCost>)> MeasureCallsAsync(
        ServiceProvider services, HttpClient plain, AwsBenchServer server, int calls, int rounds, int concurrency, BenchReport report, CancellationToken cancellationToken)
    {
        var figures = new List<CallFigures>();
        var steps = new List<StepCost>();
        foreach (var op in CallOperations(services))
        {
            var answered = 0L;
            Func<CancellationToken, Task> ours = async ct =>
            {
                if (await op.Ours(ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref answered);
                }
            };
            Func<CancellationToken, Task> anchor = ct => PostPlainAsync(plain, server.Url, op.Operation, op.RequestBody, ct);

            var signedBefore = server.Signing.Signed;
            await RunCallsAsync(ours, WarmUpCalls, 1, cancellationToken).ConfigureAwait(false);
            await RunCallsAsync(anchor, WarmUpCalls, 1, cancellationToken).ConfigureAwait(false);
            await RunCallsAsync(ours, WarmUpCalls, concurrency, cancellationToken).ConfigureAwait(false);
            await RunCallsAsync(anchor, WarmUpCalls, concurrency, cancellationToken).ConfigureAwait(false);

            foreach (var callers in new[] { 1, concurrency })
            {
                var oursRounds = new List<CallRound>();
                var anchorRounds = new List<CallRound>();
                var perRound = Math.Max(callers, calls / rounds);
                // Taking turns, and alternating who goes first, so a burst of load on the shared machine hits both alike.
                for (var r = 0; r < rounds; r++)
                {
                    if (r % 2 == 1)
                    {
                        anchorRounds.Add(await RunCallsAsync(anchor, perRound, callers, cancellationToken).ConfigureAwait(false));
                    }

                    oursRounds.Add(await RunCallsAsync(ours, perRound, callers, cancellationToken).ConfigureAwait(false));
                    if (r % 2 == 0)
                    {
                        anchorRounds.Add(await RunCallsAsync(anchor, perRound, callers, cancellationToken).ConfigureAwait(false));
                    }
                }

                var o = CallFigures.Of(op.Name, callers, "ours", oursRounds);
                var a = CallFigures.Of(op.Name, callers, "anchor", anchorRounds);
                figures.Add(o);
                figures.Add(a);
                report.Line($"{op.Name}, {callers} caller(s): ours {o.CallsPerSecond:N0} calls/s, p50 {o.P50Us:N0} µs, p99 {o.P99Us:N0} µs, {o.CpuUsPerCall:N0} µs CPU and {o.AllocatedPerCall / 1e3:N1} KB per call; anchor {a.CallsPerSecond:N0} calls/s, p50 {a.P50Us:N0} µs, p99 {a.P99Us:N0} µs, {a.CpuUsPerCall:N0} µs CPU and {a.AllocatedPerCall / 1e3:N1} KB per call  [rounds, calls/s: ours {string.Join(", ", oursRounds.Select(x => BenchReport.Count(x.Calls / x.WallSeconds)))}; anchor {string.Join(", ", anchorRounds.Select(x => BenchReport.Count(x.Calls / x.WallSeconds)))}]");
            }

            report.Check(BenchReport.Text($"{op.Name}: every call of ours was signed (SigV4) and parsed to the answer's state"),
                Interlocked.Read(ref answered) == server.Signing.Signed - signedBefore && answered > 0,
                BenchReport.Text($"{answered:N0} answers parsed, {server.Signing.Signed - signedBefore:N0} signed requests received"));

            steps.AddRange(await MeasureStepsAsync(services, op, calls, cancellationToken).ConfigureAwait(false));
        }

        return (figures, steps);
    }

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

    // Where ours spends its extra time, measured without the network on this thread: what AwsJsonClient does to the
    // request and answer bodies (System.Text.Json with AwsJson.Options), and what AwsSigningHandler does (AWSSDK.Core's
    // SigV4 signer over the same headers and body).
    private static async Task<IReadOnlyList<StepCost>> MeasureStepsAsync(ServiceProvider services, CallOperation op, int iterations, CancellationToken cancellationToken)
    {
        var credentials = services.GetRequiredService<AwsCredentialSource>();
        var region = RegionEndpoint.GetBySystemName(Region);
        var url = new Uri("http://127.0.0.1:1/");
        var contentType = "application/x-amz-json-1.1";

        StepCost Serialize()
        {
            var ok = 0;
            for (var i = 0; i < iterations; i++)
            {
                ok += op.Serialize(op.ResponseBody) ? 1 : 0;
            }

            return ok == iterations ? default : throw new InvalidOperationException($"{op.Name}: the answer did not parse.");
        }

        async Task<StepCost> SignAsync()
        {
            for (var i = 0; i < iterations; i++)
            {
                var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = url };
                signing.Headers["X-Amz-Target"] = op.Operation.Target;
                signing.Content = op.RequestBody;
                signing.Headers["Content-Type"] = contentType;
                var parameters = new AWSSigV4Parameters { Credentials = credentials.Credentials, Region = region, Service = op.Operation.Service.Name };
                var signed = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken).ConfigureAwait(false);
                if (signed.Headers.Count == 0)
                {
                    throw new InvalidOperationException("The signer added no headers.");
                }
            }

            return default;
        }

        // Warm-up, then timed.
        _ = Serialize();
        await SignAsync().ConfigureAwait(false);
        return
        [
            await TimeStepAsync(op.Name, "serialize the request, parse the answer", iterations, () => Task.FromResult(Serialize())).ConfigureAwait(false),
            await TimeStepAsync(op.Name, "SigV4 signature", iterations, SignAsync).ConfigureAwait(false),
        ];
    }

    private static async Task<StepCost> TimeStepAsync(string operation, string step, int iterations, Func<Task<StepCost>> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = ProcessCpu();
        var started = Stopwatch.GetTimestamp();
        await body().ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new StepCost(operation, step, wall * 1e6 / iterations, (ProcessCpu() - cpu).TotalSeconds * 1e6 / iterations, (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / iterations);
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

    /// <summary>One step measured in-process: wall and CPU microseconds and bytes allocated per call.</summary>
    private readonly record struct StepCost(string Operation, string Step, double WallUs, double CpuUs, double AllocatedBytes);
}
