namespace EcomOps.Core.Aws.Glue;

/// <summary>The AWS Glue operations the Aws backend calls (jobs, crawlers, the Data Catalog), over <see cref="AwsJsonClient"/>.</summary>
public sealed class GlueClient(AwsJsonClient client)
{
    /// <summary>Starts a run of a Glue job.</summary>
    public Task<StartJobRunResponse> StartJobRunAsync(StartJobRunRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<StartJobRunRequest, StartJobRunResponse>(AwsOperations.GlueStartJobRun, request, cancellationToken);

    /// <summary>A job run's state.</summary>
    public Task<GetJobRunResponse> GetJobRunAsync(GetJobRunRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetJobRunRequest, GetJobRunResponse>(AwsOperations.GlueGetJobRun, request, cancellationToken);

    /// <summary>One page of a job's runs.</summary>
    public Task<GetJobRunsResponse> GetJobRunsAsync(GetJobRunsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetJobRunsRequest, GetJobRunsResponse>(AwsOperations.GlueGetJobRuns, request, cancellationToken);

    /// <summary>Every page of a job's runs.</summary>
    public IAsyncEnumerable<GetJobRunsResponse> GetJobRunsPagesAsync(GetJobRunsRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetJobRunsAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>Asks Glue to stop job runs.</summary>
    public Task<BatchStopJobRunResponse> BatchStopJobRunAsync(BatchStopJobRunRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<BatchStopJobRunRequest, BatchStopJobRunResponse>(AwsOperations.GlueBatchStopJobRun, request, cancellationToken);

    /// <summary>Starts a crawler.</summary>
    public Task<StartCrawlerResponse> StartCrawlerAsync(StartCrawlerRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<StartCrawlerRequest, StartCrawlerResponse>(AwsOperations.GlueStartCrawler, request, cancellationToken);

    /// <summary>Asks a running crawler to stop; it goes STOPPING, then READY with its last crawl CANCELLED.</summary>
    public Task<StopCrawlerResponse> StopCrawlerAsync(StopCrawlerRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<StopCrawlerRequest, StopCrawlerResponse>(AwsOperations.GlueStopCrawler, request, cancellationToken);

    /// <summary>A crawler's state and last crawl.</summary>
    public Task<GetCrawlerResponse> GetCrawlerAsync(GetCrawlerRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetCrawlerRequest, GetCrawlerResponse>(AwsOperations.GlueGetCrawler, request, cancellationToken);

    /// <summary>Crawlers' progress and table counts.</summary>
    public Task<GetCrawlerMetricsResponse> GetCrawlerMetricsAsync(GetCrawlerMetricsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetCrawlerMetricsRequest, GetCrawlerMetricsResponse>(AwsOperations.GlueGetCrawlerMetrics, request, cancellationToken);

    /// <summary>One page of the catalog's databases.</summary>
    public Task<GetDatabasesResponse> GetDatabasesAsync(GetDatabasesRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetDatabasesRequest, GetDatabasesResponse>(AwsOperations.GlueGetDatabases, request, cancellationToken);

    /// <summary>Every page of the catalog's databases.</summary>
    public IAsyncEnumerable<GetDatabasesResponse> GetDatabasesPagesAsync(GetDatabasesRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetDatabasesAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>One page of a database's tables.</summary>
    public Task<GetTablesResponse> GetTablesAsync(GetTablesRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetTablesRequest, GetTablesResponse>(AwsOperations.GlueGetTables, request, cancellationToken);

    /// <summary>Every page of a database's tables.</summary>
    public IAsyncEnumerable<GetTablesResponse> GetTablesPagesAsync(GetTablesRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetTablesAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>One table's definition.</summary>
    public Task<GetTableResponse> GetTableAsync(GetTableRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetTableRequest, GetTableResponse>(AwsOperations.GlueGetTable, request, cancellationToken);

    /// <summary>One page of a table's versions.</summary>
    public Task<GetTableVersionsResponse> GetTableVersionsAsync(GetTableVersionsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetTableVersionsRequest, GetTableVersionsResponse>(AwsOperations.GlueGetTableVersions, request, cancellationToken);

    /// <summary>Every page of a table's versions.</summary>
    public IAsyncEnumerable<GetTableVersionsResponse> GetTableVersionsPagesAsync(GetTableVersionsRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetTableVersionsAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);

    /// <summary>One page of a table's partitions.</summary>
    public Task<GetPartitionsResponse> GetPartitionsAsync(GetPartitionsRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<GetPartitionsRequest, GetPartitionsResponse>(AwsOperations.GlueGetPartitions, request, cancellationToken);

    /// <summary>Every page of a table's partitions.</summary>
    public IAsyncEnumerable<GetPartitionsResponse> GetPartitionsPagesAsync(GetPartitionsRequest request, CancellationToken cancellationToken = default) =>
        AwsPaging.PagesAsync((token, ct) => GetPartitionsAsync(request with { NextToken = token }, ct), page => page.NextToken, cancellationToken);
}
