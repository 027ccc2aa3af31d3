namespace EcomOps.Core.Aws;

/// <summary>An AWS service the JSON 1.1 client talks to, with the names its model gives it.</summary>
/// <param name="Name">Short name, as in IAM actions and the signing scope (<c>glue</c>).</param>
/// <param name="TargetPrefix">The model's <c>targetPrefix</c>, the first half of <c>X-Amz-Target</c>.</param>
/// <param name="EndpointPrefix">The model's <c>endpointPrefix</c>: <c>https://&lt;prefix&gt;.&lt;region&gt;.amazonaws.com/</c>.</param>
/// <param name="SettingsKey">The <c>EcomOps:Aws:Endpoints</c> key that overrides the endpoint.</param>
public sealed record AwsService(string Name, string TargetPrefix, string EndpointPrefix, string SettingsKey)
{
    /// <summary>AWS Glue.</summary>
    public static AwsService Glue { get; } = new("glue", "AWSGlue", "glue", "Glue");

    /// <summary>Amazon Athena.</summary>
    public static AwsService Athena { get; } = new("athena", "AmazonAthena", "athena", "Athena");

    /// <summary>The Amazon Redshift Data API (IAM prefix <c>redshift-data</c>).</summary>
    public static AwsService RedshiftData { get; } = new("redshift-data", "RedshiftData", "redshift-data", "RedshiftData");

    /// <summary>AWS STS (query protocol, called through AWSSDK.SecurityToken, not the JSON client).</summary>
    public static AwsService Sts { get; } = new("sts", "AWSSecurityTokenServiceV20110615", "sts", "Sts");
}

/// <summary>One operation of a service: what <c>X-Amz-Target</c> and the IAM action are built from.</summary>
public sealed record AwsOperation(AwsService Service, string Name)
{
    /// <summary>The IAM action, such as <c>glue:StartJobRun</c>.</summary>
    public string Action => $"{Service.Name}:{Name}";

    /// <summary>The <c>X-Amz-Target</c> header value, such as <c>AWSGlue.StartJobRun</c>.</summary>
    public string Target => $"{Service.TargetPrefix}.{Name}";

    /// <inheritdoc/>
    public override string ToString() => Action;
}

/// <summary>
/// Every AWS operation the code can call, so the IAM policy in <c>iam/</c> can be checked against it. The typed clients
/// take their operations from here; the S3 actions are the ones <see cref="Storage.S3ObjectStore"/>'s calls need.
/// </summary>
public static class AwsOperations
{
#pragma warning disable CS1591 // Each name is the operation's own, as in the service model.
    public static readonly AwsOperation GlueStartJobRun = new(AwsService.Glue, "StartJobRun");
    public static readonly AwsOperation GlueGetJobRun = new(AwsService.Glue, "GetJobRun");
    public static readonly AwsOperation GlueGetJobRuns = new(AwsService.Glue, "GetJobRuns");
    public static readonly AwsOperation GlueBatchStopJobRun = new(AwsService.Glue, "BatchStopJobRun");
    public static readonly AwsOperation GlueStartCrawler = new(AwsService.Glue, "StartCrawler");
    public static readonly AwsOperation GlueStopCrawler = new(AwsService.Glue, "StopCrawler");
    public static readonly AwsOperation GlueGetCrawler = new(AwsService.Glue, "GetCrawler");
    public static readonly AwsOperation GlueGetCrawlerMetrics = new(AwsService.Glue, "GetCrawlerMetrics");
    public static readonly AwsOperation GlueGetDatabases = new(AwsService.Glue, "GetDatabases");
    public static readonly AwsOperation GlueGetTables = new(AwsService.Glue, "GetTables");
    public static readonly AwsOperation GlueGetTable = new(AwsService.Glue, "GetTable");
    public static readonly AwsOperation GlueGetTableVersions = new(AwsService.Glue, "GetTableVersions");
    public static readonly AwsOperation GlueGetPartitions = new(AwsService.Glue, "GetPartitions");

    public static readonly AwsOperation AthenaStartQueryExecution = new(AwsService.Athena, "StartQueryExecution");
    public static readonly AwsOperation AthenaGetQueryExecution = new(AwsService.Athena, "GetQueryExecution");
    public static readonly AwsOperation AthenaGetQueryResults = new(AwsService.Athena, "GetQueryResults");
    public static readonly AwsOperation AthenaStopQueryExecution = new(AwsService.Athena, "StopQueryExecution");
    public static readonly AwsOperation AthenaGetWorkGroup = new(AwsService.Athena, "GetWorkGroup");

    public static readonly AwsOperation RedshiftDataExecuteStatement = new(AwsService.RedshiftData, "ExecuteStatement");
    public static readonly AwsOperation RedshiftDataBatchExecuteStatement = new(AwsService.RedshiftData, "BatchExecuteStatement");
    public static readonly AwsOperation RedshiftDataDescribeStatement = new(AwsService.RedshiftData, "DescribeStatement");
    public static readonly AwsOperation RedshiftDataGetStatementResult = new(AwsService.RedshiftData, "GetStatementResult");
    public static readonly AwsOperation RedshiftDataCancelStatement = new(AwsService.RedshiftData, "CancelStatement");

    public static readonly AwsOperation StsGetCallerIdentity = new(AwsService.Sts, "GetCallerIdentity");
#pragma warning restore CS1591

    /// <summary>The operations the JSON 1.1 client sends (Glue, Athena, Redshift Data API).</summary>
    public static IReadOnlyList<AwsOperation> Json { get; } =
    [
        GlueStartJobRun, GlueGetJobRun, GlueGetJobRuns, GlueBatchStopJobRun, GlueStartCrawler, GlueStopCrawler,
        GlueGetCrawler, GlueGetCrawlerMetrics, GlueGetDatabases, GlueGetTables, GlueGetTable, GlueGetTableVersions, GlueGetPartitions,
        AthenaStartQueryExecution, AthenaGetQueryExecution, AthenaGetQueryResults, AthenaStopQueryExecution, AthenaGetWorkGroup,
        RedshiftDataExecuteStatement, RedshiftDataBatchExecuteStatement, RedshiftDataDescribeStatement,
        RedshiftDataGetStatementResult, RedshiftDataCancelStatement,
    ];

    /// <summary>
    /// The IAM actions the S3 store needs: ListObjectsV2 is <c>s3:ListBucket</c>; GetObject and HeadObject (and a
    /// copy's source) <c>s3:GetObject</c>; PutObject, the multipart calls and a copy's target <c>s3:PutObject</c>;
    /// abandoning a multipart upload <c>s3:AbortMultipartUpload</c>; DeleteObject <c>s3:DeleteObject</c>.
    /// </summary>
    public static IReadOnlyList<string> S3Actions { get; } =
        ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"];

    /// <summary>Every IAM action the code can call, such as <c>glue:StartJobRun</c> and <c>s3:GetObject</c>, sorted.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Json.Select(o => o.Action).Append(StsGetCallerIdentity.Action).Concat(S3Actions).Order(StringComparer.Ordinal)];
}
