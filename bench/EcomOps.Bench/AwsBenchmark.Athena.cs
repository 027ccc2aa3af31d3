using System.Diagnostics;
using System.Text.Json;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Query;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

internal static partial class AwsBenchmark
{
    private const string Sql = "SELECT * FROM transactions_data";

    private const string AnchorWay = "anchor: JsonDocument, every VarCharValue as a string";
    private const string RecordsWay = "+ records (AwsJson, as AwsJsonClient parses)";
    private const string ValuesWay = "+ values (AthenaResultValues.Parse into object?[])";
    private const string EngineWay = "engine: IQueryEngine.StreamAsync over loopback HTTP";
    private const string PlainHttpWay = "plain HttpClient over loopback HTTP + JsonDocument";
    private const string SocketlessEngineWay = "engine over an in-process answering handler (no sockets)";

    private static async Task<AthenaFigures> MeasureAthenaAsync(ServiceProvider services, ServiceProvider socketless, HttpClient plain, AwsBenchServer server, AthenaPages pages, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var engine = services.GetRequiredService<IQueryEngine>();
        report.Line($"Engine: {engine.GetType().Name} ({engine.Name})");
        if (engine is not AthenaQueryEngine)
        {
            throw new InvalidOperationException($"EcomOps:Backend=Aws registered {engine.GetType().Name} as the query engine, not the Athena engine.");
        }

        var inProcess = ActivatorUtilities.CreateInstance<AthenaQueryEngine>(socketless);
        var pageRequests = pages.Tokens.Select(t => JsonSerializer.SerializeToUtf8Bytes(new GetQueryResultsRequest(BenchAnswers.QueryExecutionId, t, AthenaPages.PageRows), AwsJson.Options)).ToList();
        var startRequest = JsonSerializer.SerializeToUtf8Bytes(new StartQueryExecutionRequest
        {
            QueryString = Sql,
            ClientRequestToken = Guid.Empty.ToString("N"),
            WorkGroup = "ecomops",
            QueryExecutionContext = new QueryExecutionContext("ecom", "AwsDataCatalog"),
            ResultConfiguration = new ResultConfiguration("s3://ecomops-lake/athena-results/"),
        }, AwsJson.Options);
        var pollRequest = JsonSerializer.SerializeToUtf8Bytes(new GetQueryExecutionRequest(BenchAnswers.QueryExecutionId), AwsJson.Options);

        var ways = new (string Name, Func<Task<long>> Run)[]
        {
            (AnchorWay, () => Task.FromResult(TouchPages(pages.Pages))),
            (RecordsWay, () => Task.FromResult(Records(pages.Pages))),
            (ValuesWay, () => Task.FromResult(Values(pages.Pages, pages))),
            (EngineWay, () => StreamCheckedAsync(engine)),
            (SocketlessEngineWay, () => StreamCheckedAsync(inProcess)),
            (PlainHttpWay, async () =>
            {
                await PostPlainAsync(plain, server.Url, AwsOperations.AthenaStartQueryExecution, startRequest, cancellationToken).ConfigureAwait(false);
                await PostPlainAsync(plain, server.Url, AwsOperations.AthenaGetQueryExecution, pollRequest, cancellationToken).ConfigureAwait(false);
                long values = 0;
                foreach (var request in pageRequests)
                {
                    values += TouchPage(await PostPlainAsync(plain, server.Url, AwsOperations.AthenaGetQueryResults, request, cancellationToken).ConfigureAwait(false));
                }

                return values;
            }),
        };

        var expectedValues = (pages.Rows + 1) * 6;
        var results = ways.ToDictionary(w => w.Name, _ => new List<AthenaRun>());
        var outcomes = new Dictionary<string, long>();
        // Warm-up once each (JIT, connection pool, DuckDB's parser for the gate), then the ways take turns, the order rotating.
        foreach (var (name, run) in ways)
        {
            outcomes[name] = await run().ConfigureAwait(false);
        }

        for (var r = 0; r < repeat; r++)
        {
            for (var k = 0; k < ways.Length; k++)
            {
                var (name, run) = ways[(k + r) % ways.Length];
                results[name].Add(await MeasureRunAsync(run).ConfigureAwait(false));
            }
        }

        report.Check(BenchReport.Text($"the engine streamed all {pages.Rows:N0} rows, typed, with the exact sum(transactionid) and sum(amount), over sockets and without"),
            outcomes[EngineWay] == pages.Rows && outcomes[SocketlessEngineWay] == pages.Rows, BenchReport.Text($"{outcomes[EngineWay]:N0} and {outcomes[SocketlessEngineWay]:N0} rows"));
        report.Check(BenchReport.Text($"the anchors read every value, header row included ({expectedValues:N0})"),
            outcomes[AnchorWay] == expectedValues && outcomes[PlainHttpWay] == expectedValues && outcomes[RecordsWay] == expectedValues && outcomes[ValuesWay] == pages.Rows,
            BenchReport.Text($"in-process {outcomes[AnchorWay]:N0}, over HTTP {outcomes[PlainHttpWay]:N0}, records {outcomes[RecordsWay]:N0} values, values {outcomes[ValuesWay]:N0} rows"));

        // The engine's fixed cost per query besides the calls: the statement gate (DuckDB's parser on a new in-memory connection).
        var gate = new List<double>();
        for (var r = 0; r < Math.Max(5, repeat); r++)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.Run(() => QueryGate.Check(Sql), cancellationToken).ConfigureAwait(false);
            gate.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var figures = new AthenaFigures(pages.Rows, pages.Pages.Count, pages.Bytes, [.. ways.Select(w => AthenaWay.Of(w.Name, results[w.Name]))], BenchReport.Median(gate));
        foreach (var way in figures.Ways)
        {
            report.Line($"{way.Name}: {way.Seconds * 1000:N1} ms ({way.Seconds * 1000 / figures.PageCount:N2} ms a page), {figures.Rows / way.Seconds:N0} rows/s, {figures.Bytes / way.Seconds / 1e6:N1} MB/s, CPU {way.CpuSeconds * 1000:N1} ms, {way.AllocatedBytes / (double)figures.Rows:N0} bytes allocated a row, peak working set {way.PeakWorkingSet / 1e6:N1} MB ({way.AbovePrior / 1e6:N1} MB above the start)  [runs, ms: {string.Join(", ", results[way.Name].Select(x => BenchReport.Fixed(x.Seconds * 1000, 1)))}]");
        }

        report.Line($"Statement gate (QueryGate.Check, once per query): {figures.GateSeconds * 1000:N1} ms (median)");
        return figures;

        async Task<long> StreamCheckedAsync(IQueryEngine streaming)
        {
            var writer = new CountingWriter();
            var summary = await streaming.StreamAsync(Sql, writer, cancellationToken).ConfigureAwait(false);
            return writer.Rows == pages.Rows && summary.Rows == pages.Rows && writer.SumTransactionId == pages.SumTransactionId
                && writer.SumAmount == pages.SumAmount && writer.TimestampsTyped
                && string.Join(",", writer.Types) == "bigint,bigint,bigint,timestamp,decimal(10,2),varchar"
                ? writer.Rows
                : throw new InvalidOperationException(BenchReport.Text($"The engine streamed {writer.Rows:N0} rows (summary {summary.Rows:N0}), sum(transactionid) {writer.SumTransactionId:N0}, sum(amount) {writer.SumAmount}, types {string.Join(",", writer.Types)}; expected {pages.Rows:N0} rows, {pages.SumTransactionId:N0}, {pages.SumAmount}."));
        }
    }

    private static async Task<AthenaRun> MeasureRunAsync(Func<Task<long>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var prior = PeakMemory.CurrentWorkingSet();
        using var memory = PeakMemory.Start();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = ProcessCpu();
        var started = Stopwatch.GetTimestamp();
        await run().ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuSeconds = (ProcessCpu() - cpu).TotalSeconds;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var peak = memory.Stop();
        return new AthenaRun(seconds, cpuSeconds, bytes, peak.WorkingSetBytes, prior);
    }

    // The anchor: what any reader of these pages must do at least, parse the JSON and take each cell's text out.
    private static long TouchPages(List<byte[]> pages)
    {
        long values = 0;
        foreach (var page in pages)
        {
            values += TouchPage(page);
        }

        return values;
    }

    private static long TouchPage(byte[] page)
    {
        long values = 0;
        using var document = JsonDocument.Parse(page);
        foreach (var row in document.RootElement.GetProperty("ResultSet").GetProperty("Rows").EnumerateArray())
        {
            foreach (var datum in row.GetProperty("Data").EnumerateArray())
            {
                if (datum.TryGetProperty("VarCharValue", out var text) && text.GetString() is { Length: >= 0 })
                {
                    values++;
                }
            }
        }

        return values;
    }

    private static long Records(List<byte[]> pages)
    {
        long values = 0;
        foreach (var page in pages)
        {
            var parsed = JsonSerializer.Deserialize<GetQueryResultsResponse>(page, AwsJson.Options)!;
            foreach (var row in parsed.ResultSet!.Rows!)
            {
                values += row.Data!.Count(d => d.VarCharValue is not null);
            }
        }

        return values;
    }

    // What the engine does with each page once parsed (AthenaQueryEngine.ReadResultsAsync's loop), without HTTP.
    private static long Values(List<byte[]> pages, AthenaPages expected)
    {
        long rows = 0;
        long ids = 0;
        List<QueryColumn>? columns = null;
        foreach (var page in pages)
        {
            var parsed = JsonSerializer.Deserialize<GetQueryResultsResponse>(page, AwsJson.Options)!;
            var skip = columns is null ? 1 : 0;
            columns ??= [.. parsed.ResultSet!.ResultSetMetadata!.ColumnInfo!.Select(c => new QueryColumn(c.Name, AthenaResultValues.TypeName(c)))];
            foreach (var row in parsed.ResultSet!.Rows!.Skip(skip))
            {
                var data = row.Data!;
                var values = new object?[columns.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = AthenaResultValues.Parse(i < data.Count ? data[i].VarCharValue : null, columns[i].Type);
                }

                ids += (long)values[0]!;
                rows++;
            }
        }

        return ids == expected.SumTransactionId ? rows : -rows;
    }

    private sealed class CountingWriter : IQueryRowWriter
    {
        public long Rows { get; private set; }

        public long SumTransactionId { get; private set; }

        public decimal SumAmount { get; private set; }

        public bool TimestampsTyped { get; private set; } = true;

        public IReadOnlyList<string> Types { get; private set; } = [];

        public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken)
        {
            Types = [.. columns.Select(c => c.Type)];
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
        {
            Rows++;
            SumTransactionId += (long)row[0]!;
            SumAmount += (decimal)row[4]!;
            TimestampsTyped &= row[3] is DateTime;
            return ValueTask.FromResult(true);
        }
    }

    private sealed record AthenaRun(double Seconds, double CpuSeconds, long AllocatedBytes, long PeakWorkingSet, long PriorWorkingSet);

    /// <summary>
    /// A way's runs: the median and the fastest (wall and CPU each), the median allocation, the highest peak. On a shared
    /// machine the fastest run is the one least disturbed by other work, so differences between ways are taken from it.
    /// </summary>
    private sealed record AthenaWay(string Name, double Seconds, double CpuSeconds, double AllocatedBytes, long PeakWorkingSet, long AbovePrior, double BestSeconds, double BestCpuSeconds)
    {
        public static AthenaWay Of(string name, List<AthenaRun> runs) =>
            new(name, BenchReport.Median(runs.Select(r => r.Seconds)), BenchReport.Median(runs.Select(r => r.CpuSeconds)),
                BenchReport.Median(runs.Select(r => (double)r.AllocatedBytes)), runs.Max(r => r.PeakWorkingSet), runs.Max(r => r.PeakWorkingSet - r.PriorWorkingSet),
                runs.Min(r => r.Seconds), runs.Min(r => r.CpuSeconds));
    }

    private sealed record AthenaFigures(long Rows, int PageCount, long Bytes, IReadOnlyList<AthenaWay> Ways, double GateSeconds)
    {
        public double TimestampParseMsPerPage { get; init; }

        public double TimestampExactMsPerPage { get; init; }

        public AthenaWay Way(string name) => Ways.Single(w => w.Name == name);
    }
}
