namespace EcomOps.Core.Aws.Athena;

// Records for the Athena operations the Aws backend calls. Names and JSON types are those of
// tools/aws-models/athena.service-2.json (checked by AwsModelConformanceTests); enums stay strings.
#pragma warning disable CS1591 // Members are the model's; see the Amazon Athena API reference for each.

/// <summary>StartQueryExecution input.</summary>
public sealed record StartQueryExecutionRequest
{
    public required string QueryString { get; init; }
    public string? ClientRequestToken { get; init; }
    public QueryExecutionContext? QueryExecutionContext { get; init; }
    public ResultConfiguration? ResultConfiguration { get; init; }
    public string? WorkGroup { get; init; }
    public IReadOnlyList<string>? ExecutionParameters { get; init; }
}

/// <summary>The database and catalog a query runs in.</summary>
public sealed record QueryExecutionContext(string? Database = null, string? Catalog = null);

/// <summary>Where a query's results go and how they are encrypted.</summary>
public sealed record ResultConfiguration(string? OutputLocation = null, EncryptionConfiguration? EncryptionConfiguration = null, string? ExpectedBucketOwner = null);

/// <summary>The encryption of query results.</summary>
public sealed record EncryptionConfiguration(string EncryptionOption, string? KmsKey = null);

/// <summary>StartQueryExecution output.</summary>
public sealed record StartQueryExecutionResponse(string? QueryExecutionId);

/// <summary>GetQueryExecution input.</summary>
public sealed record GetQueryExecutionRequest(string QueryExecutionId);

/// <summary>GetQueryExecution output.</summary>
public sealed record GetQueryExecutionResponse(QueryExecution? QueryExecution);

/// <summary>A query's text, state and statistics.</summary>
public sealed record QueryExecution
{
    public string? QueryExecutionId { get; init; }
    public string? Query { get; init; }
    public string? StatementType { get; init; }
    public ResultConfiguration? ResultConfiguration { get; init; }
    public QueryExecutionContext? QueryExecutionContext { get; init; }
    public QueryExecutionStatus? Status { get; init; }
    public QueryExecutionStatistics? Statistics { get; init; }
    public string? WorkGroup { get; init; }
    public IReadOnlyList<string>? ExecutionParameters { get; init; }
}

/// <summary>A query's state (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED) and why.</summary>
public sealed record QueryExecutionStatus(
    string? State, string? StateChangeReason, DateTimeOffset? SubmissionDateTime, DateTimeOffset? CompletionDateTime, AthenaError? AthenaError);

/// <summary>Why a query failed.</summary>
public sealed record AthenaError(int? ErrorCategory, int? ErrorType, bool? Retryable, string? ErrorMessage);

/// <summary>What a query cost in time and bytes scanned.</summary>
public sealed record QueryExecutionStatistics(
    long? EngineExecutionTimeInMillis, long? DataScannedInBytes, string? DataManifestLocation, long? TotalExecutionTimeInMillis,
    long? QueryQueueTimeInMillis, long? ServicePreProcessingTimeInMillis, long? QueryPlanningTimeInMillis, long? ServiceProcessingTimeInMillis);

/// <summary>GetQueryResults input.</summary>
public sealed record GetQueryResultsRequest(string QueryExecutionId, string? NextToken = null, int? MaxResults = null);

/// <summary>GetQueryResults output: one page of rows (the first page starts with the header row for SELECTs).</summary>
public sealed record GetQueryResultsResponse(long? UpdateCount, ResultSet? ResultSet, string? NextToken);

/// <summary>Rows and their column metadata.</summary>
public sealed record ResultSet(IReadOnlyList<Row>? Rows, ResultSetMetadata? ResultSetMetadata);

/// <summary>One row: a value per column.</summary>
public sealed record Row(IReadOnlyList<Datum>? Data);

/// <summary>One value, as text; absent for SQL NULL.</summary>
public sealed record Datum(string? VarCharValue);

/// <summary>The columns of a result.</summary>
public sealed record ResultSetMetadata(IReadOnlyList<ColumnInfo>? ColumnInfo);

/// <summary>One result column.</summary>
public sealed record ColumnInfo(
    string Name, string Type, string? CatalogName = null, string? SchemaName = null, string? TableName = null, string? Label = null,
    int? Precision = null, int? Scale = null, string? Nullable = null, bool? CaseSensitive = null);

/// <summary>StopQueryExecution input.</summary>
public sealed record StopQueryExecutionRequest(string QueryExecutionId);

/// <summary>StopQueryExecution output (empty).</summary>
public sealed record StopQueryExecutionResponse;

/// <summary>GetWorkGroup input.</summary>
public sealed record GetWorkGroupRequest(string WorkGroup);

/// <summary>GetWorkGroup output.</summary>
public sealed record GetWorkGroupResponse(WorkGroup? WorkGroup);

/// <summary>A workgroup: its state (ENABLED, DISABLED) and the configuration its queries run under.</summary>
public sealed record WorkGroup(string Name, string? State = null, WorkGroupConfiguration? Configuration = null, string? Description = null, DateTimeOffset? CreationTime = null);

/// <summary>A workgroup's result location, whether it overrides what clients ask for, and its per-query scan limit.</summary>
public sealed record WorkGroupConfiguration
{
    public ResultConfiguration? ResultConfiguration { get; init; }
    public bool? EnforceWorkGroupConfiguration { get; init; }
    public bool? PublishCloudWatchMetricsEnabled { get; init; }
    public long? BytesScannedCutoffPerQuery { get; init; }
    public bool? RequesterPaysEnabled { get; init; }
    public EngineVersion? EngineVersion { get; init; }
}

/// <summary>The Athena engine version a workgroup asked for and the one it runs.</summary>
public sealed record EngineVersion(string? SelectedEngineVersion = null, string? EffectiveEngineVersion = null);
