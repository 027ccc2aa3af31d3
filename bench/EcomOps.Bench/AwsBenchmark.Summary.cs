using EcomOps.Core.Aws;

namespace EcomOps.Bench;

internal static partial class AwsBenchmark
{
    private static void PrintSummary(List<CallFigures>? calls, List<LayerCost>? layers, AthenaFigures? athena, AthenaFigures? redshift, int callCount, int rounds, int concurrency, int repeat, string? loadAtStart, BenchReport report)
    {
        report.Heading("Summary (Markdown, for the README)");
        report.Line($"### Aws benchmark");
        report.Line();
        report.Table(
            [new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(AwsJsonClient).Assembly, loadAtStart)
                .Append((Name: "Load average after the run (1/5/15 min)", Value: MachineInfo.LoadAverage() ?? "unknown"))
                .Select(m => (IReadOnlyList<string>)[m.Name, m.Value]));
        report.Line();

        if (calls is not null && layers is not null)
        {
            report.Line($"Per call, warm: {callCount:N0} calls per way and caller count, in {rounds} rounds, the ways taking turns, after {WarmUpCalls:N0} sequential and {WarmUpCalls:N0} concurrent warm-up calls per way of every operation, before any is measured. Ours: the typed client (AthenaClient.GetQueryExecutionAsync, GlueClient.GetJobRunAsync) through AwsJsonClient and the HTTP client AddAwsClients registers (resilience pipeline with the default retries and time-outs, SigV4 signer), answer parsed. Anchor: the same POST (same body, Content-Type and X-Amz-Target; no signature) from a plain HttpClient with the same SocketsHttpHandler settings, answer read and not parsed. Between them: AwsJsonClient (typed request serialized, answer parsed) over a bare SocketsHttpHandler, unsigned; then with a control handler in the signer's place (reads the body, adds SigV4's three headers with fixed values: no signing); then with AwsSigningHandler. Every way has its own connection pool; the ways take turns, the order rotating each round. Same server, in this process: CPU and allocation are the whole process's per call, server included, which is the same for both ways, so the difference is ours.");
            report.Line();
            report.Table(
                [new("Operation", Numeric: false), new("Callers"), new("Way", Numeric: false), new("calls/s"), new("p50 µs"), new("p95 µs"), new("p99 µs"), new("CPU µs/call"), new("KB allocated/call")],
                calls.Select(c => (IReadOnlyList<string>)
                [
                    c.Operation, c.Callers.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Way, BenchReport.Count(c.CallsPerSecond),
                    BenchReport.Count(c.P50Us), BenchReport.Count(c.P95Us), BenchReport.Count(c.P99Us), BenchReport.Count(c.CpuUsPerCall), BenchReport.Fixed(c.AllocatedPerCall / 1e3, 1),
                ]));
            report.Line();
            report.Line($"Ours minus the anchor, per call:");
            report.Line();
            var pairs = calls.GroupBy(c => (c.Operation, c.Callers)).Select(g => (g.Key.Operation, g.Key.Callers,
                Ours: g.Single(c => c.Way == OursWay), Anchor: g.Single(c => c.Way == AnchorCallWay), Json: g.Single(c => c.Way == JsonWay),
                Signed: g.Single(c => c.Way == SignedWay), Shaped: g.Single(c => c.Way == ShapedWay))).ToList();
            report.Table(
                [new("Operation", Numeric: false), new("Callers"), new("p50 µs"), new("p95 µs"), new("p99 µs"), new("CPU µs/call"), new("KB allocated/call"), new("calls/s, ours / anchor")],
                pairs.Select(p => (IReadOnlyList<string>)
                [
                    p.Operation, p.Callers.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Signed(p.Ours.P50Us - p.Anchor.P50Us), Signed(p.Ours.P95Us - p.Anchor.P95Us), Signed(p.Ours.P99Us - p.Anchor.P99Us),
                    Signed(p.Ours.CpuUsPerCall - p.Anchor.CpuUsPerCall), BenchReport.Fixed((p.Ours.AllocatedPerCall - p.Anchor.AllocatedPerCall) / 1e3, 1),
                    BenchReport.Fixed(p.Ours.CallsPerSecond / p.Anchor.CallsPerSecond, 2) + "x",
                ]));
            report.Line();
            report.Line($"How it splits over the same sockets, each step minus the one before (anchor -> AwsJsonClient unsigned over a bare SocketsHttpHandler -> + AwsSigningHandler -> + the resilience pipeline and IHttpClientFactory, which is ours). The signer's step splits in two with the control (a handler in the signer's place that reads the body and adds SigV4's three headers with fixed values of the real lengths): carrying a signature (control minus AwsJsonClient) and computing it (signer minus control).");
            report.Line();
            report.Table(
                [
                    new("Operation", Numeric: false), new("Callers"),
                    new("p50 µs: AwsJsonClient"), new("p50 µs: signer"), new("p50 µs: of it, carrying"), new("p50 µs: of it, computing"), new("p50 µs: pipeline + factory"),
                    new("CPU µs: AwsJsonClient"), new("CPU µs: signer"), new("CPU µs: of it, carrying"), new("CPU µs: of it, computing"), new("CPU µs: pipeline + factory"),
                ],
                pairs.Select(p => (IReadOnlyList<string>)
                [
                    p.Operation, p.Callers.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Signed(p.Json.P50Us - p.Anchor.P50Us), Signed(p.Signed.P50Us - p.Json.P50Us), Signed(p.Shaped.P50Us - p.Json.P50Us), Signed(p.Signed.P50Us - p.Shaped.P50Us), Signed(p.Ours.P50Us - p.Signed.P50Us),
                    Signed(p.Json.CpuUsPerCall - p.Anchor.CpuUsPerCall), Signed(p.Signed.CpuUsPerCall - p.Json.CpuUsPerCall), Signed(p.Shaped.CpuUsPerCall - p.Json.CpuUsPerCall), Signed(p.Signed.CpuUsPerCall - p.Shaped.CpuUsPerCall), Signed(p.Ours.CpuUsPerCall - p.Signed.CpuUsPerCall),
                ]));
            report.Line();
            report.Line($"Where our time goes, in-process without sockets: the same call through one more layer at a time, each over a handler that reads the request body and answers the prepared bytes at once; 3 rounds of {callCount:N0} calls ({callCount / 50:N0} for a results page), the layers taking turns; time and CPU of the fastest round, allocation of the median one. Layer 3 is the HTTP client AddAwsClients registers with only its primary handler (the socket) replaced; layers 1 and 2 put AwsJsonClient over a hand-built chain. Each layer's increment is its cost.");
            report.Line();
            var rows = new List<IReadOnlyList<string>>();
            foreach (var group in layers.GroupBy(l => l.Operation))
            {
                LayerCost? previous = null;
                foreach (var layer in group)
                {
                    rows.Add([layer.Operation, layer.Layer, BenchReport.Fixed(layer.WallUs, 1), BenchReport.Fixed(layer.CpuUs, 1), BenchReport.Fixed(layer.AllocatedBytes / 1e3, 1),
                        previous is null ? "-" : SignedFixed(layer.WallUs - previous.WallUs), previous is null ? "-" : SignedFixed(layer.CpuUs - previous.CpuUs),
                        previous is null ? "-" : SignedFixed((layer.AllocatedBytes - previous.AllocatedBytes) / 1e3)]);
                    previous = layer;
                }
            }

            report.Table([new("Operation", Numeric: false), new("Layer", Numeric: false), new("µs/call"), new("CPU µs/call"), new("KB allocated/call"), new("+µs"), new("+CPU µs"), new("+KB")], rows);
            report.Line();
        }

        if (athena is not null)
        {
            var anchor = athena.Way(AnchorWay);
            var records = athena.Way(RecordsWay);
            var values = athena.Way(ValuesWay);
            var engine = athena.Way(EngineWay);
            var http = athena.Way(PlainHttpWay);
            var socketless = athena.Way(SocketlessEngineWay);
            report.Line($"Athena results: {athena.Rows:N0} transactions_data-shaped rows (bigint, bigint, bigint, timestamp, decimal(10,2), varchar) in {athena.PageCount:N0} GetQueryResults pages of {AthenaPages.PageRows:N0} rows ({athena.Bytes / 1e6:N1} MB of JSON, prepared once and held by the server). {repeat} runs per way after a warm-up, the ways taking turns, the order rotating. The engine: `IQueryEngine.StreamAsync` (AthenaQueryEngine: gate, StartQueryExecution, one GetQueryExecution answered SUCCEEDED, then the pages over loopback HTTP) into a row writer that only counts and sums. The anchor: the same page bytes parsed in this process with JsonDocument, every VarCharValue read as a string. Between them, in-process on the same bytes: parsing into the client's records, then converting every cell as the engine does. Then the engine again over an in-process handler answering the same bytes (AddAwsClients' HTTP client with only the socket replaced), so the loopback HTTP's share shows. Last, a plain HttpClient fetching the same pages (and the start and poll) over the same loopback, parsed as the anchor. Allocation is the whole process's (the server's share is small: it sends prepared bytes); peak working set is VmHWM, reset before each run, and \"above start\" subtracts the working set just before it.");
            report.Line();
            PagedTable(athena, report);
            report.Line();
            double PerPage(double seconds) => seconds * 1000 / athena.PageCount;
            report.Line($"From the fastest run of each way: the engine spends {PerPage(engine.BestSeconds - anchor.BestSeconds):N2} ms per {AthenaPages.PageRows:N0}-row page beyond the anchor ({PerPage(engine.BestCpuSeconds - anchor.BestCpuSeconds):N2} ms of CPU): parsing into records {PerPage(records.BestSeconds - anchor.BestSeconds):N2} ms, converting the values {PerPage(values.BestSeconds - records.BestSeconds):N2} ms, and the calls {PerPage(engine.BestSeconds - values.BestSeconds):N2} ms: {PerPage(socketless.BestSeconds - values.BestSeconds):N2} ms of them without sockets (AwsJsonClient, signer, pipeline, start, poll, gate: the engine over an in-process answering handler) and {PerPage(engine.BestSeconds - socketless.BestSeconds):N2} ms the loopback HTTP itself (client and server), where a plain HttpClient fetching the same pages adds {PerPage(http.BestSeconds - anchor.BestSeconds):N2} ms a page to the anchor. Fixed per query: the statement gate {athena.GateSeconds * 1000:N1} ms (QueryGate.Check, DuckDB's parser on a new in-memory connection).");
            report.Line();
            report.Line($"Context, not measured here: on real Athena each page is also one network round trip to Athena's endpoint (typically tens of ms), so {athena.PageCount:N0} pages cost seconds of waiting on AWS, against {engine.BestSeconds * 1000:N0}-{engine.Seconds * 1000:N0} ms (fastest-median run) of our own work for the whole result.");
        }

        if (redshift is not null)
        {
            var anchor = redshift.Way(RsAnchorWay);
            var records = redshift.Way(RsRecordsWay);
            var warehouse = redshift.Way(WarehouseWay);
            var http = redshift.Way(RsPlainHttpWay);
            var socketless = redshift.Way(SocketlessWarehouseWay);
            report.Line();
            report.Line($"Redshift Data API results: the same {redshift.Rows:N0} rows as records of typed fields (longValue for the int8 columns, stringValue for timestamp, numeric and varchar), in {redshift.PageCount:N0} GetStatementResult pages of {RedshiftPages.PageRows:N0} records ({redshift.Bytes / 1e6:N1} MB of JSON; the service picks its page size, this is the bench's choice). The warehouse: `IWarehouse.QueryAsync(sql, maxRows: {redshift.Rows:N0})` (RedshiftDataWarehouse: gate, ExecuteStatement, one DescribeStatement answered FINISHED, the pages, then the rows converted into a QueryResult held in memory). Anchor, in-process handler and plain HttpClient as for Athena; {repeat} runs per way.");
            report.Line();
            PagedTable(redshift, report);
            report.Line();
            double PerPage(double seconds) => seconds * 1000 / redshift.PageCount;
            report.Line($"From the fastest run of each way: the warehouse spends {PerPage(warehouse.BestSeconds - anchor.BestSeconds):N2} ms per {RedshiftPages.PageRows:N0}-record page beyond the anchor ({PerPage(warehouse.BestCpuSeconds - anchor.BestCpuSeconds):N2} ms of CPU): parsing into records {PerPage(records.BestSeconds - anchor.BestSeconds):N2} ms, the rest {PerPage(warehouse.BestSeconds - records.BestSeconds):N2} ms: {PerPage(socketless.BestSeconds - records.BestSeconds):N2} ms of it without sockets (converting the fields into the QueryResult's values, AwsJsonClient, signer, pipeline, execute, describe, gate: the warehouse over an in-process answering handler) and {PerPage(warehouse.BestSeconds - socketless.BestSeconds):N2} ms the loopback HTTP itself, where a plain HttpClient fetching the same pages adds {PerPage(http.BestSeconds - anchor.BestSeconds):N2} ms a page to the anchor. Of the conversion, reading the timestamps alone (RedshiftDataWarehouse.Time, DateTime.Parse) takes {redshift.TimestampParseMsPerPage:N2} ms a page, against {redshift.TimestampExactMsPerPage:N2} ms for DateTime.ParseExact on the Data API's one format. Unlike the Athena engine's stream, QueryAsync holds the whole result: its peak working set grows with the rows.");
        }
    }

    private static void PagedTable(AthenaFigures figures, BenchReport report) =>
        report.Table(
            [
                new("Way", Numeric: false), new("ms, median"), new("ms, fastest"), new("ms/page, fastest"), new("rows/s, fastest"), new("MB/s of JSON, fastest"),
                new("CPU ms, median"), new("CPU ms, least"), new("bytes allocated/row"), new("peak working set MB"), new("above start MB"),
            ],
            figures.Ways.Select(w => (IReadOnlyList<string>)
            [
                w.Name, BenchReport.Fixed(w.Seconds * 1000, 1), BenchReport.Fixed(w.BestSeconds * 1000, 1), BenchReport.Fixed(w.BestSeconds * 1000 / figures.PageCount, 2),
                BenchReport.Count(figures.Rows / w.BestSeconds), BenchReport.Fixed(figures.Bytes / w.BestSeconds / 1e6, 1),
                BenchReport.Fixed(w.CpuSeconds * 1000, 1), BenchReport.Fixed(w.BestCpuSeconds * 1000, 1), BenchReport.Count(w.AllocatedBytes / figures.Rows),
                BenchReport.Megabytes(w.PeakWorkingSet), BenchReport.Megabytes(w.AbovePrior),
            ]));

    private static string Signed(double value) => (value >= 0 ? "+" : "") + BenchReport.Count(value);

    private static string SignedFixed(double value) => (value >= 0 ? "+" : "") + BenchReport.Fixed(value, 1);
}
