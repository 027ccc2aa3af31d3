using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Bench;

internal static partial class AwsBenchmark
{
    private const string RedshiftSql = "SELECT * FROM public.transactions_data";

    private const string RsAnchorWay = "anchor: JsonDocument, every field's value read (strings as strings)";
    private const string RsRecordsWay = "+ records (AwsJson, as AwsJsonClient parses)";
    private const string WarehouseWay = "warehouse: IWarehouse.QueryAsync over loopback HTTP";
    private const string RsPlainHttpWay = "plain HttpClient over loopback HTTP + JsonDocument";
    private const string SocketlessWarehouseWay = "warehouse over an in-process answering handler (no sockets)";

    private static async Task<AthenaFigures> MeasureRedshiftAsync(ServiceProvider services, ServiceProvider socketless, HttpClient plain, AwsBenchServer server, RedshiftPages pages, int repeat, BenchReport report, CancellationToken cancellationToken)
    {
        var warehouse = services.GetRequiredService<IWarehouse>();
        report.Line($"Warehouse: {warehouse.GetType().Name}");
        if (warehouse is not RedshiftDataWarehouse)
        {
            throw new InvalidOperationException($"EcomOps:Backend=Aws registered {warehouse.GetType().Name} as the warehouse, not the Redshift Data API one.");
        }

        var inProcess = ActivatorUtilities.CreateInstance<RedshiftDataWarehouse>(socketless);
        var pageRequests = pages.Tokens.Select(t => JsonSerializer.SerializeToUtf8Bytes(new GetStatementResultRequest(RedshiftPages.StatementId, t), AwsJson.Options)).ToList();
        var executeRequest = JsonSerializer.SerializeToUtf8Bytes(new ExecuteStatementRequest
        {
            Sql = RedshiftSql,
            StatementName = "ecomops: run the query",
            Database = "dev",
            WorkgroupName = "ecomops",
        }, AwsJson.Options);
        var describeRequest = JsonSerializer.SerializeToUtf8Bytes(new DescribeStatementRequest(RedshiftPages.StatementId), AwsJson.Options);

        var ways = new (string Name, Func<Task<long>> Run)[]
        {
            (RsAnchorWay, () => Task.FromResult(pages.Pages.Sum(TouchRecords))),
            (RsRecordsWay, () => Task.FromResult(pages.Pages.Sum(p => (long)JsonSerializer.Deserialize<GetStatementResultResponse>(p, AwsJson.Options)!.Records.Sum(r => r.Count)))),
            (WarehouseWay, () => QueryCheckedAsync(warehouse)),
            (SocketlessWarehouseWay, () => QueryCheckedAsync(inProcess)),
            (RsPlainHttpWay, async () =>
            {
                await PostPlainAsync(plain, server.Url, AwsOperations.RedshiftDataExecuteStatement, executeRequest, cancellationToken).ConfigureAwait(false);
                await PostPlainAsync(plain, server.Url, AwsOperations.RedshiftDataDescribeStatement, describeRequest, cancellationToken).ConfigureAwait(false);
                long values = 0;
                foreach (var request in pageRequests)
                {
                    values += TouchRecords(await PostPlainAsync(plain, server.Url, AwsOperations.RedshiftDataGetStatementResult, request, cancellationToken).ConfigureAwait(false));
                }

                return values;
            }),
        };

        var expectedValues = pages.Rows * 6;
        var results = ways.ToDictionary(w => w.Name, _ => new List<AthenaRun>());
        var outcomes = new Dictionary<string, long>();
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

        report.Check(BenchReport.Text($"the warehouse returned all {pages.Rows:N0} rows, typed, with the exact sum(transactionid) and sum(amount), over sockets and without"),
            outcomes[WarehouseWay] == pages.Rows && outcomes[SocketlessWarehouseWay] == pages.Rows, BenchReport.Text($"{outcomes[WarehouseWay]:N0} and {outcomes[SocketlessWarehouseWay]:N0} rows"));
        report.Check(BenchReport.Text($"the Redshift anchors read every value ({expectedValues:N0})"),
            outcomes[RsAnchorWay] == expectedValues && outcomes[RsPlainHttpWay] == expectedValues && outcomes[RsRecordsWay] == expectedValues,
            BenchReport.Text($"in-process {outcomes[RsAnchorWay]:N0}, over HTTP {outcomes[RsPlainHttpWay]:N0}, records {outcomes[RsRecordsWay]:N0}"));

        // One piece of the conversion on its own: the warehouse's timestamp reading (RedshiftDataWarehouse.Time, DateTime.Parse)
        // against DateTime.ParseExact on the Data API's one format, over the same fields. Passes for a second first: tiered
        // compilation promotes hot methods in the background after a delay, so a few quick passes are no warm-up. Then the
        // fastest of 6.
        var stamps = pages.Pages.SelectMany(p => JsonSerializer.Deserialize<GetStatementResultResponse>(p, AwsJson.Options)!.Records.Select(r => r[3])).ToList();
        var (timeParse, timeExact) = (double.MaxValue, double.MaxValue);
        var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        for (var measured = 0; measured < 6;)
        {
            var counts = Stopwatch.GetTimestamp() > warmUntil;
            var started = Stopwatch.GetTimestamp();
            var ticks = 0L;
            foreach (var field in stamps)
            {
                ticks += RedshiftDataWarehouse.Time(field)!.Value.Ticks;
            }

            var parse = Stopwatch.GetElapsedTime(started).TotalSeconds;
            started = Stopwatch.GetTimestamp();
            var exact = 0L;
            foreach (var field in stamps)
            {
                exact += DateTime.ParseExact(field.StringValue!, "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture, DateTimeStyles.None).Ticks;
            }

            var parseExact = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (ticks != exact)
            {
                throw new InvalidOperationException("DateTime.ParseExact read the Data API's timestamps differently from the warehouse.");
            }

            if (counts)
            {
                measured++;
                (timeParse, timeExact) = (Math.Min(timeParse, parse), Math.Min(timeExact, parseExact));
            }
        }

        var figures = new AthenaFigures(pages.Rows, pages.Pages.Count, pages.Bytes, [.. ways.Select(w => AthenaWay.Of(w.Name, results[w.Name]))], 0)
        {
            TimestampParseMsPerPage = timeParse * 1000 / pages.Pages.Count,
            TimestampExactMsPerPage = timeExact * 1000 / pages.Pages.Count,
        };
        report.Line($"Timestamps alone, per page of {RedshiftPages.PageRows:N0}: the warehouse's RedshiftDataWarehouse.Time (DateTime.Parse) {figures.TimestampParseMsPerPage:N2} ms, DateTime.ParseExact on the Data API's format {figures.TimestampExactMsPerPage:N2} ms (the same values)");
        foreach (var way in figures.Ways)
        {
            report.Line($"{way.Name}: {way.Seconds * 1000:N1} ms ({way.Seconds * 1000 / figures.PageCount:N2} ms a page), {figures.Rows / way.Seconds:N0} rows/s, {figures.Bytes / way.Seconds / 1e6:N1} MB/s, CPU {way.CpuSeconds * 1000:N1} ms, {way.AllocatedBytes / (double)figures.Rows:N0} bytes allocated a row, peak working set {way.PeakWorkingSet / 1e6:N1} MB ({way.AbovePrior / 1e6:N1} MB above the start)  [runs, ms: {string.Join(", ", results[way.Name].Select(x => BenchReport.Fixed(x.Seconds * 1000, 1)))}]");
        }

        return figures;

        async Task<long> QueryCheckedAsync(IWarehouse querying)
        {
            var result = await querying.QueryAsync(RedshiftSql, (int)pages.Rows, cancellationToken).ConfigureAwait(false);
            var ids = result.Rows.Sum(r => (long)r[0]!);
            var amounts = result.Rows.Sum(r => (decimal)r[4]!);
            var types = string.Join(",", result.Columns.Select(c => c.Type));
            return result.Rows.Count == pages.Rows && !result.Truncated && ids == pages.SumTransactionId && amounts == pages.SumAmount
                && result.Rows.All(r => r[3] is DateTime) && types == "bigint,bigint,bigint,timestamp,decimal(10,2),varchar"
                ? result.Rows.Count
                : throw new InvalidOperationException(BenchReport.Text($"The warehouse returned {result.Rows.Count:N0} rows (truncated: {result.Truncated}), sum(transactionid) {ids:N0}, sum(amount) {amounts}, types {types}; expected {pages.Rows:N0} rows, {pages.SumTransactionId:N0}, {pages.SumAmount}."));
        }
    }

    // Each field is a one-member union object: read that member's value, as a string when it is one.
    private static long TouchRecords(byte[] page)
    {
        long values = 0;
        using var document = JsonDocument.Parse(page);
        foreach (var record in document.RootElement.GetProperty("Records").EnumerateArray())
        {
            foreach (var field in record.EnumerateArray())
            {
                foreach (var member in field.EnumerateObject())
                {
                    var read = member.Value.ValueKind switch
                    {
                        JsonValueKind.String => member.Value.GetString() is not null,
                        JsonValueKind.Number => member.Value.TryGetInt64(out _),
                        _ => true,
                    };
                    values += read ? 1 : 0;
                }
            }
        }

        return values;
    }
}
