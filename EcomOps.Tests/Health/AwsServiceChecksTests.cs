using EcomOps.Core.Health;
using EcomOps.Tests.Aws;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcomOps.Tests.Health;

/// <summary>
/// The Aws backend's service checks (the Settings page's Check buttons and /readyz), against s3rver for the lake and
/// a loopback endpoint standing in for STS, Glue and the Redshift Data API.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class AwsServiceChecksTests(S3rverFixture s3rver) : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private int _describes;

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task EveryServiceIsListed_AndReadyzPollsTheFreeReads_NotStsNorRedshift()
    {
        var (host, aws) = Start(Healthy);

        var checks = host.Get<IBackendChecks>().Checks;
        var report = await ReadinessChecksTests.ReadyAsync(host);

        Assert.Equal(["ops-database", "aws-identity", "lake", "glue-job", "glue-crawler", "glue-catalog", "athena", "redshift"], checks.Select(c => c.Name).ToArray());
        Assert.Equal(["athena", "glue-catalog", "glue-crawler", "glue-job", "lake", "ops-database"], report.Entries.Keys.Order().ToArray());
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Contains("The Glue job ecomops-csv-to-parquet answers; its last run jr_1 is SUCCEEDED", report.Entries["glue-job"].Description, StringComparison.Ordinal);
        Assert.Contains("The Glue crawler ecomops-parquet answers (ready, into database ecom); its last crawl succeeded", report.Entries["glue-crawler"].Description, StringComparison.Ordinal);
        Assert.Equal("The Glue database ecom answers (its first table is transactions_data).", report.Entries["glue-catalog"].Description);
        Assert.Equal("The Athena workgroup ecomops answers: enabled, queries stop after 10.74 GB scanned, results in s3://ecomops-lake/athena-results/ (enforced), Athena engine version 3.", report.Entries["athena"].Description);
        Assert.DoesNotContain(aws.Requests, r => r.Header("X-Amz-Target")?.StartsWith("RedshiftData", StringComparison.Ordinal) == true || r.Body.Contains("GetCallerIdentity", StringComparison.Ordinal));
        Assert.Contains("glue.GetJobRuns", aws.Requests.Select(r => r.Header("X-Amz-Target") ?? "").Select(t => t.Replace("AWSGlue", "glue", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Identity_NamesTheCaller()
    {
        var (host, _) = Start(Healthy);

        var result = await host.Get<IBackendChecks>().RunAsync("aws-identity");

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("Signed in as arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc (account 123456789012) in eu-west-1.", result.Description);
    }

    [Fact]
    public async Task GlueRefusal_ShowsAwsCodeAndRequestId_AndWhichPolicyToAttach()
    {
        var (host, _) = Start((request, number) => Target(request) == "AWSGlue.GetJobRuns"
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc is not authorized to perform: glue:GetJobRuns", "req-denied-7")
            : Healthy(request, number));

        var result = await host.Get<IBackendChecks>().RunAsync("glue-job");

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("AccessDeniedException", result.Description, StringComparison.Ordinal);
        Assert.Contains("req-denied-7", result.Description, StringComparison.Ordinal);
        Assert.Contains("not authorized to perform: glue:GetJobRuns", result.Description, StringComparison.Ordinal);
        Assert.Contains("iam/ecomops-dashboard.json", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingCrawler_SaysWhichSettingNamesIt()
    {
        var (host, _) = Start((request, number) => Target(request) == "AWSGlue.GetCrawler"
            ? LoopbackAnswer.Error(400, "EntityNotFoundException", "Crawler with name ecomops-parquet does not exist", "req-nf-1")
            : Healthy(request, number));

        var result = await host.Get<IBackendChecks>().RunAsync("glue-crawler");

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("Glue crawler ecomops-parquet was not found in eu-west-1:", result.Description, StringComparison.Ordinal);
        Assert.Contains("EcomOps:Aws:Glue:CrawlerName", result.Description, StringComparison.Ordinal);
        Assert.Contains("infra/ecomops.yaml", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADisabledAthenaWorkgroup_IsUnhealthy_SayingNothingCanRunThere()
    {
        var (host, _) = Start((request, number) => Target(request) == "AmazonAthena.GetWorkGroup"
            ? LoopbackAnswer.Json("""{"WorkGroup":{"Name":"ecomops","State":"DISABLED","Configuration":{}}}""")
            : Healthy(request, number));

        var result = await host.Get<IBackendChecks>().RunAsync("athena");

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The Athena workgroup ecomops answers: disabled, no scan limit per query, no result location of its own. Enable it in the Athena console, or set EcomOps:Aws:Athena:Workgroup to an enabled one.", result.Description);
    }

    [Fact]
    public async Task Redshift_RunsOneReadQuery_OnTheServerlessWorkgroup_AndSaysWhoItConnectedAs()
    {
        var (host, aws) = Start(Healthy);

        var result = await host.Get<IBackendChecks>().RunAsync("redshift");

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("Redshift Serverless workgroup ecomops answers: connected as IAMR:ecomops to dev (Redshift 1.0.77467).", result.Description);
        var execute = Assert.Single(aws.Requests, r => Target(r) == "RedshiftData.ExecuteStatement");
        Assert.Contains("\"WorkgroupName\":\"ecomops\"", execute.Body, StringComparison.Ordinal);
        Assert.Contains("\"Database\":\"dev\"", execute.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("ClusterIdentifier", execute.Body, StringComparison.Ordinal);
        Assert.Equal(2, aws.Requests.Count(r => Target(r) == "RedshiftData.DescribeStatement"));
    }

    [Fact]
    public async Task Redshift_AFailedStatement_ShowsRedshiftsError()
    {
        var (host, _) = Start((request, number) => Target(request) == "RedshiftData.DescribeStatement"
            ? LoopbackAnswer.Json("""{"Id":"st-1","Status":"FAILED","Error":"FATAL: password authentication failed for user \"IAMR:ecomops\""}""")
            : Healthy(request, number));

        var result = await host.Get<IBackendChecks>().RunAsync("redshift");

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("Redshift Serverless workgroup ecomops refused the check query (FAILED): FATAL: password authentication failed for user \"IAMR:ecomops\" (statement st-1).", result.Description);
    }

    [Fact]
    public async Task AnUnknownCheck_IsRefused_ListingTheKnownOnes()
    {
        var (host, _) = Start(Healthy);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<IBackendChecks>().RunAsync("athena-typo"));

        Assert.Contains("glue-job", error.Message, StringComparison.Ordinal);
    }

    private static string? Target(ReceivedRequest request) => request.Header("X-Amz-Target");

    /// <summary>What each service answers when all is well; DescribeStatement says STARTED once, then FINISHED.</summary>
    private LoopbackAnswer Healthy(ReceivedRequest request, int number)
    {
        if (StsAnswers.IsCallerIdentity(request))
        {
            return StsAnswers.CallerIdentity("arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc", "AROAEXAMPLE:i-0abc");
        }

        return Target(request) switch
        {
            "AWSGlue.GetJobRuns" => LoopbackAnswer.Json("""{"JobRuns":[{"Id":"jr_1","JobName":"ecomops-csv-to-parquet","JobRunState":"SUCCEEDED","StartedOn":1764590400.0}]}"""),
            "AWSGlue.GetCrawler" => LoopbackAnswer.Json("""{"Crawler":{"Name":"ecomops-parquet","State":"READY","DatabaseName":"ecom","LastCrawl":{"Status":"SUCCEEDED","StartTime":1764590400.0}}}"""),
            "AWSGlue.GetTables" => LoopbackAnswer.Json("""{"TableList":[{"Name":"transactions_data","DatabaseName":"ecom"}]}"""),
            "AmazonAthena.GetWorkGroup" => LoopbackAnswer.Json("""{"WorkGroup":{"Name":"ecomops","State":"ENABLED","Configuration":{"ResultConfiguration":{"OutputLocation":"s3://ecomops-lake/athena-results/"},"EnforceWorkGroupConfiguration":true,"BytesScannedCutoffPerQuery":10737418240,"EngineVersion":{"SelectedEngineVersion":"AUTO","EffectiveEngineVersion":"Athena engine version 3"}}}}"""),
            "RedshiftData.ExecuteStatement" => LoopbackAnswer.Json("""{"Id":"st-1","WorkgroupName":"ecomops","Database":"dev"}"""),
            "RedshiftData.DescribeStatement" => LoopbackAnswer.Json(Interlocked.Increment(ref _describes) == 1 ? """{"Id":"st-1","Status":"STARTED"}""" : """{"Id":"st-1","Status":"FINISHED","HasResultSet":true}"""),
            "RedshiftData.GetStatementResult" => LoopbackAnswer.Json("""{"Records":[[{"stringValue":"IAMR:ecomops"},{"stringValue":"dev"},{"stringValue":"PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467"}]],"ColumnMetadata":[{"name":"current_user"},{"name":"current_database"},{"name":"version"}],"TotalNumRows":1}"""),
            var other => LoopbackAnswer.Error(400, "UnknownOperationException", $"not stood in for: {other}", "req-unknown"),
        };
    }

    private (CoreHost Host, AwsLoopback Aws) Start(Func<ReceivedRequest, int, LoopbackAnswer> answer)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
        }

        var aws = new AwsLoopback(answer);
        _owned.Add(aws);
        var host = new CoreHost(configuration: new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = S3rverFixture.Bucket,
            ["EcomOps:S3:ServiceUrl"] = s3rver.ServiceUrl,
            ["EcomOps:S3:ForcePathStyle"] = "true",
            ["EcomOps:S3:DisableChunkedEncoding"] = "true",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Glue"] = aws.Url,
            ["EcomOps:Aws:Endpoints:Athena"] = aws.Url,
            ["EcomOps:Aws:Endpoints:RedshiftData"] = aws.Url,
            ["EcomOps:Aws:Endpoints:Sts"] = aws.Url,
            ["EcomOps:Aws:Redshift:PollMilliseconds"] = "50",
            ["EcomOps:Aws:MaxRetryAttempts"] = "0",
        });
        _owned.Add(host);
        return (host, aws);
    }
}
