using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws;

/// <summary>The AWS JSON 1.1 client as registered, against a loopback HTTP server on 127.0.0.1 standing in for each endpoint.</summary>
public sealed class AwsJsonClientTests
{
    private const string GetCrawlerAnswer = """{"Crawler":{"Name":"lake","State":"READY","CreationTime":1700000000.5}}""";

    public static TheoryData<string> Services() => ["glue", "athena", "redshift-data"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Request_IsSignedForTheServiceAndRegion_WithJson11Headers_AndVerifies(string service)
    {
        using var endpoint = new AwsLoopback((request, _) => LoopbackAnswer.Json(service switch
        {
            "glue" => GetCrawlerAnswer,
            "athena" => """{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"RUNNING"}}}""",
            _ => """{"Id":"s-1","Status":"STARTED"}""",
        }));
        await using var services = AwsTestHost.Create(endpoint);
        var expectedTarget = service switch
        {
            "glue" => "AWSGlue.GetCrawler",
            "athena" => "AmazonAthena.GetQueryExecution",
            _ => "RedshiftData.DescribeStatement",
        };

        switch (service)
        {
            case "glue":
                Assert.Equal("READY", (await services.GetRequiredService<GlueClient>().GetCrawlerAsync(new("lake"))).Crawler!.State);
                break;
            case "athena":
                Assert.Equal("RUNNING", (await services.GetRequiredService<AthenaClient>().GetQueryExecutionAsync(new("q-1"))).QueryExecution!.Status!.State);
                break;
            default:
                Assert.Equal("STARTED", (await services.GetRequiredService<RedshiftDataClient>().DescribeStatementAsync(new("s-1"))).Status);
                break;
        }

        var sent = Assert.Single(endpoint.Requests);
        Assert.Equal(expectedTarget, sent.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", sent.Header("Content-Type"));
        var date = sent.Header("X-Amz-Date")!;
        Assert.Matches(@"^\d{8}T\d{6}Z$", date);
        Assert.Equal(AwsTestHost.SessionToken, sent.Header("X-Amz-Security-Token"));
        var authorization = Regex.Match(sent.Header("Authorization")!,
            @"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$");
        Assert.True(authorization.Success, sent.Header("Authorization"));
        Assert.Equal(AwsTestHost.AccessKey, authorization.Groups["key"].Value);
        Assert.Equal(date[..8], authorization.Groups["date"].Value);
        Assert.Equal("eu-west-1", authorization.Groups["region"].Value);
        Assert.Equal(service, authorization.Groups["service"].Value);
        var signed = authorization.Groups["signed"].Value.Split(';');
        Assert.Subset(signed.ToHashSet(), new HashSet<string> { "content-type", "host", "x-amz-date", "x-amz-target", "x-amz-content-sha256", "x-amz-security-token" });

        // What arrived is what was signed: re-signing the received request at the same instant gives the same signature.
        Assert.Equal(authorization.Groups["signature"].Value, await SignatureOf(sent, endpoint.Url, signed, service, date));
    }

    [Fact]
    public async Task ServerError500_IsRetried_AndEachAttemptIsSignedOnce()
    {
        using var endpoint = new AwsLoopback((_, n) => n == 0 ? LoopbackAnswer.Error(500, "InternalServiceException", "try again", "req-500") : LoopbackAnswer.Json(GetCrawlerAnswer));
        await using var services = AwsTestHost.Create(endpoint);

        var answer = await services.GetRequiredService<GlueClient>().GetCrawlerAsync(new("lake"));

        Assert.Equal("lake", answer.Crawler!.Name);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.All(endpoint.Requests, r => Assert.Single(Regex.Matches(r.Header("Authorization")!, "AWS4-HMAC-SHA256")));
        Assert.All(endpoint.Requests, r => Assert.Equal("""{"Name":"lake"}""", r.Body));
    }

    [Fact]
    public async Task StartQueryExecution_RetriedAfterA500_SendsTheSameIdempotencyToken()
    {
        using var endpoint = new AwsLoopback((_, n) => n == 0 ? LoopbackAnswer.Error(500, "InternalServerException", "oops", "req-1") : LoopbackAnswer.Json("""{"QueryExecutionId":"q-9"}"""));
        await using var services = AwsTestHost.Create(endpoint);

        var answer = await services.GetRequiredService<AthenaClient>().StartQueryExecutionAsync(new() { QueryString = "SELECT 1", WorkGroup = "primary" });

        Assert.Equal("q-9", answer.QueryExecutionId);
        var tokens = endpoint.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("ClientRequestToken").GetString()).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.Equal(32, tokens[0]!.Length);
    }

    [Fact]
    public async Task ThrottlingException_IsRetried_ThenSucceeds()
    {
        using var endpoint = new AwsLoopback((_, n) => n < 2 ? LoopbackAnswer.Error(400, "ThrottlingException", "Rate exceeded", $"req-throttled-{n}") : LoopbackAnswer.Json("""{"JobRunId":"jr_1"}"""));
        await using var services = AwsTestHost.Create(endpoint);

        var answer = await services.GetRequiredService<GlueClient>().StartJobRunAsync(new() { JobName = "csv-to-parquet" });

        Assert.Equal("jr_1", answer.JobRunId);
        Assert.Equal(3, endpoint.Requests.Count);
    }

    [Fact]
    public async Task AccessDenied_IsNotRetried_AndTheErrorNamesOperationCodeAndRequestId()
    {
        using var endpoint = new AwsLoopback((_, _) => LoopbackAnswer.Error(400, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: glue:StartJobRun", "req-denied-42"));
        await using var services = AwsTestHost.Create(endpoint);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<GlueClient>().StartJobRunAsync(new() { JobName = "csv-to-parquet" }));

        Assert.Single(endpoint.Requests);
        Assert.Equal("glue", error.Service);
        Assert.Equal("StartJobRun", error.Operation);
        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Equal("req-denied-42", error.RequestId);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.IsRetryable);
        Assert.False(error.IsThrottling);
        Assert.Contains("glue:StartJobRun failed with AccessDeniedException (HTTP 400, request id req-denied-42): User: arn:aws:iam::123456789012:user/ops is not authorized", error.Message);
    }

    [Fact]
    public async Task PersistentServerError_StopsAtTheRetryCap_WithARetryableError()
    {
        using var endpoint = new AwsLoopback((_, n) => LoopbackAnswer.Error(503, "ServiceUnavailableException", "unavailable", $"req-{n}"));
        await using var services = AwsTestHost.Create(endpoint, settings: new Dictionary<string, string?> { ["EcomOps:Aws:MaxRetryAttempts"] = "2" });

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<AthenaClient>().GetQueryExecutionAsync(new("q-1")));

        Assert.Equal(3, endpoint.Requests.Count);
        Assert.True(error.IsRetryable);
        Assert.Equal("athena", error.Service);
        Assert.Equal("req-2", error.RequestId);
    }

    [Theory]
    [InlineData("com.amazonaws.glue#EntityNotFoundException", "EntityNotFoundException")]
    [InlineData("EntityNotFoundException:http://internal.amazon.com/coral/com.amazonaws.glue/", "EntityNotFoundException")]
    public async Task ErrorTypeWithNamespace_BecomesTheBareCode(string type, string code)
    {
        using var endpoint = new AwsLoopback((_, _) => LoopbackAnswer.Error(400, type, "Entity Not Found", "req-nf"));
        await using var services = AwsTestHost.Create(endpoint);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<GlueClient>().GetTableAsync(new("lake", "missing")));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("Entity Not Found", error.ServiceMessage);
    }

    [Fact]
    public async Task NonJsonErrorFromAProxy_StillGivesStatusAndText()
    {
        using var endpoint = new AwsLoopback((_, _) => new LoopbackAnswer(403, "<html>Forbidden by proxy</html>"));
        await using var services = AwsTestHost.Create(endpoint);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<RedshiftDataClient>().CancelStatementAsync(new("s-1")));

        Assert.Equal("Forbidden", error.ErrorCode);
        Assert.Contains("Forbidden by proxy", error.Message);
    }

    [Fact]
    public async Task GetQueryResultsPages_FollowNextTokenToTheLastPage()
    {
        using var endpoint = new AwsLoopback((request, _) =>
        {
            var token = JsonDocument.Parse(request.Body).RootElement.TryGetProperty("NextToken", out var t) ? t.GetString() : null;
            var next = token switch { null => "\"t1\"", "t1" => "\"t2\"", _ => "null" };
            return LoopbackAnswer.Json($$"""{"ResultSet":{"Rows":[{"Data":[{"VarCharValue":"{{token ?? "first"}}"}]}]},"NextToken":{{next}}}""");
        });
        await using var services = AwsTestHost.Create(endpoint);
        var values = new List<string?>();

        await foreach (var page in services.GetRequiredService<AthenaClient>().GetQueryResultsPagesAsync(new("q-1", MaxResults: 1000)))
        {
            values.AddRange(page.ResultSet!.Rows!.Select(r => r.Data![0].VarCharValue));
        }

        Assert.Equal(["first", "t1", "t2"], values);
        Assert.Equal(3, endpoint.Requests.Count);
        Assert.All(endpoint.Requests, r => Assert.Contains("\"MaxResults\":1000", r.Body));
    }

    [Fact]
    public async Task StatementResultPages_StopWhenCancelledBetweenPages()
    {
        using var endpoint = new AwsLoopback((_, n) => LoopbackAnswer.Json($$"""{"Records":[[{"longValue":{{n}}}]],"NextToken":"page-{{n + 1}}"}"""));
        await using var services = AwsTestHost.Create(endpoint);
        using var cancel = new CancellationTokenSource();
        var seen = new List<long?>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in services.GetRequiredService<RedshiftDataClient>().GetStatementResultPagesAsync(new("s-1"), cancel.Token))
            {
                seen.Add(page.Records[0][0].LongValue);
                await cancel.CancelAsync();
            }
        });

        Assert.Equal([0L], seen);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task Paging_ATokenAnsweredTwice_StopsInsteadOfLoopingForever()
    {
        using var endpoint = new AwsLoopback((_, _) => LoopbackAnswer.Json("""{"TableList":[],"NextToken":"same"}"""));
        await using var services = AwsTestHost.Create(endpoint);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in services.GetRequiredService<GlueClient>().GetTablesPagesAsync(new("lake")))
            {
            }
        });

        Assert.Contains("'same'", error.Message);
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_MidRequest_EndsTheCall_WithoutARetry()
    {
        using var endpoint = new AwsLoopback((_, _) => new LoopbackAnswer(200, "{}", Hold: true));
        await using var services = AwsTestHost.Create(endpoint);
        using var cancel = new CancellationTokenSource();

        var call = services.GetRequiredService<AthenaClient>().StopQueryExecutionAsync(new("q-1"), cancel.Token);
        await endpoint.NextArrivalAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_GivesATimeoutExceptionNamingTheSettings()
    {
        using var endpoint = new AwsLoopback((_, _) => new LoopbackAnswer(200, "{}", Hold: true));
        await using var services = AwsTestHost.Create(endpoint, settings: new Dictionary<string, string?>
        {
            ["EcomOps:Aws:AttemptTimeoutSeconds"] = "1",
            ["EcomOps:Aws:TotalTimeoutSeconds"] = "1",
            ["EcomOps:Aws:MaxRetryAttempts"] = "0",
        });

        var error = await Assert.ThrowsAsync<TimeoutException>(() => services.GetRequiredService<GlueClient>().StartCrawlerAsync(new("lake")));

        Assert.Contains("glue:StartCrawler", error.Message);
        Assert.Contains("EcomOps:Aws:TotalTimeoutSeconds", error.Message);
    }

    [Fact]
    public async Task Logs_NameOperationsAndRequestIds_ButNoCredentialsOrSignatures()
    {
        var logs = new LogCollector();
        using var endpoint = new AwsLoopback((request, n) => n switch
        {
            0 => LoopbackAnswer.Error(500, "InternalServiceException", "retry me", "req-first"),
            1 => LoopbackAnswer.Json("""{"Id":"s-1"}""", "req-ok-7"),
            _ => LoopbackAnswer.Error(400, "AccessDeniedException", "denied", "req-denied-9"),
        });
        await using var services = AwsTestHost.Create(endpoint, logs);
        var redshift = services.GetRequiredService<RedshiftDataClient>();

        await redshift.BatchExecuteStatementAsync(new() { Sqls = ["DELETE FROM sales", "COPY sales FROM 's3://lake/sales/' IAM_ROLE default FORMAT PARQUET"], WorkgroupName = "ecomops" });
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => redshift.ExecuteStatementAsync(new() { Sql = "SELECT 1", WorkgroupName = "ecomops" }));

        var logged = string.Join('\n', logs.Entries.Select(e => $"{e.Message} {e.Exception}")) + "\n" + error;
        Assert.Contains("redshift-data:BatchExecuteStatement", logged);
        Assert.Contains("req-ok-7", logged);
        Assert.Contains("req-denied-9", logged);
        var secrets = new List<string> { AwsTestHost.SecretKey, AwsTestHost.SessionToken };
        secrets.AddRange(endpoint.Requests.Select(r => Regex.Match(r.Header("Authorization")!, "Signature=([0-9a-f]{64})").Groups[1].Value));
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, logged));
    }

    /// <summary>The SigV4 signature of the request as received, computed independently of the client with the SDK signer.</summary>
    private static async Task<string> SignatureOf(ReceivedRequest sent, string url, string[] signedHeaders, string service, string date)
    {
        var request = new AWSSigningRequest { HttpMethod = new HttpMethod(sent.Method), RequestUri = new Uri(url), Content = Encoding.UTF8.GetBytes(sent.Body) };
        foreach (var name in signedHeaders.Where(h => h is not ("host" or "x-amz-date" or "x-amz-content-sha256" or "x-amz-security-token")))
        {
            request.Headers[name] = sent.Header(name)!;
        }

        var result = await AWSSigV4Signer.SignAsync(request, new AWSSigV4Parameters
        {
            Credentials = new SessionAWSCredentials(AwsTestHost.AccessKey, AwsTestHost.SecretKey, AwsTestHost.SessionToken),
            Region = RegionEndpoint.EUWest1,
            Service = service,
            SignedAt = DateTime.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        });
        return Regex.Match(result.Headers.Single(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value, "Signature=([0-9a-f]{64})").Groups[1].Value;
    }
}
