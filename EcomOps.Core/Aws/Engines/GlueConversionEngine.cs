using System.Globalization;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using JobRun = EcomOps.Core.Aws.Glue.JobRun;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// The Aws backend's conversion engine: a run of the Glue job <c>EcomOps:Aws:Glue:JobName</c>, which runs
/// <c>etl/glue/csv_to_parquet.py</c> over the lake bucket. Its JobRunId is recorded as the run's external id at once
/// and polled every <c>EcomOps:Aws:Glue:PollSeconds</c>; the run's results show Glue's state, duration, DPU-seconds,
/// error and links to its logs and console page. After SUCCEEDED the Parquet files and row counts come from the
/// <c>_manifest.json</c> the script writes. A user's cancel stops the Glue run; EcomOps stopping leaves it running,
/// and the next start follows it again (<see cref="ResumeAsync"/>). Mode append converts the CSV files new since the
/// job's bookmark; mode overwrite is a full refresh: every CSV file, the bookmark disabled for that run, and
/// <c>parquet/&lt;dataset&gt;/</c> replaced whole.
/// </summary>
internal sealed partial class GlueConversionEngine(
    GlueClient glue,
    IObjectStore lake,
    IOptions<EcomOpsOptions> ecomOps,
    IOptions<AwsOptions> aws,
    AwsEndpointResolver endpoints,
    TimeProvider time,
    ILogger<GlueConversionEngine> logger) : IConversionEngine
{
    /// <summary>The engine's name, and its resource's (<c>EcomOps:Jobs:EngineLimits:glue</c>).</summary>
    public const string EngineName = "glue";

    /// <summary>Glue's own argument choosing the job bookmark's behaviour for one run (Special Parameters Used by Glue).</summary>
    internal const string BookmarkOption = "--job-bookmark-option";

    /// <summary>"Always process the entire dataset": the run reads every file, and the stored bookmark is neither read nor moved.</summary>
    internal const string BookmarkDisabled = "job-bookmark-disable";

    /// <summary>StartJobRun attempts while the job is at its MaxConcurrentRuns (another run, not queued by this runner).</summary>
    internal const int MaxStartAttempts = 30;

    // A stop usually lands within a minute (Glue lets the Spark driver finish its current task); beyond this the run
    // ends Cancelled here and its results say Glue has not confirmed.
    private static readonly TimeSpan StopWait = TimeSpan.FromMinutes(5);

    private readonly GlueResourceOptions _settings = aws.Value.Glue;

    public string Name => EngineName;

    public IReadOnlyList<string> Resources { get; } = [JobResources.Engine(EngineName)];

    public bool CanResume => true;

    private string JobName => _settings.JobName;

    private string Region => endpoints.Resolve(AwsService.Glue).Region;

    private TimeSpan PollInterval => TimeSpan.FromSeconds(_settings.PollSeconds);

    public async Task ConvertAsync(JobContext context, ConversionRequest request, CancellationToken cancellationToken)
    {
        RefuseUnsupported(request);
        var report = new GlueRunReport(this, context, request);
        context.BeginStep(report.Step, null);
        await WarnOfAppendAfterRefreshAsync(report, request, cancellationToken).ConfigureAwait(false);
        if (request.Mode == ConversionMode.Overwrite)
        {
            // Glue reports no bytes read. A full refresh reads every file of raw/<dataset>/ (the script's paths and
            // exclusions), and uploads to the dataset wait for this run, so these are the bytes it reads: the
            // Overview's reconciliation compares them with the raw folder's.
            var bytes = await RawBytesAsync(request.Dataset.Name, cancellationToken).ConfigureAwait(false);
            context.SetCounts(c => c with { BytesRead = bytes });
        }

        var runId = await StartAsync(report, request, cancellationToken).ConfigureAwait(false);

        // Recorded even if the user cancelled meanwhile: the run exists in Glue now, and the follow below stops it.
        await context.SetExternalIdAsync(runId, CancellationToken.None).ConfigureAwait(false);
        report.Started(runId);
        logger.LogInformation("Glue job {JobName} run {JobRunId} started for {Dataset} (run {RunId})", JobName, runId, request.Dataset.Name, request.RunId);
        await FollowAsync(report, request, runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResumeAsync(JobContext context, ConversionRequest request, string externalId, CancellationToken cancellationToken)
    {
        var report = new GlueRunReport(this, context, request);
        context.BeginStep(report.Step, null);
        report.Started(externalId);
        logger.LogInformation("Following Glue job {JobName} run {JobRunId} of {Dataset} again after a restart", JobName, externalId, request.Dataset.Name);
        await FollowAsync(report, request, externalId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> RawBytesAsync(string dataset, CancellationToken cancellationToken)
    {
        var listing = await lake.ListAsync($"raw/{dataset}/", "/", cancellationToken).ConfigureAwait(false);
        return listing.Objects.Where(o => Path.GetFileName(o.Key) is var name && !name.StartsWith('_') && !name.StartsWith('.')).Sum(o => o.Size);
    }

    /// <summary>The arguments <c>csv_to_parquet.py</c> reads (see its docstring), for one request, and for a full refresh Glue's bookmark override.</summary>
    internal Dictionary<string, string> ArgumentsFor(ConversionRequest request)
    {
        var bucket = ecomOps.Value.LakeBucket;
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--source_prefix"] = $"s3://{bucket}/raw/",
            ["--target_prefix"] = $"s3://{bucket}/parquet/",
            ["--dataset"] = request.Dataset.Name,
            ["--partitioning"] = request.Partitioning == Partitioning.Month ? "month" : "none",
            ["--compression"] = ParquetWriterSettings.Name(request.Compression),
            ["--bad_records_path"] = $"s3://{bucket}/quarantine/",
            ["--max_errors"] = request.MaxErrors.ToString(CultureInfo.InvariantCulture),
            ["--mode"] = request.Mode == ConversionMode.Overwrite ? "overwrite" : "append",
            // The manifest and the quarantine folder carry this run's id, as the local converter's do, so lineage and
            // reconciliation find the run that wrote them.
            ["--run_id"] = request.RunId.ToString("D"),
        };

        // Glue's own override: a run's arguments replace the job's defaults for that run only, so the job keeps its
        // bookmark on for appends. The script's refresh reads without a transformation_ctx and so reads every file
        // anyway; disabling tells Glue so, shows it in the run's arguments and leaves the stored bookmark as it was.
        if (request.Mode == ConversionMode.Overwrite)
        {
            arguments[BookmarkOption] = BookmarkDisabled;
        }

        return arguments;
    }

    /// <summary>Refuses, before anything starts, what the Glue script cannot do as asked, saying what to choose instead.</summary>
    private static void RefuseUnsupported(ConversionRequest request)
    {
        if (request.RowGroupRows != ConversionRequest.DefaultRowGroupRows)
        {
            throw new ConversionFailedException(string.Create(CultureInfo.InvariantCulture,
                $"Row group rows {request.RowGroupRows:N0} cannot be honoured by the Glue job: Spark sizes row groups by bytes (parquet.block.size), not rows. Leave row group rows at the default {ConversionRequest.DefaultRowGroupRows:N0}, or convert {request.Dataset.Name} on the Local backend. Nothing was started."));
        }
    }

    /// <summary>
    /// A full refresh runs with the job bookmark disabled, which leaves the bookmark where the last append put it, so
    /// an append after a refresh also converts the files that arrived between that append and the refresh, already in
    /// the refreshed Parquet. The run says so rather than leave doubled rows unexplained.
    /// </summary>
    private async Task WarnOfAppendAfterRefreshAsync(GlueRunReport report, ConversionRequest request, CancellationToken cancellationToken)
    {
        if (request.Mode != ConversionMode.Append)
        {
            return;
        }

        ConversionManifest? live;
        try
        {
            live = await ConversionManifest.ReadAsync(lake, request.Dataset.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // Only a warning depends on it; the script reads the manifest itself and says what is wrong with it.
            return;
        }

        if (live?.Mode == "overwrite")
        {
            var dataset = request.Dataset.Name;
            report.Note($"The last conversion of {dataset} was a full refresh (mode overwrite), which does not move the job bookmark: this append also converts the CSV files under raw/{dataset}/ that arrived after the append before that refresh, and their rows, already in the refreshed Parquet, will be there twice. Convert with mode overwrite to have each row once.");
        }
    }

    /// <summary>StartJobRun, waiting (bounded) while Glue answers that the job already runs its maximum of runs.</summary>
    private async Task<string> StartAsync(GlueRunReport report, ConversionRequest request, CancellationToken cancellationToken)
    {
        var start = new StartJobRunRequest { JobName = JobName, Arguments = ArgumentsFor(request) };
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Not cancelled half-way: once sent, Glue may have started the run, and only its id lets us stop it.
                var started = await glue.StartJobRunAsync(start, CancellationToken.None).ConfigureAwait(false);
                return string.IsNullOrEmpty(started.JobRunId)
                    ? throw new ConversionFailedException($"Glue started job '{JobName}' for {request.Dataset.Name} but answered no JobRunId, so the run cannot be followed; see the job's runs in the Glue console.")
                    : started.JobRunId;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "ConcurrentRunsExceededException" && attempt < MaxStartAttempts)
            {
                report.Note(string.Create(CultureInfo.InvariantCulture,
                    $"Glue job '{JobName}' is already running its maximum of runs (ConcurrentRunsExceededException, request id {e.RequestId ?? "none"}), started outside this EcomOps or by another one; trying again in {_settings.PollSeconds} s (attempt {attempt} of {MaxStartAttempts})."));
                logger.LogInformation("Glue job {JobName} is at its concurrent runs limit; start attempt {Attempt} of {Max} for {Dataset}", JobName, attempt, MaxStartAttempts, request.Dataset.Name);
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e)
            {
                throw new ConversionFailedException($"Could not start Glue job '{JobName}' for {request.Dataset.Name}: {e.Message}. {StartHint(e)} Nothing was converted.");
            }
        }
    }

    private string StartHint(AwsServiceException e) => e.ErrorCode switch
    {
        "AccessDeniedException" => $"The credentials EcomOps uses need glue:StartJobRun, glue:GetJobRun and glue:BatchStopJobRun on job '{JobName}' (iam/ has the dashboard's policy).",
        "EntityNotFoundException" => $"There is no job '{JobName}' in this account and region: deploy infra/ecomops.yaml, or set EcomOps:Aws:Glue:JobName to the job's name.",
        "ConcurrentRunsExceededException" => string.Create(CultureInfo.InvariantCulture,
            $"It was still running its maximum of runs after {MaxStartAttempts} attempts: wait for the other run (see the job's runs in the Glue console) and run this again."),
        _ => "Check the job in the Glue console and run this again.",
    };

    /// <summary>Polls the Glue run to its end; a user's cancel stops it, EcomOps stopping leaves it running.</summary>
    private async Task FollowAsync(GlueRunReport report, ConversionRequest request, string runId, CancellationToken cancellationToken)
    {
        JobRun run;
        try
        {
            run = await PollToEndAsync(report, runId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !report.Context.IsStopping)
        {
            var final = await StopAsync(report, runId).ConfigureAwait(false);
            if (final?.JobRunState != GlueRunStates.Succeeded)
            {
                throw;
            }

            // It finished before the stop took: its output is committed, so the run says so rather than Cancelled.
            report.Note("Glue finished the run before the stop requested by the cancel could take effect: its output is committed.");
            run = final;
        }

        switch (run.JobRunState)
        {
            case GlueRunStates.Succeeded:
                // Also when a cancel came too late to stop it: the output exists and the history should list it.
                await RecordOutputsAsync(report, request, run, cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Glue job {JobName} run {JobRunId} of {Dataset} succeeded in {Seconds} s", JobName, runId, request.Dataset.Name, run.ExecutionTime);
                return;
            case GlueRunStates.Stopped:
                throw new ConversionFailedException(
                    $"Glue job run {runId} of '{JobName}' for {request.Dataset.Name} was stopped outside EcomOps (the Glue console, the CLI or another EcomOps). {NotCommitted(request)} Run the conversion again. Logs: {report.OutputLogsUrl(runId, run.LogGroupName)}");
            default:
                throw new ConversionFailedException(
                    $"Glue job run {runId} of '{JobName}' for {request.Dataset.Name} ended {run.JobRunState}: {run.ErrorMessage ?? "Glue gave no error message"}. {NotCommitted(request)} Logs: CloudWatch log groups {report.LogGroupOf(run.LogGroupName)}/error and /output, stream {runId}: {report.ErrorLogsUrl(runId, run.LogGroupName)}");
        }
    }

    // Spark's overwrite deletes the old output when its write starts, so a refresh that ended during the write leaves
    // the dataset without Parquet; the header and bad-row checks fail before that and leave it as it was.
    private static string NotCommitted(ConversionRequest request) => request.Mode == ConversionMode.Overwrite
        ? $"The manifest parquet/{request.Dataset.Name}/_manifest.json was not written by this run; if this full refresh (mode overwrite) ended while writing, Spark had already deleted the previous Parquet, and the dataset has none until a refresh succeeds."
        : $"The manifest parquet/{request.Dataset.Name}/_manifest.json was not updated, so readers still see the previous output.";

    private async Task<JobRun> PollToEndAsync(GlueRunReport report, string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await GetRunAsync(report, runId, cancellationToken).ConfigureAwait(false);
            report.Polled(run);
            if (GlueRunStates.IsFinal(run.JobRunState))
            {
                return run;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<JobRun> GetRunAsync(GlueRunReport report, string runId, CancellationToken cancellationToken)
    {
        try
        {
            return (await glue.GetJobRunAsync(new GetJobRunRequest(JobName, runId), cancellationToken).ConfigureAwait(false)).JobRun
                ?? throw new ConversionFailedException($"Glue answered GetJobRun for run {runId} of job '{JobName}' without the run; see the job's runs in the Glue console.");
        }
        catch (AwsServiceException e)
        {
            throw new ConversionFailedException(
                $"Could not read the state of Glue job run {runId} of '{JobName}': {e.Message}. The Glue run may still be running: see {report.ConsoleUrl(runId)}. Retrying this EcomOps run starts a new Glue run.");
        }
    }

    /// <summary>BatchStopJobRun, then polls (bounded) until Glue reports the run ended; returns its last state, or null when unknown.</summary>
    private async Task<JobRun?> StopAsync(GlueRunReport report, string runId)
    {
        using var bound = new CancellationTokenSource(StopWait, time);
        logger.LogInformation("Stopping Glue job {JobName} run {JobRunId} (cancelled by the user)", JobName, runId);
        JobRun? last = null;
        try
        {
            var answer = await glue.BatchStopJobRunAsync(new BatchStopJobRunRequest(JobName, [runId]), bound.Token).ConfigureAwait(false);
            var refused = answer.Errors?.FirstOrDefault(e => e.JobRunId == runId);
            report.Note(refused is null
                ? "Cancelled: asked Glue to stop the run (BatchStopJobRun)."
                : $"Cancelled: Glue did not accept the stop ({refused.ErrorDetail?.ErrorCode}: {refused.ErrorDetail?.ErrorMessage}); it may have ended already.");
            while (true)
            {
                last = await glue.GetJobRunAsync(new GetJobRunRequest(JobName, runId), bound.Token).ConfigureAwait(false) is { JobRun: { } run } ? run : last;
                if (last is not null)
                {
                    report.Polled(last);
                }

                if (GlueRunStates.IsFinal(last?.JobRunState))
                {
                    return last;
                }

                await Task.Delay(PollInterval, time, bound.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            report.Note($"Cancelled, but Glue still reported {last?.JobRunState ?? "no state"} after {StopWait.TotalMinutes:0} minutes of waiting for the stop; check the run in the Glue console: {report.ConsoleUrl(runId)}");
        }
        catch (Exception e) when (e is AwsServiceException or TimeoutException)
        {
            logger.LogWarning("Could not stop Glue job {JobName} run {JobRunId}: {Error}", JobName, runId, e.Message);
            report.Note($"Cancelled, but the Glue run could not be stopped ({e.Message}): it may still be running; stop it in the Glue console: {report.ConsoleUrl(runId)}");
        }

        return last;
    }
}
