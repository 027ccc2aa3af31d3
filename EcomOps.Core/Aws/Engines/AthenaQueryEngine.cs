using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// The Aws backend's query engine: Amazon Athena, in the workgroup <c>EcomOps:Aws:Athena:Workgroup</c>, over the Glue
/// database <c>EcomOps:Aws:Glue:Database</c>. The statement passes the same gate as locally (<see cref="QueryGate"/>)
/// before anything is sent; it is sent as written (Athena speaks its own dialect). Rows come from GetQueryResults, page
/// by page, converted to the .NET values the local engine gives for each Athena type (<see cref="AthenaResultValues"/>).
/// </summary>
internal sealed partial class AthenaQueryEngine(
    AthenaClient athena,
    IOptions<AwsOptions> aws,
    IOptions<EcomOpsOptions> options,
    IOptions<QueryOptions> queryOptions,
    TimeProvider time,
    ILogger<AthenaQueryEngine> logger) : IQueryEngine
{
    // GetQueryResults' MaxResults is at most 1000 rows a page.
    private const int MaxPageRows = 1000;

    // A stop or an idempotent re-start after a cancel is a courtesy to the bill: bounded, so a cancel returns promptly.
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(10);

    public string Name => $"Amazon Athena (workgroup {aws.Value.Athena.Workgroup})";

    public async Task<QueryResult> RunAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        var settings = queryOptions.Value;
        var limit = Math.Clamp(maxRows ?? settings.MaxRows, 1, settings.MaxRows);
        var rows = new QueryRowCollector(limit);

        // One row past the limit says whether the result was cut; the first page also carries the header row.
        var summary = await ExecuteAsync(sql, rows, Math.Min(MaxPageRows, limit + 2), cancellationToken).ConfigureAwait(false);
        return new QueryResult(summary.Columns, rows.Rows, rows.Truncated, summary.Duration, summary.EngineSql) { BytesScanned = summary.BytesScanned };
    }

    public Task<QueryStreamSummary> StreamAsync(string sql, IQueryRowWriter writer, CancellationToken cancellationToken = default) =>
        ExecuteAsync(sql, writer, MaxPageRows, cancellationToken);

    private async Task<QueryStreamSummary> ExecuteAsync(string sql, IQueryRowWriter writer, int pageRows, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(writer);
        // DuckDB's parser blocks: off the caller's thread (a page's circuit), as the local engine runs DuckDB.
        await Task.Run(() => QueryGate.Check(sql), cancellationToken).ConfigureAwait(false);

        var settings = queryOptions.Value;
        var started = time.GetTimestamp();
        using var timeLimit = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
        var run = new Run(NewStartRequest(sql));
        try
        {
            run.StartSent = true;
            run.Id = (await athena.StartQueryExecutionAsync(run.Request, linked.Token).ConfigureAwait(false)).QueryExecutionId
                ?? throw new QueryFailedException($"Athena's StartQueryExecution answered no QueryExecutionId (workgroup '{run.Request.WorkGroup}').");
            LogStarted(run.Id, run.Request.WorkGroup!, run.Request.QueryExecutionContext!.Database!);

            var execution = await WaitAsync(run.Id, linked.Token).ConfigureAwait(false);
            run.Finished = true;
            var (columns, count, stopped) = await ReadResultsAsync(run.Id, writer, pageRows, linked.Token).ConfigureAwait(false);

            var statistics = execution.Statistics;
            // Athena's own time for the query (queue, planning, engine, publishing the results); not the paging of them.
            var duration = (statistics?.TotalExecutionTimeInMillis ?? statistics?.EngineExecutionTimeInMillis) is { } millis
                ? TimeSpan.FromMilliseconds(millis)
                : time.GetElapsedTime(started);
            var bytes = statistics?.DataScannedInBytes;
            LogSucceeded(run.Id, count, stopped ? " (stopped at the row limit)" : "", bytes, duration.TotalMilliseconds);
            return new QueryStreamSummary(columns, count, duration, sql, bytes);
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await StopAsync(run).ConfigureAwait(false);
            throw new QueryFailedException(string.Create(CultureInfo.InvariantCulture,
                $"The query ran longer than {settings.TimeoutSeconds} s (EcomOps:Query:TimeoutSeconds) and was stopped{OnAthena(run.Id)}."));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(run).ConfigureAwait(false);
            throw new OperationCanceledException("The query was cancelled.", cancellationToken);
        }
        catch (AwsServiceException e)
        {
            LogCallFailed(e, run.Id);
            throw Explain(e, run);
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException)
        {
            LogCallFailed(e, run.Id);
            throw new QueryFailedException($"Athena could not be asked{OnAthena(run.Id)}: {e.Message}", e);
        }
    }

    private StartQueryExecutionRequest NewStartRequest(string sql)
    {
        var athenaSettings = aws.Value.Athena;
        var output = string.IsNullOrWhiteSpace(athenaSettings.OutputLocation)
            ? $"s3://{options.Value.LakeBucket}/athena-results/"
            : athenaSettings.OutputLocation;
        return new StartQueryExecutionRequest
        {
            QueryString = sql,
            // Ours, not the client's: after a cancel the same token asks Athena which query it started, to stop it.
            ClientRequestToken = Guid.NewGuid().ToString("N"),
            WorkGroup = athenaSettings.Workgroup,
            QueryExecutionContext = new QueryExecutionContext(aws.Value.Glue.Database, athenaSettings.Catalog),
            ResultConfiguration = new ResultConfiguration(output),
        };
    }

    // QUEUED and RUNNING are polled; SUCCEEDED returns; FAILED, and CANCELLED by anyone but us, are errors.
    private async Task<QueryExecution> WaitAsync(string id, CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromMilliseconds(aws.Value.Athena.PollMilliseconds);
        while (true)
        {
            var execution = (await athena.GetQueryExecutionAsync(new GetQueryExecutionRequest(id), cancellationToken).ConfigureAwait(false)).QueryExecution
                ?? throw new QueryFailedException($"Athena's GetQueryExecution answered nothing for query {id}.");
            switch (execution.Status?.State)
            {
                case "SUCCEEDED":
                    return execution;
                case "FAILED":
                    LogEnded(id, "FAILED", execution.Status?.StateChangeReason);
                    throw Failed(id, execution.Status);
                case "CANCELLED":
                    LogEnded(id, "CANCELLED", execution.Status?.StateChangeReason);
                    throw CancelledByAthena(id, execution.Status);
                default:
                    await Task.Delay(poll, time, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task<(List<QueryColumn> Columns, long Rows, bool Stopped)> ReadResultsAsync(string id, IQueryRowWriter writer, int pageRows, CancellationToken cancellationToken)
    {
        List<QueryColumn>? columns = null;
        long count = 0;
        var first = true;
        await foreach (var page in athena.GetQueryResultsPagesAsync(new GetQueryResultsRequest(id, MaxResults: pageRows), cancellationToken).ConfigureAwait(false))
        {
            var rows = page.ResultSet?.Rows ?? [];
            var skip = 0;
            if (columns is null)
            {
                columns = [.. (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).Select(c => new QueryColumn(c.Name, AthenaResultValues.TypeName(c)))];
                await writer.StartAsync(columns, cancellationToken).ConfigureAwait(false);
            }

            // A query's first page starts with its header row: the column names again, as values.
            if (first && rows.Count > 0 && IsHeader(rows[0], columns))
            {
                skip = 1;
            }

            first = false;
            foreach (var row in rows.Skip(skip))
            {
                var data = row.Data ?? [];
                var values = new object?[columns.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = AthenaResultValues.Parse(i < data.Count ? data[i].VarCharValue : null, columns[i].Type);
                }

                if (!await writer.WriteAsync(values, cancellationToken).ConfigureAwait(false))
                {
                    return (columns, count, true);
                }

                count++;
            }
        }

        return (columns ?? [], count, false);
    }

    private static bool IsHeader(Row row, List<QueryColumn> columns) =>
        row.Data is { } data && data.Count == columns.Count && data.Select(d => d.VarCharValue).SequenceEqual(columns.Select(c => c.Name), StringComparer.Ordinal);

    // Stops the remote query so it is not billed for nothing; a query cancelled while StartQueryExecution was on its way
    // is found again by its ClientRequestToken (Athena answers the same id for the same token).
    private async Task StopAsync(Run run)
    {
        if (run.Finished || !run.StartSent)
        {
            return;
        }

        using var budget = new CancellationTokenSource(StopBudget, time);
        try
        {
            run.Id ??= (await athena.StartQueryExecutionAsync(run.Request, budget.Token).ConfigureAwait(false)).QueryExecutionId;
            if (run.Id is not null)
            {
                await athena.StopQueryExecutionAsync(new StopQueryExecutionRequest(run.Id), budget.Token).ConfigureAwait(false);
                LogStopped(run.Id);
            }
        }
        catch (Exception e) when (e is AwsServiceException or TimeoutException or HttpRequestException or OperationCanceledException)
        {
            LogStopFailed(e, run.Id);
        }
    }

    private static string OnAthena(string? id) => id is null ? "" : $" (Athena query {id})";

    private sealed class Run(StartQueryExecutionRequest request)
    {
        public StartQueryExecutionRequest Request { get; } = request;

        public string? Id { get; set; }

        public bool StartSent { get; set; }

        public bool Finished { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Athena query {QueryExecutionId} started in workgroup {Workgroup}, database {Database}")]
    private partial void LogStarted(string queryExecutionId, string workgroup, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Athena query {QueryExecutionId} gave {Rows} rows{Stopped}, {Bytes} bytes scanned, in {DurationMs:F0} ms")]
    private partial void LogSucceeded(string queryExecutionId, long rows, string stopped, long? bytes, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Athena query {QueryExecutionId} ended {State}: {Reason}")]
    private partial void LogEnded(string queryExecutionId, string state, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Athena query {QueryExecutionId} stopped")]
    private partial void LogStopped(string queryExecutionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Athena query {QueryExecutionId} could not be stopped; it may run on until it ends")]
    private partial void LogStopFailed(Exception exception, string? queryExecutionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Athena call failed for query {QueryExecutionId}")]
    private partial void LogCallFailed(Exception exception, string? queryExecutionId);
}
