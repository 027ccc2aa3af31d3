using System.Globalization;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Aws.Engines;

// Statements through the Data API: submit, poll DescribeStatement to the end, read GetStatementResult page by page, and
// CancelStatement when the caller gives up.
internal sealed partial class RedshiftDataWarehouse
{
    private const string Finished = "FINISHED", Failed = "FAILED", Aborted = "ABORTED";

    private RedshiftResourceOptions Target => aws.Value.Redshift;

    /// <summary>For messages: which Redshift the statements go to.</summary>
    internal string TargetDescription => Target.EffectiveWorkgroup is { } workgroup
        ? $"Redshift Serverless workgroup '{workgroup}', database '{Target.Database}'"
        : $"Redshift cluster '{Target.ClusterIdentifier}', database '{Target.Database}'";

    private ExecuteStatementRequest Statement(string sql, IReadOnlyList<LoadMonitoringSql.Parameter>? parameters, string name) => new()
    {
        Sql = sql,
        Parameters = parameters is { Count: > 0 } ? [.. parameters.Select(p => new SqlParameter(p.Name, ParameterText(p.Value)))] : null,
        StatementName = name,
        Database = Target.Database,
        WorkgroupName = Target.EffectiveWorkgroup,
        ClusterIdentifier = Target.EffectiveWorkgroup is null ? Target.ClusterIdentifier : null,
        // On a cluster, exactly one of the two; Serverless takes a secret too, else the caller's IAM identity.
        DbUser = Target.EffectiveWorkgroup is null && string.IsNullOrWhiteSpace(Target.SecretArn) ? Target.DbUser : null,
        SecretArn = string.IsNullOrWhiteSpace(Target.SecretArn) ? null : Target.SecretArn,
    };

    private BatchExecuteStatementRequest Batch(IReadOnlyList<string> sqls, string name)
    {
        var single = Statement(sqls[0], null, name);
        return new BatchExecuteStatementRequest
        {
            Sqls = sqls,
            StatementName = name,
            Database = single.Database,
            WorkgroupName = single.WorkgroupName,
            ClusterIdentifier = single.ClusterIdentifier,
            DbUser = single.DbUser,
            SecretArn = single.SecretArn,
        };
    }

    private async Task<string> SubmitAsync(ExecuteStatementRequest request, CancellationToken cancellationToken)
    {
        var submitted = await Call(() => client.ExecuteStatementAsync(request, cancellationToken), "ExecuteStatement").ConfigureAwait(false);
        return submitted.Id ?? throw new InvalidDataException($"ExecuteStatement on the {TargetDescription} answered no statement Id.");
    }

    private async Task<string> SubmitAsync(BatchExecuteStatementRequest request, CancellationToken cancellationToken)
    {
        var submitted = await Call(() => client.BatchExecuteStatementAsync(request, cancellationToken), "BatchExecuteStatement").ConfigureAwait(false);
        return submitted.Id ?? throw new InvalidDataException($"BatchExecuteStatement on the {TargetDescription} answered no statement Id.");
    }

    /// <summary>
    /// Polls the statement until it is FINISHED, FAILED or ABORTED and returns that description. Cancelled, it cancels the
    /// statement on Redshift too, unless <paramref name="leaveRunning"/> says the process is stopping.
    /// </summary>
    private async Task<DescribeStatementResponse> WaitAsync(string id, CancellationToken cancellationToken, Func<bool>? leaveRunning = null)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(Target.PollMilliseconds, 1, 10_000));
        try
        {
            while (true)
            {
                var described = await Call(() => client.DescribeStatementAsync(new DescribeStatementRequest(id), cancellationToken), "DescribeStatement").ConfigureAwait(false);
                if (described.Status is Finished or Failed or Aborted)
                {
                    return described;
                }

                // SUBMITTED, PICKED, STARTED: still on its way.
                await Task.Delay(poll, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (leaveRunning?.Invoke() == true)
            {
                LogLeftRunning(id);
            }
            else
            {
                await CancelQuietlyAsync(id).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The Settings page's check: runs one read-only statement on the target and returns its final description and,
    /// when it finished, its first row (null otherwise).
    /// </summary>
    internal async Task<(DescribeStatementResponse Statement, IReadOnlyList<Field>? FirstRow)> CheckAsync(string sql, CancellationToken cancellationToken)
    {
        var id = await SubmitAsync(Statement(sql, null, "ecomops-settings-check"), cancellationToken).ConfigureAwait(false);
        var described = await WaitAsync(id, cancellationToken).ConfigureAwait(false);
        if (described.Status != Finished)
        {
            return (described, null);
        }

        var page = await Call(() => client.GetStatementResultAsync(new GetStatementResultRequest(id), cancellationToken), "GetStatementResult").ConfigureAwait(false);
        return (described, page.Records.FirstOrDefault() ?? []);
    }

    // The caller has gone: the cancel is sent on its own short clock, and a statement that ended meanwhile is no error.
    private async Task CancelQuietlyAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.CancelStatementAsync(new CancelStatementRequest(id), timeout.Token).ConfigureAwait(false);
            LogCancelled(id);
        }
        catch (Exception e) when (e is AwsServiceException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            LogCancelFailed(id, Security.SecretRedactor.Redact(e.Message));
        }
    }

    /// <summary>Runs one statement to its end; a FAILED or ABORTED one throws with Redshift's error text.</summary>
    private async Task<DescribeStatementResponse> RunAsync(string sql, IReadOnlyList<LoadMonitoringSql.Parameter>? parameters, string what, CancellationToken cancellationToken)
    {
        var id = await SubmitAsync(Statement(sql, parameters, "ecomops: " + what), cancellationToken).ConfigureAwait(false);
        var described = await WaitAsync(id, cancellationToken).ConfigureAwait(false);
        EnsureFinished(described, what);
        return described;
    }

    private void EnsureFinished(DescribeStatementResponse described, string what)
    {
        if (described.Status == Failed)
        {
            throw new RedshiftStatementException(described.Id, described.Error,
                $"Redshift could not {what} on the {TargetDescription}: {ErrorText(described)} (statement {described.Id}).");
        }

        if (described.Status == Aborted)
        {
            throw new RedshiftStatementException(described.Id, described.Error,
                $"The statement to {what} was cancelled on the {TargetDescription} (statement {described.Id}) before it finished.");
        }
    }

    /// <summary>The error of the statement, or of the first failed statement of a batch.</summary>
    internal static string ErrorText(DescribeStatementResponse described) =>
        FirstLine(described.Error ?? described.SubStatements?.FirstOrDefault(s => s.Error is not null)?.Error ?? "no error text given");

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        // Redshift's errors come as 'ERROR: message' with detail lines after it: the first line says what.
        var line = trimmed.Split('\n')[0].Trim();
        return line.StartsWith("ERROR:", StringComparison.OrdinalIgnoreCase) ? line[6..].Trim() : line;
    }

    /// <summary>A finished statement's rows, every page (stopping after <paramref name="maxRows"/> rows), with its columns.</summary>
    private async Task<(IReadOnlyList<ColumnMetadata> Columns, List<IReadOnlyList<Field>> Rows, bool Truncated)> ResultAsync(
        DescribeStatementResponse described, int maxRows, CancellationToken cancellationToken)
    {
        var rows = new List<IReadOnlyList<Field>>();
        IReadOnlyList<ColumnMetadata> columns = [];
        if (described.HasResultSet == false)
        {
            return (columns, rows, false);
        }

        await foreach (var page in client.GetStatementResultPagesAsync(new GetStatementResultRequest(described.Id), cancellationToken).ConfigureAwait(false))
        {
            if (columns.Count == 0 && page.ColumnMetadata is { Count: > 0 } metadata)
            {
                columns = metadata;
            }

            foreach (var record in page.Records)
            {
                if (rows.Count == maxRows)
                {
                    return (columns, rows, true);
                }

                rows.Add(record);
            }
        }

        return (columns, rows, false);
    }

    private async Task<List<IReadOnlyList<Field>>> RowsAsync(string sql, IReadOnlyList<LoadMonitoringSql.Parameter>? parameters, string what, CancellationToken cancellationToken)
    {
        var described = await RunAsync(sql, parameters, what, cancellationToken).ConfigureAwait(false);
        return (await ResultAsync(described, int.MaxValue, cancellationToken).ConfigureAwait(false)).Rows;
    }

    // AccessDenied and its kind are final and need someone to act: say on what, and keep the code and request id.
    private async Task<T> Call<T>(Func<Task<T>> call, string operation)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (!e.IsRetryable)
        {
            var hint = e.ErrorCode switch
            {
                "AccessDeniedException" => $" Allow redshift-data:{operation} for the dashboard's identity, and "
                    + (Target.EffectiveWorkgroup is null ? (string.IsNullOrWhiteSpace(Target.SecretArn) ? "redshift:GetClusterCredentials" : "secretsmanager:GetSecretValue on EcomOps:Aws:Redshift:SecretArn")
                        : "redshift-serverless:GetCredentials") + " (see iam/).",
                "ResourceNotFoundException" => " Check EcomOps:Aws:Redshift:WorkgroupName or ClusterIdentifier, and EcomOps:Aws:Region.",
                "ValidationException" => " Check EcomOps:Aws:Redshift (workgroup or cluster, DbUser or SecretArn, Database).",
                "ActiveStatementsExceededException" => " Too many statements run at once; lower EcomOps:Jobs:EngineLimits:redshift.",
                _ => "",
            };
            throw new RedshiftStatementException(null, e.ServiceMessage, $"The {TargetDescription} refused {operation}: {e.ErrorCode} (request id {e.RequestId ?? "none"}): {e.ServiceMessage ?? "no message"}.{hint}", e);
        }
    }

    // The Data API takes every parameter as text and Redshift casts it (the SQL says to what).
    internal static string ParameterText(object value) => value switch
    {
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // Field unions: exactly one member set. The Data API sends numerics, dates and timestamps as strings.
    internal static long Long(Field field) =>
        field.LongValue ?? (field.StringValue is { } s ? long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture) : field.DoubleValue is { } d ? (long)d : 0);

    internal static long? NullableLong(Field field) => field.IsNull == true ? null : Long(field);

    internal static string Text(Field field) =>
        field.IsNull == true ? "" : field.StringValue ?? field.LongValue?.ToString(CultureInfo.InvariantCulture)
            ?? field.DoubleValue?.ToString(CultureInfo.InvariantCulture) ?? field.BooleanValue?.ToString(CultureInfo.InvariantCulture) ?? "";

    internal static DateTime? Time(Field field) =>
        field.IsNull == true || field.StringValue is not { Length: > 0 } s ? null
            : DateTime.SpecifyKind(DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Unspecified);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redshift statement {StatementId} cancelled")]
    private partial void LogCancelled(string statementId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redshift statement {StatementId} could not be cancelled: {Reason}")]
    private partial void LogCancelFailed(string statementId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redshift statement {StatementId} left running: EcomOps is stopping, and follows it again at the next start")]
    private partial void LogLeftRunning(string statementId);
}

/// <summary>A Redshift Data API statement (or call) that failed; the message names the target, the statement and Redshift's error.</summary>
public sealed class RedshiftStatementException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public RedshiftStatementException(string? statementId, string? redshiftError, string message, Exception? inner = null)
        : base(Security.SecretRedactor.Redact(message), inner)
    {
        StatementId = statementId;
        // Redshift's errors can quote the statement, a COPY's keys and all.
        RedshiftError = Security.SecretRedactor.Redact(redshiftError);
    }

    /// <summary>The Data API statement id, when a statement was submitted.</summary>
    public string? StatementId { get; }

    /// <summary>Redshift's own error text, as DescribeStatement (or the service) gave it.</summary>
    public string? RedshiftError { get; }
}
