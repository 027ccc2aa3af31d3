namespace EcomOps.Core.Aws.RedshiftData;

/// <summary>The Redshift Data API operations the warehouse calls, over <see cref="AwsJsonClient"/>.</summary>
public sealed class RedshiftDataClient(AwsJsonClient client)
{
    /// <summary>
    /// Submits one statement; poll <see cref="DescribeStatementAsync"/> for its end. Without a ClientToken one is made,
    /// so a retried request cannot run the statement twice.
    /// </summary>
    public Task<ExecuteStatementResponse> ExecuteStatementAsync(ExecuteStatementRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExecuteStatementRequest, ExecuteStatementResponse>(
            AwsOperations.RedshiftDataExecuteStatement, request with { ClientToken = request.ClientToken ?? Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>Submits statements that run as one transaction (such as DELETE then COPY); a ClientToken is made as for <see cref="ExecuteStatementAsync"/>.</summary>
    public Task<ExecuteStatementResponse> BatchExecuteStatementAsync(BatchExecuteStatementRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<BatchExecuteStatementRequest, ExecuteStatementResponse>(
            AwsOperations.RedshiftDataBatchExecuteStatement, request with { ClientToken = request.ClientToken ?? Guid.NewGuid().ToString("N") }, cancellationToken);

    /// <summary>A statement's state, error and row counts.</summary>
    public Task<DescribeStatementResponse> DescribeStatementAsync(DescribeStatementRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<DescribeStatementRequest, DescribeStatementResponse>(AwsOperations.RedshiftDataDescribeStatement, request, cancellationToken);

    /// <summary>One page of a finished statement's records.</summary>
    public Task<GetStatementResultResponse> GetStatementResultAsync(GetStatementResultRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetStatementResultRequest, GetStatementResultResponse>(AwsOperations.RedshiftDataGetStatementResult, request, cancellationToken);

    /// <summary>Every page of a finished statement's records, following NextToken.</summary>
    public IAsyncEnumerable<GetStatementResultResponse> GetStatementResultPagesAsync(GetStatementResultRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetStatementResultAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>Cancels a running statement.</summary>
    public Task<CancelStatementResponse> CancelStatementAsync(CancelStatementRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<CancelStatementRequest, CancelStatementResponse>(AwsOperations.RedshiftDataCancelStatement, request, cancellationToken);
}
