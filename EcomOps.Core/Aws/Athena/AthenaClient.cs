namespace EcomOps.Core.Aws.Athena;

/// <summary>The Amazon Athena operations the Aws backend calls, over <see cref="AwsJsonClient"/>.</summary>
public sealed class AthenaClient(AwsJsonClient client)
{
    /// <summary>
    /// Starts a query; poll <see cref="GetQueryExecutionAsync"/> for its end. Without a ClientRequestToken one is made
    /// (as the AWS SDKs do for the model's idempotency tokens), so a retried request cannot start the query twice.
    /// </summary>
    public Task<StartQueryExecutionResponse> StartQueryExecutionAsync(StartQueryExecutionRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<StartQueryExecutionRequest, StartQueryExecutionResponse>(
            AwsOperations.AthenaStartQueryExecution, request with { ClientRequestToken = request.ClientRequestToken ?? Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A query's state and statistics.</summary>
    public Task<GetQueryExecutionResponse> GetQueryExecutionAsync(GetQueryExecutionRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetQueryExecutionRequest, GetQueryExecutionResponse>(AwsOperations.AthenaGetQueryExecution, request, cancellationToken);

    /// <summary>One page of a finished query's rows.</summary>
    public Task<GetQueryResultsResponse> GetQueryResultsAsync(GetQueryResultsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetQueryResultsRequest, GetQueryResultsResponse>(AwsOperations.AthenaGetQueryResults, request, cancellationToken);

    /// <summary>Every page of a finished query's rows, following NextToken.</summary>
    public IAsyncEnumerable<GetQueryResultsResponse> GetQueryResultsPagesAsync(GetQueryResultsRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetQueryResultsAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>Cancels a running query.</summary>
    public Task<StopQueryExecutionResponse> StopQueryExecutionAsync(StopQueryExecutionRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<StopQueryExecutionRequest, StopQueryExecutionResponse>(AwsOperations.AthenaStopQueryExecution, request, cancellationToken);

    /// <summary>A workgroup's state and configuration (the Settings page's check).</summary>
    public Task<GetWorkGroupResponse> GetWorkGroupAsync(GetWorkGroupRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetWorkGroupRequest, GetWorkGroupResponse>(AwsOperations.AthenaGetWorkGroup, request, cancellationToken);
}
