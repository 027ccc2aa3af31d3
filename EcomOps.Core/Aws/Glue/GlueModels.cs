namespace EcomOps.Core.Aws.Glue;

// Records for the Glue operations the Aws backend calls, with the members it uses. Names and JSON types are those of
// tools/aws-models/glue.service-2.json (checked by AwsModelConformanceTests); enums stay strings, as AWS adds values.
#pragma warning disable CS1591 // Members are the model's; see the AWS Glue API reference for each.

/// <summary>StartJobRun input.</summary>
public sealed record StartJobRunRequest
{
    public required string JobName { get; init; }
    public string? JobRunId { get; init; }
    public IReadOnlyDictionary<string, string>? Arguments { get; init; }
    public int? Timeout { get; init; }
    public double? MaxCapacity { get; init; }
    public string? WorkerType { get; init; }
    public int? NumberOfWorkers { get; init; }
    public string? ExecutionClass { get; init; }
}

/// <summary>StartJobRun output.</summary>
public sealed record StartJobRunResponse(string? JobRunId);

/// <summary>GetJobRun input.</summary>
public sealed record GetJobRunRequest(string JobName, string RunId);

/// <summary>GetJobRun output.</summary>
public sealed record GetJobRunResponse(JobRun? JobRun);

/// <summary>GetJobRuns input.</summary>
public sealed record GetJobRunsRequest(string JobName, string? NextToken = null, int? MaxResults = null);

/// <summary>GetJobRuns output.</summary>
public sealed record GetJobRunsResponse(IReadOnlyList<JobRun>? JobRuns, string? NextToken);

/// <summary>A Glue job run.</summary>
public sealed record JobRun
{
    public string? Id { get; init; }
    public int? Attempt { get; init; }
    public string? JobName { get; init; }
    public DateTimeOffset? StartedOn { get; init; }
    public DateTimeOffset? LastModifiedOn { get; init; }
    public DateTimeOffset? CompletedOn { get; init; }
    public string? JobRunState { get; init; }
    public IReadOnlyDictionary<string, string>? Arguments { get; init; }
    public string? ErrorMessage { get; init; }
    public int? ExecutionTime { get; init; }
    public int? Timeout { get; init; }
    public double? MaxCapacity { get; init; }
    public string? WorkerType { get; init; }
    public int? NumberOfWorkers { get; init; }
    public string? LogGroupName { get; init; }
    public double? DPUSeconds { get; init; }
}

/// <summary>BatchStopJobRun input.</summary>
public sealed record BatchStopJobRunRequest(string JobName, IReadOnlyList<string> JobRunIds);

/// <summary>BatchStopJobRun output.</summary>
public sealed record BatchStopJobRunResponse(IReadOnlyList<BatchStopJobRunSuccessfulSubmission>? SuccessfulSubmissions, IReadOnlyList<BatchStopJobRunError>? Errors);

/// <summary>A run BatchStopJobRun accepted to stop.</summary>
public sealed record BatchStopJobRunSuccessfulSubmission(string? JobName, string? JobRunId);

/// <summary>A run BatchStopJobRun could not stop.</summary>
public sealed record BatchStopJobRunError(string? JobName, string? JobRunId, ErrorDetail? ErrorDetail);

/// <summary>A Glue error code and message.</summary>
public sealed record ErrorDetail(string? ErrorCode, string? ErrorMessage);

/// <summary>StartCrawler input.</summary>
public sealed record StartCrawlerRequest(string Name);

/// <summary>StartCrawler output (empty).</summary>
public sealed record StartCrawlerResponse;

/// <summary>GetCrawler input.</summary>
public sealed record GetCrawlerRequest(string Name);

/// <summary>GetCrawler output.</summary>
public sealed record GetCrawlerResponse(Crawler? Crawler);

/// <summary>A Glue crawler.</summary>
public sealed record Crawler
{
    public string? Name { get; init; }
    public string? Role { get; init; }
    public string? DatabaseName { get; init; }
    public string? State { get; init; }
    public string? TablePrefix { get; init; }
    public long? CrawlElapsedTime { get; init; }
    public DateTimeOffset? CreationTime { get; init; }
    public DateTimeOffset? LastUpdated { get; init; }
    public LastCrawlInfo? LastCrawl { get; init; }
    public long? Version { get; init; }
    public CrawlerTargets? Targets { get; init; }
    public SchemaChangePolicy? SchemaChangePolicy { get; init; }
}

/// <summary>What a crawler crawls (the S3 targets; the other kinds are not used here).</summary>
public sealed record CrawlerTargets(IReadOnlyList<S3Target>? S3Targets);

/// <summary>An S3 prefix a crawler crawls, with the glob patterns it skips.</summary>
public sealed record S3Target(string? Path, IReadOnlyList<string>? Exclusions);

/// <summary>What a crawler does with changed and deleted tables: UPDATE_IN_DATABASE or LOG; DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE or LOG.</summary>
public sealed record SchemaChangePolicy(string? UpdateBehavior, string? DeleteBehavior);

/// <summary>StopCrawler input.</summary>
public sealed record StopCrawlerRequest(string Name);

/// <summary>StopCrawler output (empty).</summary>
public sealed record StopCrawlerResponse;

/// <summary>The outcome of a crawler's last run.</summary>
public sealed record LastCrawlInfo(string? Status, string? ErrorMessage, string? LogGroup, string? LogStream, string? MessagePrefix, DateTimeOffset? StartTime);

/// <summary>GetCrawlerMetrics input.</summary>
public sealed record GetCrawlerMetricsRequest(IReadOnlyList<string>? CrawlerNameList = null, int? MaxResults = null, string? NextToken = null);

/// <summary>GetCrawlerMetrics output.</summary>
public sealed record GetCrawlerMetricsResponse(IReadOnlyList<CrawlerMetrics>? CrawlerMetricsList, string? NextToken);

/// <summary>A crawler's progress and counts.</summary>
public sealed record CrawlerMetrics(
    string? CrawlerName, double? TimeLeftSeconds, bool? StillEstimating, double? LastRuntimeSeconds, double? MedianRuntimeSeconds,
    int? TablesCreated, int? TablesUpdated, int? TablesDeleted);

/// <summary>GetDatabases input.</summary>
public sealed record GetDatabasesRequest(string? CatalogId = null, string? NextToken = null, int? MaxResults = null);

/// <summary>GetDatabases output.</summary>
public sealed record GetDatabasesResponse(IReadOnlyList<Database> DatabaseList, string? NextToken);

/// <summary>A Data Catalog database.</summary>
public sealed record Database(string Name, string? Description, string? LocationUri, IReadOnlyDictionary<string, string>? Parameters, DateTimeOffset? CreateTime, string? CatalogId);

/// <summary>GetTables input.</summary>
public sealed record GetTablesRequest(string DatabaseName, string? CatalogId = null, string? Expression = null, string? NextToken = null, int? MaxResults = null);

/// <summary>GetTables output.</summary>
public sealed record GetTablesResponse(IReadOnlyList<Table>? TableList, string? NextToken);

/// <summary>GetTable input.</summary>
public sealed record GetTableRequest(string DatabaseName, string Name, string? CatalogId = null);

/// <summary>GetTable output.</summary>
public sealed record GetTableResponse(Table? Table);

/// <summary>A Data Catalog table.</summary>
public sealed record Table
{
    public required string Name { get; init; }
    public string? DatabaseName { get; init; }
    public string? Description { get; init; }
    public string? Owner { get; init; }
    public DateTimeOffset? CreateTime { get; init; }
    public DateTimeOffset? UpdateTime { get; init; }
    public DateTimeOffset? LastAccessTime { get; init; }
    public StorageDescriptor? StorageDescriptor { get; init; }
    public IReadOnlyList<Column>? PartitionKeys { get; init; }
    public string? TableType { get; init; }
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
    public string? CatalogId { get; init; }
    public string? VersionId { get; init; }
}

/// <summary>Where and how a table's or partition's data is stored.</summary>
public sealed record StorageDescriptor
{
    public IReadOnlyList<Column>? Columns { get; init; }
    public string? Location { get; init; }
    public string? InputFormat { get; init; }
    public string? OutputFormat { get; init; }
    public bool? Compressed { get; init; }
    public int? NumberOfBuckets { get; init; }
    public SerDeInfo? SerdeInfo { get; init; }
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}

/// <summary>A table's serializer/deserializer.</summary>
public sealed record SerDeInfo(string? Name, string? SerializationLibrary, IReadOnlyDictionary<string, string>? Parameters);

/// <summary>A column of a table or a partition key.</summary>
public sealed record Column(string Name, string? Type, string? Comment, IReadOnlyDictionary<string, string>? Parameters);

/// <summary>GetTableVersions input.</summary>
public sealed record GetTableVersionsRequest(string DatabaseName, string TableName, string? CatalogId = null, string? NextToken = null, int? MaxResults = null);

/// <summary>GetTableVersions output.</summary>
public sealed record GetTableVersionsResponse(IReadOnlyList<TableVersion>? TableVersions, string? NextToken);

/// <summary>One version of a table's definition.</summary>
public sealed record TableVersion(Table? Table, string? VersionId);

/// <summary>GetPartitions input.</summary>
public sealed record GetPartitionsRequest(
    string DatabaseName, string TableName, string? CatalogId = null, string? Expression = null, string? NextToken = null,
    int? MaxResults = null, bool? ExcludeColumnSchema = null);

/// <summary>GetPartitions output.</summary>
public sealed record GetPartitionsResponse(IReadOnlyList<Partition>? Partitions, string? NextToken);

/// <summary>A table partition.</summary>
public sealed record Partition
{
    public IReadOnlyList<string>? Values { get; init; }
    public string? DatabaseName { get; init; }
    public string? TableName { get; init; }
    public DateTimeOffset? CreationTime { get; init; }
    public DateTimeOffset? LastAccessTime { get; init; }
    public StorageDescriptor? StorageDescriptor { get; init; }
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
    public DateTimeOffset? LastAnalyzedTime { get; init; }
    public string? CatalogId { get; init; }
}
