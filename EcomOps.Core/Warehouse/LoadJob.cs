using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;

namespace EcomOps.Core.Warehouse;

/// <summary>A load run: one COPY statement, kept with the run as its redacted text (no keys are ever stored).</summary>
/// <param name="ReplaceRows">The table's rows are replaced by the files' in one transaction (see <see cref="LoadRunContext.ReplaceRows"/>).</param>
public sealed record LoadJob(string Copy, bool ReplaceRows = false) : IJobParameters;

/// <summary>Loads into the warehouse, as runs of the job runner, and the warehouse's set-up.</summary>
public interface IWarehouseService
{
    /// <summary>Which warehouse loads go to.</summary>
    string WarehouseName { get; }

    /// <summary>Parses a COPY and starts it as a run; the run's result lines say what it loaded and rejected.</summary>
    /// <exception cref="CopyParseException">The text is not a COPY the warehouse can run; the message names the part and its position.</exception>
    JobRun StartLoad(string copy);
}

internal sealed class WarehouseService(IWarehouse warehouse, IJobRunner jobs, IAccess access) : IWarehouseService
{
    public string WarehouseName => warehouse.Name;

    public JobRun StartLoad(string copy)
    {
        access.Demand(CoreAction.Load);
        var statement = CopyParser.Parse(copy);
        return jobs.Start(new LoadJob(statement.Redacted));
    }
}

/// <summary>Runs <see cref="LoadJob"/>s on the backend's warehouse.</summary>
internal sealed class LoadJobHandler(IWarehouse warehouse) : JobHandler<LoadJob>
{
    internal const string LoadStep = "load";

    // How a run says it replaced the table's rows, for people on the Jobs page and for the Overview's reconciliation.
    internal const string ModeParameter = "mode";
    internal const string ReplaceMode = "replace the table's rows (in the load's transaction)";

    public override string Kind => JobKinds.Load;

    public override JobPlan Plan(LoadJob parameters)
    {
        var copy = CopyParser.Parse(parameters.Copy);
        var display = new Dictionary<string, string>
        {
            ["table"] = copy.Target.Sql,
            ["from"] = copy.Source.ToString(),
            ["format"] = copy.Options.Format.ToString().ToUpperInvariant(),
            ["max errors"] = copy.Options.MaxError.ToString(CultureInfo.InvariantCulture),
            ["copy"] = copy.Redacted,
            ["warehouse"] = warehouse.Name,
        };
        if (copy.Options.NoLoad)
        {
            display["noload"] = "check only, nothing is loaded";
        }

        if (parameters.ReplaceRows)
        {
            display[ModeParameter] = ReplaceMode;
        }

        // One load at a time on the local warehouse: its file has one writer. A remote one holds its engine's limit instead.
        return new JobPlan($"{(copy.Options.NoLoad ? "Check (NOLOAD)" : "Load")} {copy.Target.Sql} from {copy.Source.Uri}", [LoadStep], display,
            Resources: warehouse.RemoteEngine is { } engine ? [JobResources.Engine(engine)] : [JobResources.Local, JobResources.Dataset("warehouse")]);
    }

    public override bool CanResume => warehouse.CanResume;

    public override Task RunAsync(JobContext context, LoadJob parameters, CancellationToken cancellationToken) =>
        LoadAsync(context, parameters, (copy, run) => warehouse.CopyAsync(copy, run with { RemoteStarted = context.SetExternalIdAsync }, cancellationToken));

    // After a restart: the statement the earlier process submitted is followed to its end, with the same results.
    public override Task ResumeAsync(JobContext context, LoadJob parameters, string externalId, CancellationToken cancellationToken) =>
        LoadAsync(context, parameters, (copy, run) => warehouse.ResumeCopyAsync(copy, externalId, run, cancellationToken));

    private async Task LoadAsync(JobContext context, LoadJob parameters, Func<CopyStatement, LoadRunContext, Task<LoadOutcome>> load)
    {
        var copy = CopyParser.Parse(parameters.Copy);
        var begun = false;
        long bytesRead = 0;
        var progress = new SyncProgress<LoadProgress>(p =>
        {
            if (!begun)
            {
                // A remote warehouse tells no size until the load ends: the step shows running, without a total.
                context.BeginStep(LoadStep, p.BytesTotal > 0 ? p.BytesTotal : null, JobUnits.Bytes);
                begun = true;
            }

            bytesRead = p.BytesDone;
            context.Report(LoadStep, p.BytesDone, p.BytesDone);
            context.SetCounts(c => c with { RowsWritten = p.Rows, RowsRejected = p.Errors, BytesRead = p.BytesDone });
        });
        var run = new LoadRunContext(context.StartedBy, progress, ReplaceRows: parameters.ReplaceRows)
        {
            // EcomOps stopping, not a user's cancel: the statement goes on, and the next start follows it again.
            LeaveRemoteRunning = () => context.IsStopping,
        };
        var outcome = await load(copy, run).ConfigureAwait(false);
        context.SetCounts(c => c with { RowsWritten = outcome.LoadedRows, RowsRejected = outcome.Errors });
        var results = new List<JobResult>
        {
            new("load (query id)", outcome.QueryId.ToString(CultureInfo.InvariantCulture)),
            new("status", outcome.Status),
            new("rows loaded", outcome.LoadedRows.ToString("N0", CultureInfo.InvariantCulture)),
            new("rows rejected", outcome.Errors.ToString("N0", CultureInfo.InvariantCulture)),
            new("files", outcome.Files.ToString(CultureInfo.InvariantCulture)),
            new("duration", string.Create(CultureInfo.InvariantCulture, $"{outcome.Duration.TotalSeconds:0.000} s")),
        };
        if (outcome.RowByRowReason is { } rowByRow)
        {
            results.Add(new JobResult("read row by row", rowByRow));
        }

        results.AddRange(outcome.Warnings.Select(w => new JobResult("warning", w)));
        if (outcome.Message is { } message)
        {
            results.Add(new JobResult(outcome.NoLoad ? "noload" : "message", message));
        }

        context.SetResults(results);
        if (outcome.Status != LoadStatus.Completed)
        {
            throw new LoadRefusedException(outcome.Message ?? $"The load ended {outcome.Status}.");
        }

        // The step counts bytes (BeginStep above), so it ends at the bytes read, not at the rows loaded.
        context.CompleteStep(LoadStep, bytesRead, bytesRead);
    }
}
