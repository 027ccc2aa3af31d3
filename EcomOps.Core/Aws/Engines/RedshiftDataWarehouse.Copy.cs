using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Aws.Engines;

// COPY on Redshift: the statement's text is the local warehouse's (CopyRenderer), its outcome is Redshift's own
// sys_load_history line for it.
internal sealed partial class RedshiftDataWarehouse
{
    public async Task<LoadOutcome> CopyAsync(CopyStatement copy, LoadRunContext run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(run);
        var (schema, table) = (copy.Target.Schema ?? "public", copy.Target.Name);
        await CheckTargetAsync(copy, schema, table, cancellationToken).ConfigureAwait(false);
        var sql = Render(copy);
        var name = $"ecomops: {(copy.Options.NoLoad ? "check (NOLOAD)" : "load")} {schema}.{table}";
        LogSubmitting(schema + "." + table, Security.SecretRedactor.Redact(copy.Source.Uri), TargetDescription, run.ReplaceRows);

        // Replacing: the DELETE and the COPY are one batch, which the Data API runs as one transaction, so a COPY that
        // aborts leaves the old rows.
        var id = run.ReplaceRows && !copy.Options.NoLoad
            ? await SubmitAsync(Batch([$"DELETE FROM {RedshiftDdl.Quote(schema)}.{RedshiftDdl.Quote(table)}", sql], name), cancellationToken).ConfigureAwait(false)
            : await SubmitAsync(Statement(sql, null, name), cancellationToken).ConfigureAwait(false);
        if (run.RemoteStarted is { } started)
        {
            await started(id, cancellationToken).ConfigureAwait(false);
        }

        return await FollowAsync(copy, id, run, cancellationToken).ConfigureAwait(false);
    }

    public Task<LoadOutcome> ResumeCopyAsync(CopyStatement copy, string remoteId, LoadRunContext run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentException.ThrowIfNullOrWhiteSpace(remoteId);
        ArgumentNullException.ThrowIfNull(run);
        return FollowAsync(copy, remoteId, run, cancellationToken);
    }

    // What the local warehouse refuses before it reads a row, from Redshift's catalog, with the same words.
    private async Task CheckTargetAsync(CopyStatement copy, string schema, string table, CancellationToken cancellationToken)
    {
        var tables = await UserTablesAsync(cancellationToken).ConfigureAwait(false);
        if (!tables.Contains((schema, table)) && await DeclaresAsync(schema, table, cancellationToken).ConfigureAwait(false))
        {
            // A table of sql/redshift_ddl.sql on a new namespace: created first, as the local warehouse does at its
            // first use, so the first pipeline after deploying the stack loads instead of asking for 'warehouse init'.
            await InitAsync(cancellationToken).ConfigureAwait(false);
            tables = await UserTablesAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!tables.Contains((schema, table)))
        {
            var known = string.Join(", ", tables.Order().Select(t => $"{t.Schema}.{t.Name}"));
            throw new LoadRefusedException($"The warehouse has no table {schema}.{table} (it has: {(known.Length == 0 ? "none" : known)}). Run ecomops warehouse init, or create the table first.");
        }

        var columns = await ColumnsAsync(schema, table, cancellationToken).ConfigureAwait(false);
        foreach (var column in copy.Columns.Where(n => !columns.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))))
        {
            throw new LoadRefusedException($"Column '{column}' of the column list is not in {schema}.{table} (its columns: {string.Join(", ", columns.Select(c => c.Name))}).");
        }

        if (copy.Columns.Count > 0)
        {
            foreach (var missing in columns.Where(c => c.NotNull && !copy.Columns.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
            {
                throw new LoadRefusedException($"Column {missing.Name} of {schema}.{table} is NOT NULL and not in the column list; add it to the list.");
            }
        }
    }

    private async Task<bool> DeclaresAsync(string schema, string table, CancellationToken cancellationToken)
    {
        var declared = RedshiftDdl.Parse(await File.ReadAllTextAsync(DdlPath(), cancellationToken).ConfigureAwait(false));
        return declared.Any(t => string.Equals(t.Schema, schema, StringComparison.OrdinalIgnoreCase) && string.Equals(t.Name, table, StringComparison.OrdinalIgnoreCase));
    }

    // The statement Redshift runs: the COPY's own role, else EcomOps:Aws:Redshift:CopyRoleArn, else the cluster's default.
    private string Render(CopyStatement copy)
    {
        var role = string.IsNullOrWhiteSpace(Target.CopyRoleArn) ? null : Target.CopyRoleArn;
        var authorization = copy.Authorization;
        var use = authorization.Kind switch
        {
            CopyAuthorizationKind.None or CopyAuthorizationKind.DefaultIamRole => role is null ? CopyAuthorization.DefaultRole : CopyAuthorization.Role(role),
            // A run keeps its COPY redacted, keys and all: what comes back from the run history has placeholders.
            CopyAuthorizationKind.AccessKeys when authorization.Credentials!.AccessKeyId == CopyCredentials.Placeholder => role is null
                ? throw new LoadRefusedException("This COPY's access keys were redacted when its run was stored, so Redshift cannot use them. Use IAM_ROLE, or set EcomOps:Aws:Redshift:CopyRoleArn, the role Redshift reads the lake with.")
                : CopyAuthorization.Role(role),
            _ => authorization,
        };
        return CopyRenderer.Render(copy.Form with { Authorization = use }, includeSecrets: true);
    }

    private async Task<LoadOutcome> FollowAsync(CopyStatement copy, string id, LoadRunContext run, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var table = $"{copy.Target.Schema ?? "public"}.{copy.Target.Name}";
        // Redshift tells nothing until the statement ends: the step shows as running, without a size.
        run.Progress?.Report(new LoadProgress(0, 0, 0, 0, 0, 0));
        var described = await WaitAsync(id, cancellationToken, run.LeaveRemoteRunning).ConfigureAwait(false);
        var queryId = CopyQueryId(described);
        var load = queryId is { } q ? await GetLoadAsync(q, cancellationToken).ConfigureAwait(false) : null;
        if (load is null && described.RedshiftPid is { } session && described.CreatedAt is { } created)
        {
            var latest = LoadMonitoringSql.LatestLoadOfSession(session, copy.Target.Name, created.UtcDateTime.AddMinutes(-1), ':');
            load = (await RowsAsync(latest.Sql, latest.Parameters, "read sys_load_history", cancellationToken).ConfigureAwait(false)).Select(ToLoad).FirstOrDefault();
        }

        var warnings = copy.Warnings.Select(w => w.ToString()).ToList();
        var duration = load?.Elapsed ?? (described.Duration is { } ns ? TimeSpan.FromTicks(ns / 100) : stopwatch.Elapsed);
        var noLoad = copy.Options.NoLoad;
        LoadOutcome outcome;
        if (described.Status == Finished)
        {
            var errors = load?.ErrorCount ?? 0;
            outcome = new LoadOutcome(load?.QueryId ?? queryId ?? 0, LoadStatus.Completed, load?.TableName ?? table, noLoad ? 0 : load?.LoadedRows ?? described.ResultRows ?? 0,
                noLoad ? 0 : load?.LoadedBytes ?? 0, load?.SourceFileCount ?? 0, errors, duration, noLoad, warnings,
                noLoad ? string.Create(CultureInfo.InvariantCulture, $"NOLOAD: every row was checked and {errors:N0} would be rejected (MAXERROR {copy.Options.MaxError}); nothing was loaded.") : null);
        }
        else if (described.Status == Aborted)
        {
            outcome = new LoadOutcome(load?.QueryId ?? queryId ?? 0, LoadStatus.Aborted, load?.TableName ?? table, 0, 0, load?.SourceFileCount ?? 0, load?.ErrorCount ?? 0, duration, noLoad, warnings,
                $"The COPY was cancelled on the {TargetDescription} (statement {id}); nothing was loaded.");
        }
        else
        {
            var error = ErrorText(described);
            if (IsOverMaxError(described))
            {
                // Redshift fails the statement when the rejected rows pass MAXERROR; the rows are in its load error tables.
                var rejected = load?.ErrorCount is > 0 and var count ? count
                    : queryId is { } failedQuery ? (await ErrorsAsync(failedQuery, cancellationToken).ConfigureAwait(false)).Count : 0;
                outcome = new LoadOutcome(load?.QueryId ?? queryId ?? 0, LoadStatus.Aborted, load?.TableName ?? table, 0, 0, load?.SourceFileCount ?? 0, rejected, duration, noLoad, warnings,
                    string.Create(CultureInfo.InvariantCulture,
                        $"Load into table '{copy.Target.Name}' failed: {rejected} rows were rejected, more than MAXERROR {copy.Options.MaxError}. Nothing was loaded; check stl_load_errors (query {load?.QueryId ?? queryId})."));
            }
            else if (load is not null)
            {
                outcome = new LoadOutcome(load.QueryId, LoadStatus.Failed, load.TableName, 0, 0, load.SourceFileCount, load.ErrorCount, duration, noLoad, warnings,
                    $"Load into table '{copy.Target.Name}' failed: {error} Nothing was loaded.");
            }
            else
            {
                throw new LoadRefusedException($"The {TargetDescription} refused the COPY into {table} (statement {id}): {error} Nothing was loaded.");
            }
        }

        run.Progress?.Report(new LoadProgress(outcome.Files, outcome.Files, load?.SourceFileBytes ?? 0, load?.SourceFileBytes ?? 0, outcome.LoadedRows, outcome.Errors));
        LogEnded(outcome.QueryId, outcome.Status, id, outcome.LoadedRows, outcome.Errors);
        return outcome;
    }

    // The COPY's query id: a batch's last statement is the COPY (after the DELETE).
    private static long? CopyQueryId(DescribeStatementResponse described) =>
        described.SubStatements is { Count: > 0 } subs ? subs[^1].RedshiftQueryId is > 0 and var sub ? sub : null
        : described.RedshiftQueryId is > 0 and var single ? single : null;

    private static bool IsOverMaxError(DescribeStatementResponse described) =>
        ErrorText(described) is var error
        && (error.Contains("stl_load_errors", StringComparison.OrdinalIgnoreCase) || error.Contains("sys_load_error_detail", StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Information, Message = "COPY {Table} from {Source} submitted to the {Target} (replace rows: {Replace})")]
    private partial void LogSubmitting(string table, string source, string target, bool replace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Load {QueryId} {Status} (statement {StatementId}): {Rows} rows, {Errors} rejected")]
    private partial void LogEnded(long queryId, string status, string statementId, long rows, long errors);
}
