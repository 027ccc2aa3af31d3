using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Query;
using EcomOps.Tests.Query;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Aws;

/// <summary>What only the Athena engine does: its requests, paging, polling, statistics, retries and Athena's own errors.</summary>
[Collection(QueryLakeCollection.Name)]
public sealed class AthenaQueryEngineTests : IDisposable
{
    private const string LongQuery = "SELECT sum(a.range * b.range) AS total FROM range(300000) a, range(300000) b";

    private readonly QueryLakeFixture _lake;
    private readonly AthenaStandIn _athena;
    private readonly List<CoreHost> _hosts = [];

    public AthenaQueryEngineTests(QueryLakeFixture lake)
    {
        _lake = lake;
        _athena = new AthenaStandIn(lake.LocalEngine);
    }

    public void Dispose()
    {
        _hosts.ForEach(h => h.Dispose());
        _athena.Dispose();
    }

    private IQueryEngine Engine(Dictionary<string, string?>? settings = null)
    {
        var host = AthenaTestHost.Create(_athena, settings);
        _hosts.Add(host);
        return host.Get<IQueryEngine>();
    }

    [Fact]
    public async Task TheAwsBackend_RegistersAthena_AndAQuerySaysWhereItRan()
    {
        var engine = Engine();

        var result = await engine.RunAsync("SELECT count(*) AS n FROM ecom.customer_data");

        Assert.IsType<AthenaQueryEngine>(engine);
        Assert.Equal("Amazon Athena (workgroup ecomops)", engine.Name);
        Assert.Equal(200L, Assert.Single(Assert.Single(result.Rows)));
        Assert.Equal("SELECT count(*) AS n FROM ecom.customer_data", result.EngineSql);
    }

    [Fact]
    public async Task ThroughTheQueryService_AthenaRuns_AreInTheHistory_WithTheEngineBytesAndAthenasErrors()
    {
        var host = AthenaTestHost.Create(_athena);
        _hosts.Add(host);
        var queries = host.Get<IQueryService>();
        _athena.Before = (request, _) => request.Body.Contains("denied_here", StringComparison.Ordinal)
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "not authorized", "req-denied-9")
            : null;

        var result = await queries.RunAsync(new QueryRunRequest("SELECT count(*) AS n FROM ecom.transactions_data", QuerySource.Cli));
        await Assert.ThrowsAsync<QueryFailedException>(() => queries.RunAsync(new QueryRunRequest("SELECT 'denied_here' AS s")));
        await Assert.ThrowsAsync<QueryRefusedException>(() => queries.RunAsync(new QueryRunRequest("DROP TABLE transactions_data")));

        Assert.Equal("Amazon Athena (workgroup ecomops)", queries.EngineName);
        var history = await queries.HistoryAsync();
        Assert.Equal(["Refused", "Failed", "Succeeded"], history.Select(h => h.Status));
        Assert.All(history, h => Assert.Equal("Amazon Athena (workgroup ecomops)", h.Engine));
        Assert.Contains("req-denied-9", history[1].Error, StringComparison.Ordinal);
        Assert.Equal(result.BytesScanned, history[2].BytesScanned);
        Assert.Equal(2, _athena.Bodies("StartQueryExecution").Count);
    }

    [Fact]
    public async Task EveryRequest_ConformsToTheModel_AndStartNamesTheWorkgroupDatabaseCatalogAndResults()
    {
        var engine = Engine();

        await engine.RunAsync("SELECT country, count(*) AS n FROM ecom.customer_data GROUP BY country");
        await engine.StreamAsync("SELECT transactionid FROM ecom.transactions_data", new QueryCsvWriter(TextWriter.Null));
        await Assert.ThrowsAsync<QueryFailedException>(() => engine.RunAsync("SELECT * FROM ecom.orders"));
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.RunAsync(LongQuery, cancellationToken: cancel.Token));
        }

        Assert.Empty(_athena.Problems);
        Assert.Equal(["GetQueryExecution", "GetQueryResults", "StartQueryExecution", "StopQueryExecution"], _athena.Operations.Distinct().Order(StringComparer.Ordinal));
        var start = _athena.Bodies("StartQueryExecution")[0];
        Assert.Equal("ecomops", start.GetProperty("WorkGroup").GetString());
        Assert.Equal("s3://ecomops-lake/athena-results/", start.GetProperty("ResultConfiguration").GetProperty("OutputLocation").GetString());
        Assert.Equal("ecom", start.GetProperty("QueryExecutionContext").GetProperty("Database").GetString());
        Assert.Equal("AwsDataCatalog", start.GetProperty("QueryExecutionContext").GetProperty("Catalog").GetString());
        Assert.Equal(4, _athena.Bodies("StartQueryExecution").Select(b => b.GetProperty("ClientRequestToken").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task TheSettings_ChooseTheOutputLocationDatabaseAndCatalog()
    {
        var engine = Engine(new()
        {
            ["EcomOps:Aws:Athena:OutputLocation"] = "s3://results-bucket/ecomops/",
            ["EcomOps:Aws:Athena:Catalog"] = "lakehouse",
            ["EcomOps:Aws:Glue:Database"] = "sales",
        });

        await engine.RunAsync("SELECT 1 AS one");

        var start = Assert.Single(_athena.Bodies("StartQueryExecution"));
        Assert.Equal("s3://results-bucket/ecomops/", start.GetProperty("ResultConfiguration").GetProperty("OutputLocation").GetString());
        Assert.Equal("sales", start.GetProperty("QueryExecutionContext").GetProperty("Database").GetString());
        Assert.Equal("lakehouse", start.GetProperty("QueryExecutionContext").GetProperty("Catalog").GetString());
    }

    [Fact]
    public async Task AWholeResult_IsReadOverSeveralPages_FollowingNextToken_InOrder()
    {
        var rows = new List<object?[]>();

        var summary = await Engine().StreamAsync("SELECT transactionid FROM ecom.transactions_data ORDER BY transactionid", new Collect(rows));

        Assert.Equal(QueryLakeFixture.Transactions, summary.Rows);
        var pages = _athena.Bodies("GetQueryResults");
        // 3,000 rows and the header row, 1,000 a page.
        Assert.Equal(4, pages.Count);
        Assert.All(pages, p => Assert.Equal(1000, p.GetProperty("MaxResults").GetInt32()));
        Assert.False(pages[0].TryGetProperty("NextToken", out _));
        Assert.All(pages.Skip(1), p => Assert.StartsWith("page-", p.GetProperty("NextToken").GetString()));
        var ids = rows.Select(r => (long)r[0]!).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task ACappedResult_AsksForOnePageOfTheCapAndOneMore_AndNoFurther()
    {
        var result = await Engine().RunAsync("SELECT transactionid FROM ecom.transactions_data ORDER BY transactionid", maxRows: 10);

        Assert.Equal(10, result.Rows.Count);
        Assert.True(result.Truncated);
        var page = Assert.Single(_athena.Bodies("GetQueryResults"));
        Assert.Equal(12, page.GetProperty("MaxResults").GetInt32());
    }

    [Fact]
    public async Task BytesScanned_AreAthenasDataScannedInBytes_AndTheCostFollows_AndTheDurationIsAthenasTotalTime()
    {
        var result = await Engine().RunAsync("SELECT sum(amount) AS revenue FROM ecom.transactions_data WHERE year = '2024'");

        var id = Assert.Single(_athena.Started);
        Assert.NotNull(_athena.BytesScanned(id));
        Assert.Equal(_athena.BytesScanned(id), result.BytesScanned);
        Assert.InRange(result.BytesScanned!.Value, 1, long.MaxValue);
        Assert.Equal(AthenaPricing.CostUsd(AthenaPricing.BilledBytes(result.BytesScanned.Value)), result.CostUsd);
        Assert.Equal(TimeSpan.FromMilliseconds(_athena.TotalMillis(id)), result.Duration);
    }

    [Fact]
    public async Task TheQuery_IsPolledThroughQueuedAndRunning_UntilSucceeded()
    {
        await Engine().RunAsync("SELECT count(*) AS n FROM ecom.transactions_data");

        var id = Assert.Single(_athena.Started);
        var states = _athena.StatesAnswered(id);
        Assert.Equal(["QUEUED", "RUNNING"], states.Take(2));
        Assert.Equal("SUCCEEDED", states[^1]);
        Assert.All(states.Skip(1).SkipLast(1), s => Assert.Equal("RUNNING", s));
        // Results are asked for only once Athena said SUCCEEDED.
        var operations = _athena.Operations;
        Assert.Equal("GetQueryResults", operations[^1]);
        Assert.Equal(states.Count, operations.Count(o => o == "GetQueryExecution"));
    }

    [Fact]
    public async Task AThrottledStart_IsRetriedByTheClient_WithTheSameToken_AndStartsOneQuery()
    {
        _athena.Before = (request, number) => number == 0
            ? LoopbackAnswer.Error(400, "ThrottlingException", "Rate exceeded", "req-throttled")
            : null;

        var result = await Engine().RunAsync("SELECT 42 AS answer");

        Assert.Equal(42, Assert.Single(Assert.Single(result.Rows)));
        var starts = _athena.Bodies("StartQueryExecution");
        Assert.Equal(2, starts.Count);
        Assert.Equal(starts[0].GetProperty("ClientRequestToken").GetString(), starts[1].GetProperty("ClientRequestToken").GetString());
        Assert.Single(_athena.Started);
    }

    [Fact]
    public async Task AccessDenied_FailsTheQuery_WithTheCodeTheRequestIdAndThePolicyToAttach_WithoutRetrying()
    {
        _athena.Before = (request, _) => request.Header("X-Amz-Target") == "AmazonAthena.StartQueryExecution"
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "User is not authorized to perform: athena:StartQueryExecution", "req-denied-7")
            : null;

        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine().RunAsync("SELECT 1 AS one"));

        Assert.Contains("AccessDeniedException", error.Message, StringComparison.Ordinal);
        Assert.Contains("req-denied-7", error.Message, StringComparison.Ordinal);
        Assert.Contains("athena:StartQueryExecution on workgroup 'ecomops'", error.Message, StringComparison.Ordinal);
        Assert.Contains("iam/ecomops-dashboard.json", error.Message, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", Assert.IsType<AwsServiceException>(error.InnerException).ErrorCode);
        Assert.Single(_athena.Bodies("StartQueryExecution"));
    }

    [Fact]
    public async Task AFailedQuery_SaysAthenasReason_WithItsPositionCategoryAndTheQueryId()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine().RunAsync("SELECT *\nFROM   ecom.orders"));

        var id = Assert.Single(_athena.Started);
        Assert.Contains($"Athena query {id} failed: TABLE_NOT_FOUND: line 2:8: Table 'awsdatacatalog.ecom.orders' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("error category 2 USER", error.Message, StringComparison.Ordinal);
        Assert.Contains("EcomOps:Aws:Glue:Database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueryAthenaCancelsForScanningTooMuch_SaysTheWorkgroupsLimit()
    {
        _athena.Before = (request, _) => request.Header("X-Amz-Target") == "AmazonAthena.GetQueryExecution"
            ? LoopbackAnswer.Json("""{"QueryExecution":{"QueryExecutionId":"q-big","Status":{"State":"CANCELLED","StateChangeReason":"Query cancelled: Bytes scanned limit was exceeded"}}}""")
            : null;

        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine().RunAsync("SELECT * FROM ecom.transactions_data"));

        Assert.Contains("Bytes scanned limit was exceeded", error.Message, StringComparison.Ordinal);
        Assert.Contains("BytesScannedCutoffPerQuery", error.Message, StringComparison.Ordinal);
        Assert.Empty(_athena.Bodies("StopQueryExecution"));
    }

    [Fact]
    public async Task AQueryLongerThanTheTimeLimit_IsStoppedOnAthena_WithAMessageNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<QueryFailedException>(() => Engine(new() { ["EcomOps:Query:TimeoutSeconds"] = "1" }).RunAsync(LongQuery));

        var id = Assert.Single(_athena.Started);
        Assert.Contains("EcomOps:Query:TimeoutSeconds", error.Message, StringComparison.Ordinal);
        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.Equal([id], _athena.Stopped);
        await Eventually.UntilAsync(() => Task.FromResult(_athena.HasEnded(id)));
    }

    [Fact]
    public async Task ACancelWhileTheStartIsUnanswered_FindsTheQueryByItsToken_AndStopsIt()
    {
        var held = new TaskCompletionSource();
        _athena.Before = (request, number) =>
        {
            if (number == 0)
            {
                held.TrySetResult();
                return new LoopbackAnswer(200, "", Hold: true);
            }

            return null;
        };
        using var cancel = new CancellationTokenSource();
        var running = Engine().RunAsync(LongQuery, cancellationToken: cancel.Token);

        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        var starts = _athena.Bodies("StartQueryExecution");
        Assert.Equal(2, starts.Count);
        Assert.Equal(starts[0].GetProperty("ClientRequestToken").GetString(), starts[1].GetProperty("ClientRequestToken").GetString());
        var id = Assert.Single(_athena.Started);
        Assert.Equal([id], _athena.Stopped);
        await Eventually.UntilAsync(() => Task.FromResult(_athena.HasEnded(id)));
    }

    [Fact]
    public async Task TheWorkgroupCheck_ReadsStateEnforcedLocationAndScanLimit_AndNamesAMissingWorkgroup()
    {
        var host = AthenaTestHost.Create(_athena);
        _hosts.Add(host);

        var info = await host.Get<IAthenaWorkgroupCheck>().GetAsync();

        Assert.Equal(new AthenaWorkgroupInfo("ecomops", "ENABLED", true, "s3://ecomops-lake/athena-results/", 10_737_418_240L, "Athena engine version 3"), info);
        var other = AthenaTestHost.Create(_athena, new() { ["EcomOps:Aws:Athena:Workgroup"] = "missing" });
        _hosts.Add(other);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => other.Get<IAthenaWorkgroupCheck>().GetAsync());
        Assert.Equal("InvalidRequestException", error.ErrorCode);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Empty(_athena.Problems);
    }

    [Theory]
    [InlineData("2024-05-06 07:08:09.123456", "timestamp", "2024-05-06T07:08:09.1234560")]
    [InlineData("2024-05-06 07:08:09.123456789", "timestamp", "2024-05-06T07:08:09.1234567")]
    [InlineData("2024-05-06 07:08:09", "timestamp", "2024-05-06T07:08:09.0000000")]
    [InlineData("2024-05-06 07:08:09.000 UTC", "timestamp with time zone", "2024-05-06T07:08:09.0000000Z")]
    [InlineData("2024-05-06 09:08:09.000 Europe/Berlin", "timestamp with time zone", "2024-05-06T07:08:09.0000000Z")]
    [InlineData("2024-05-06 09:08:09.000 +02:00", "timestamp with time zone", "2024-05-06T07:08:09.0000000Z")]
    public void TimestampsAsAthenaWritesThem_ReadAsDateTimes(string text, string type, string expected)
    {
        var value = Assert.IsType<DateTime>(AthenaResultValues.Parse(text, type));

        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void OtherCellsAsAthenaWritesThem_ReadAsTheLocalEnginesValues()
    {
        Assert.Equal(double.NaN, AthenaResultValues.Parse("NaN", "double"));
        Assert.Equal(1e20, AthenaResultValues.Parse("1.0E20", "double"));
        Assert.Equal(System.Numerics.BigInteger.Parse("12345678901234567890123456789012345678", System.Globalization.CultureInfo.InvariantCulture), AthenaResultValues.Parse("12345678901234567890123456789012345678", "decimal(38,0)"));
        Assert.Equal(-0.5m, AthenaResultValues.Parse("-0.50", "decimal(10,2)"));
        Assert.Equal(new byte[] { 0x68, 0x69 }, AthenaResultValues.Parse("68 69", "varbinary"));
        Assert.Equal(new TimeOnly(3, 4, 5, 600), AthenaResultValues.Parse("03:04:05.600", "time"));
        Assert.Equal(new TimeSpan(1, 2, 3, 4), AthenaResultValues.Parse("1 02:03:04.000", "interval day to second"));
        Assert.Equal("[1, 2]", AthenaResultValues.Parse("[1, 2]", "array"));
        Assert.Null(AthenaResultValues.Parse(null, "bigint"));
        Assert.Equal("decimal(10,2)", AthenaResultValues.TypeName(new("amount", "decimal", Precision: 10, Scale: 2)));
        Assert.Equal("timestamp with time zone", AthenaResultValues.TypeName(new("at", "timestamp(3) with time zone")));
        Assert.Equal("varchar", AthenaResultValues.TypeName(new("s", "string")));
    }

    private sealed class Collect(List<object?[]> rows) : IQueryRowWriter
    {
        public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
        {
            rows.Add(row);
            return ValueTask.FromResult(true);
        }
    }
}
