using System.Text.Json.Serialization;

namespace EcomOps.Core.Aws.RedshiftData;

// Records for the Redshift Data API operations the warehouse calls. Names and JSON types are those of
// tools/aws-models/redshift-data.service-2.json (checked by AwsModelConformanceTests); the model spells Field,
// ColumnMetadata and SqlParameter members in camelCase, hence the attributes there.
#pragma warning disable CS1591 // Members are the model's; see the Redshift Data API reference for each.

/// <summary>ExecuteStatement input: one SQL statement on a provisioned cluster (ClusterIdentifier) or a Serverless workgroup (WorkgroupName).</summary>
public sealed record ExecuteStatementRequest
{
    public required string Sql { get; init; }
    public string? ClusterIdentifier { get; init; }
    public string? WorkgroupName { get; init; }
    public string? Database { get; init; }
    public string? DbUser { get; init; }
    public string? SecretArn { get; init; }
    public IReadOnlyList<SqlParameter>? Parameters { get; init; }
    public string? StatementName { get; init; }
    public bool? WithEvent { get; init; }
    public string? ClientToken { get; init; }
}

/// <summary>
/// BatchExecuteStatement input: statements run in order as one transaction, so a DELETE and a COPY replace the rows
/// together or not at all.
/// </summary>
public sealed record BatchExecuteStatementRequest
{
    public required IReadOnlyList<string> Sqls { get; init; }
    public string? ClusterIdentifier { get; init; }
    public string? WorkgroupName { get; init; }
    public string? Database { get; init; }
    public string? DbUser { get; init; }
    public string? SecretArn { get; init; }
    public string? StatementName { get; init; }
    public bool? WithEvent { get; init; }
    public string? ClientToken { get; init; }
}

/// <summary>A named parameter (<c>:name</c> in the SQL).</summary>
public sealed record SqlParameter([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

/// <summary>ExecuteStatement and BatchExecuteStatement output.</summary>
public sealed record ExecuteStatementResponse
{
    public string? Id { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? ClusterIdentifier { get; init; }
    public string? Database { get; init; }
    public string? DbUser { get; init; }
    public string? SecretArn { get; init; }
    public string? WorkgroupName { get; init; }
}

/// <summary>DescribeStatement input.</summary>
public sealed record DescribeStatementRequest(string Id);

/// <summary>DescribeStatement output: a statement's (or batch's) state, with one entry per statement of a batch.</summary>
public sealed record DescribeStatementResponse
{
    public required string Id { get; init; }
    public string? Status { get; init; }
    public string? Error { get; init; }
    public string? QueryString { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public long? Duration { get; init; }
    public bool? HasResultSet { get; init; }
    public long? ResultRows { get; init; }
    public long? ResultSize { get; init; }
    public long? RedshiftQueryId { get; init; }
    public long? RedshiftPid { get; init; }
    public IReadOnlyList<SubStatementData>? SubStatements { get; init; }
    public string? ClusterIdentifier { get; init; }
    public string? WorkgroupName { get; init; }
    public string? Database { get; init; }
    public string? DbUser { get; init; }
}

/// <summary>One statement of a batch.</summary>
public sealed record SubStatementData
{
    public required string Id { get; init; }
    public string? Status { get; init; }
    public string? Error { get; init; }
    public string? QueryString { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public long? Duration { get; init; }
    public bool? HasResultSet { get; init; }
    public long? ResultRows { get; init; }
    public long? ResultSize { get; init; }
    public long? RedshiftQueryId { get; init; }
}

/// <summary>GetStatementResult input.</summary>
public sealed record GetStatementResultRequest(string Id, string? NextToken = null);

/// <summary>GetStatementResult output: one page of records.</summary>
public sealed record GetStatementResultResponse(
    IReadOnlyList<IReadOnlyList<Field>> Records, IReadOnlyList<ColumnMetadata>? ColumnMetadata, long? TotalNumRows, string? NextToken);

/// <summary>One value: exactly one member is set (a union in the model).</summary>
public sealed record Field
{
    [JsonPropertyName("isNull")] public bool? IsNull { get; init; }
    [JsonPropertyName("booleanValue")] public bool? BooleanValue { get; init; }
    [JsonPropertyName("longValue")] public long? LongValue { get; init; }
    [JsonPropertyName("doubleValue")] public double? DoubleValue { get; init; }
    [JsonPropertyName("stringValue")] public string? StringValue { get; init; }
    [JsonPropertyName("blobValue")] public byte[]? BlobValue { get; init; }
}

/// <summary>One result column.</summary>
public sealed record ColumnMetadata
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("typeName")] public string? TypeName { get; init; }
    [JsonPropertyName("schemaName")] public string? SchemaName { get; init; }
    [JsonPropertyName("tableName")] public string? TableName { get; init; }
    [JsonPropertyName("nullable")] public int? Nullable { get; init; }
    [JsonPropertyName("precision")] public int? Precision { get; init; }
    [JsonPropertyName("scale")] public int? Scale { get; init; }
    [JsonPropertyName("length")] public int? Length { get; init; }
    [JsonPropertyName("isCaseSensitive")] public bool? IsCaseSensitive { get; init; }
    [JsonPropertyName("isCurrency")] public bool? IsCurrency { get; init; }
    [JsonPropertyName("isSigned")] public bool? IsSigned { get; init; }
    [JsonPropertyName("columnDefault")] public string? ColumnDefault { get; init; }
}

/// <summary>CancelStatement input.</summary>
public sealed record CancelStatementRequest(string Id);

/// <summary>CancelStatement output.</summary>
public sealed record CancelStatementResponse(bool? Status);
