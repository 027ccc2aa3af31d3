using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Pipeline;

/// <summary>The steps of the chain, in the one order they run in.</summary>
public enum PipelineStep
{
    /// <summary>Generate the three datasets (<see cref="GenerationOptions"/>), into the lake's <c>raw/</c> or the source folder.</summary>
    Generate,

    /// <summary>Upload <c>&lt;dataset&gt;.csv</c> from the source folder outside the lake into <c>raw/&lt;dataset&gt;/</c>.</summary>
    Upload,

    /// <summary>Convert each dataset's raw CSVs to Parquet.</summary>
    Convert,

    /// <summary>Crawl the lake into the Data Catalog.</summary>
    Crawl,

    /// <summary>COPY each dataset into its warehouse table.</summary>
    Load,
}

/// <summary>Where a pipeline step is. Reused: a retry took it from the run it retries instead of running it again.</summary>
public enum PipelineStepStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Skipped,
    Reused,
}

/// <summary>What the load step reads: the converted Parquet (<c>parquet/&lt;dataset&gt;/</c>) or the raw CSVs (<c>raw/&lt;dataset&gt;/</c>).</summary>
public enum PipelineLoadFormat
{
    Parquet,
    Csv,
}

/// <summary>What the load step does with the rows already in a table.</summary>
public enum PipelineLoadMode
{
    /// <summary>The table's rows are replaced by the run's, in the load's transaction: a run can be repeated without doubling rows.</summary>
    Replace,

    /// <summary>The run's rows are added to the table's, as a bare COPY does.</summary>
    Append,
}

/// <summary>The load step's COPY: what it reads, into which tables, and how.</summary>
/// <param name="Format">Parquet (default) or the raw CSVs with their header.</param>
/// <param name="Tables">Target table per dataset; a dataset not named here loads into the table of its own name.</param>
/// <param name="MaxErrors">CSV only: bad rows a COPY may skip (Redshift's MAXERROR, default 0). Parquet takes no MAXERROR.</param>
/// <param name="IamRole">The role ARN the COPY names; null writes <c>IAM_ROLE default</c> (the local warehouse needs none).</param>
/// <param name="Mode">Replace the tables' rows (default: the chain regenerates and reconverts everything) or append to them.</param>
public sealed record PipelineLoadOptions(
    PipelineLoadFormat Format = PipelineLoadFormat.Parquet,
    IReadOnlyDictionary<string, string>? Tables = null,
    int MaxErrors = 0,
    string? IamRole = null,
    PipelineLoadMode Mode = PipelineLoadMode.Replace)
{
    /// <summary>The table <paramref name="dataset"/> loads into.</summary>
    public string TableFor(string dataset) => Tables?.GetValueOrDefault(dataset) is { Length: > 0 } table ? table : dataset;
}

/// <summary>
/// One pipeline run's choices. Steps run in the chain's order whatever order they are given in; the upload step
/// runs exactly when <paramref name="SourceFolder"/> is given (sources outside the lake), and then generation, if
/// chosen, writes there.
/// </summary>
/// <param name="Steps">The steps to run (default generate, convert, crawl, load).</param>
/// <param name="Generation">Sizes, seed, dates and locale of the generate step (default <see cref="GenerationOptions"/>' defaults).</param>
/// <param name="SourceFolder">A folder on this machine holding <c>&lt;dataset&gt;.csv</c> files to upload; null: the sources are in the lake.</param>
/// <param name="Datasets">The datasets uploaded, converted and loaded (default all three); generation always writes all three.</param>
/// <param name="Conversion">The convert step's options (default snappy, transactions_data by month, overwrite).</param>
/// <param name="Crawl">The crawl step's options (default: <c>parquet/</c> into <c>ecom</c>).</param>
/// <param name="Load">The load step's options (default Parquet into the tables named after the datasets).</param>
public sealed record PipelineOptions(
    IReadOnlyList<PipelineStep>? Steps = null,
    GenerationOptions? Generation = null,
    string? SourceFolder = null,
    IReadOnlyList<string>? Datasets = null,
    ConversionOptions? Conversion = null,
    CrawlOptions? Crawl = null,
    PipelineLoadOptions? Load = null)
{
    /// <summary>The steps when none are chosen: the whole chain on the lake's own sources.</summary>
    public static IReadOnlyList<PipelineStep> DefaultSteps { get; } = [PipelineStep.Generate, PipelineStep.Convert, PipelineStep.Crawl, PipelineStep.Load];

    /// <summary>The steps that run, in order: the chosen ones, with upload exactly when there is a source folder.</summary>
    public IReadOnlyList<PipelineStep> EffectiveSteps
    {
        get
        {
            var chosen = (Steps is { Count: > 0 } steps ? steps : DefaultSteps).Where(s => s != PipelineStep.Upload).ToHashSet();
            if (SourceFolder is not null)
            {
                chosen.Add(PipelineStep.Upload);
            }

            return [.. Enum.GetValues<PipelineStep>().Where(chosen.Contains)];
        }
    }

    public IReadOnlyList<string> EffectiveDatasets => Datasets is { Count: > 0 } datasets
        ? [.. DatasetRegistry.All.Select(d => d.Name).Where(n => datasets.Contains(n, StringComparer.Ordinal))]
        : [.. DatasetRegistry.All.Select(d => d.Name)];

    public GenerationOptions EffectiveGeneration => Generation ?? new GenerationOptions();

    public ConversionOptions EffectiveConversion => Conversion ?? new ConversionOptions(Partitioning: Partitioning.Month);

    public CrawlOptions EffectiveCrawl => Crawl ?? new CrawlOptions();

    public PipelineLoadOptions EffectiveLoad => Load ?? new PipelineLoadOptions();

    /// <summary>Every problem with the options, each naming the option and what to do; empty when they can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Steps is { Count: 0 })
        {
            problems.Add("No steps chosen: pick at least one of generate, upload, convert, crawl, load.");
        }

        if (Steps?.Any(s => !Enum.IsDefined(s)) == true)
        {
            problems.Add($"Unknown step in {string.Join(", ", Steps)}; the steps are generate, upload, convert, crawl, load.");
        }

        var steps = EffectiveSteps;
        if (Steps?.Contains(PipelineStep.Upload) == true && SourceFolder is null)
        {
            problems.Add("The upload step takes the CSVs from a folder outside the lake: give a source folder holding <dataset>.csv files, or leave upload out.");
        }

        if (SourceFolder is not null && !steps.Contains(PipelineStep.Generate) && !Directory.Exists(SourceFolder))
        {
            problems.Add($"Source folder '{SourceFolder}' does not exist; give the folder that holds the <dataset>.csv files to upload.");
        }

        foreach (var dataset in Datasets ?? [])
        {
            if (DatasetRegistry.Find(dataset) is null)
            {
                problems.Add($"Unknown dataset '{dataset}'. Use {string.Join(", ", DatasetRegistry.All.Select(d => d.Name))}.");
            }
        }

        if (steps.Contains(PipelineStep.Generate))
        {
            problems.AddRange(EffectiveGeneration.Validate().Select(e => e.Message));
        }

        Check(problems, steps.Contains(PipelineStep.Convert), () => EffectiveConversion.EnsureValid());
        Check(problems, steps.Contains(PipelineStep.Crawl), () => EffectiveCrawl.EnsureValid());
        if (steps.Contains(PipelineStep.Load))
        {
            var load = EffectiveLoad;
            if (!Enum.IsDefined(load.Format))
            {
                problems.Add($"Unknown load format {load.Format}; use parquet or csv.");
            }

            if (load.MaxErrors < 0)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"Load max errors must be 0 or more; got {load.MaxErrors}."));
            }
            else if (load.MaxErrors > 0 && load.Format == PipelineLoadFormat.Parquet)
            {
                problems.Add("Load max errors applies to CSV loads only (Redshift refuses MAXERROR with PARQUET): load the CSVs, or set it to 0.");
            }

            foreach (var (dataset, table) in load.Tables ?? new Dictionary<string, string>())
            {
                if (DatasetRegistry.Find(dataset) is null)
                {
                    problems.Add($"Load table given for unknown dataset '{dataset}'. Use {string.Join(", ", DatasetRegistry.All.Select(d => d.Name))}.");
                }

                if (string.IsNullOrWhiteSpace(table))
                {
                    problems.Add($"The load table of {dataset} is empty; name a warehouse table, or leave it out to load into {dataset}.");
                }
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="PipelineOptionsException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new PipelineOptionsException(problems);
        }
    }

    private static void Check(List<string> problems, bool when, Action check)
    {
        if (!when)
        {
            return;
        }

        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }
    }
}

/// <summary>The pipeline options cannot run; nothing was started. The message lists every problem.</summary>
public sealed class PipelineOptionsException(IReadOnlyList<string> problems) : ArgumentException(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>A step of the chain failed or was cancelled on its own; the message names the step, its run and what to do.</summary>
public sealed class PipelineStepFailedException(PipelineStep step, string message) : InvalidOperationException(message)
{
    public PipelineStep Step { get; } = step;
}

/// <summary>One step of a pipeline run.</summary>
/// <param name="ChildRunIds">
/// The job runs doing the step, in order: one for generate and crawl, one per dataset for upload, convert and load.
/// For a reused step, the runs of the earlier run that did it.
/// </param>
/// <param name="ReusedFrom">For a reused step, the pipeline run that ran it.</param>
public sealed record PipelineStepRun(
    PipelineStep Step,
    PipelineStepStatus Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<Guid> ChildRunIds,
    string? Error = null,
    Guid? ReusedFrom = null)
{
    /// <summary>The step's name as runs and the CLI show it: <c>generate</c>, <c>convert</c>...</summary>
    public string Name => PipelineSteps.Name(Step);

    /// <summary>From start to end, or to <paramref name="now"/> while running; null before it starts.</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (EndedAt ?? now) - s : null;

    /// <summary>
    /// A step's status from its child runs' latest snapshots (for a live timeline fed by <see cref="IJobRunner.Subscribe"/>):
    /// running while any runs or waits, then failed, cancelled or succeeded as the children ended.
    /// </summary>
    public static PipelineStepStatus StatusOf(IReadOnlyCollection<JobRun> children) =>
        children.Count == 0 ? PipelineStepStatus.Pending
        : children.Any(c => !c.IsFinished) ? PipelineStepStatus.Running
        : children.Any(c => c.Status is JobStatus.Failed or JobStatus.Interrupted) ? PipelineStepStatus.Failed
        : children.Any(c => c.Status == JobStatus.Cancelled) ? PipelineStepStatus.Cancelled
        : PipelineStepStatus.Succeeded;
}

/// <summary>
/// One run of the pipeline. Its id is its job run's (kind <c>pipeline</c>), so the Jobs page and
/// <see cref="IJobRunner"/> show, watch and cancel it; the child runs carry it as <see cref="JobRun.ParentId"/>.
/// </summary>
/// <param name="Status">The pipeline's job run status.</param>
/// <param name="RetryOf">The run this one retries from its failed step, if any.</param>
/// <param name="PipelineId">The saved pipeline it was started from (by hand or by its schedule), if any.</param>
/// <param name="FixedByRetry">It failed, and a later retry of it (or of a retry of it) succeeded.</param>
public sealed record PipelineRun(
    Guid Id,
    JobStatus Status,
    string StartedBy,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    PipelineOptions Options,
    IReadOnlyList<PipelineStepRun> Steps,
    string? Error,
    Guid? RetryOf = null,
    Guid? PipelineId = null,
    bool FixedByRetry = false)
{
    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;

    /// <summary>Whether <see cref="IPipelineService.RetryAsync"/> takes it: it ended without succeeding.</summary>
    public bool CanRetry => Status is JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted;

    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } s ? (EndedAt ?? now) - s : null;

    /// <summary>The step that failed or was cancelled, if any: where a retry starts.</summary>
    public PipelineStepRun? FailedStep => Steps.FirstOrDefault(s => s.Status is PipelineStepStatus.Failed or PipelineStepStatus.Cancelled);
}

/// <summary>Which pipeline runs to list, newest first.</summary>
/// <param name="Status">Only runs with this status.</param>
/// <param name="HideFixedFailures">Leave out failed runs that a later retry fixed (<see cref="PipelineRun.FixedByRetry"/>).</param>
/// <param name="PipelineId">Only runs of this saved pipeline.</param>
public sealed record PipelineRunFilter(JobStatus? Status = null, bool HideFixedFailures = false, Guid? PipelineId = null, int Limit = 100);

/// <summary>A pipeline kept under a name, with an optional schedule.</summary>
/// <param name="Cron">A cron expression (5 fields, or 6 with seconds first), or null for no schedule.</param>
/// <param name="TimeZone">The IANA (or Windows) time zone the cron expression is read in, such as <c>Europe/Paris</c>; default UTC.</param>
/// <param name="Enabled">Whether the schedule fires.</param>
/// <param name="LastFiredAt">The last occurrence the schedule started a run for (UTC).</param>
public sealed record SavedPipeline(
    Guid Id,
    string Name,
    PipelineOptions Options,
    string? Cron,
    string TimeZone,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastFiredAt = null,
    Guid? LastRunId = null);

/// <summary>What to save as a pipeline: its name, options and optional schedule.</summary>
/// <param name="Cron">A cron expression such as <c>0 2 * * *</c> (02:00 every day), or null for none.</param>
/// <param name="TimeZone">The zone the expression is read in (default <c>UTC</c>).</param>
public sealed record SavedPipelineRequest(string Name, PipelineOptions Options, string? Cron = null, string TimeZone = "UTC", bool Enabled = true);

/// <summary>Names of the steps as runs show them.</summary>
public static class PipelineSteps
{
    /// <summary>
    /// What the pipeline run's own steps count (<see cref="JobStep.Unit"/>): their child runs. A step of the pipeline's
    /// job run keeps the default unit when it never ran: reused by a retry (succeeded) or skipped (failed, cancelled).
    /// </summary>
    public const string Unit = "runs";

    public static string Name(PipelineStep step) => step.ToString().ToLowerInvariant();

    /// <summary>
    /// The step a pipeline's child run does, from its kind: lets a live timeline place a child run's snapshot (from
    /// <see cref="IJobRunner.Subscribe"/>) before the run's steps have been read back. Null for other kinds.
    /// </summary>
    public static PipelineStep? StepOf(JobRun child) => child.Kind switch
    {
        JobKinds.Generate => PipelineStep.Generate,
        JobKinds.Upload => PipelineStep.Upload,
        JobKinds.Convert => PipelineStep.Convert,
        JobKinds.Crawl => PipelineStep.Crawl,
        JobKinds.Load => PipelineStep.Load,
        _ => null,
    };

    /// <summary>Reads a step's name (<c>generate</c>, <c>upload</c>, <c>convert</c>, <c>crawl</c>, <c>load</c>); case does not matter.</summary>
    public static bool TryParse(string text, out PipelineStep step) =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out step) && Enum.IsDefined(step) && !int.TryParse(text, out _);
}
