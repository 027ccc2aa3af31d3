namespace EcomOps.Core.Jobs;

/// <summary>
/// The parameters of one kind of job: a record that System.Text.Json can round-trip. It is stored with the
/// run, so the run can be started again (<see cref="IJobRunner.RetryAsync"/>) or rebuilt after a restart.
/// Each parameters type has exactly one <see cref="IJobHandler"/>.
/// </summary>
public interface IJobParameters;

/// <summary>What a run of a job looks like before it starts: title, steps, and what it competes for.</summary>
/// <param name="Title">What the run does, for lists and headings.</param>
/// <param name="Steps">Names of the steps that report progress separately (for example one per dataset), in order.</param>
/// <param name="Parameters">The parameters as people read them, shown in the run's details.</param>
/// <param name="Dataset">The dataset it works on, if one; it then also holds that dataset's resource.</param>
/// <param name="Resources">
/// What the run holds while it works, each limited by <see cref="JobsOptions"/>: <see cref="JobResources.Local"/>
/// (this machine's cores) unless given, plus the dataset's. Remote work holds its engine instead of Local.
/// </param>
public sealed record JobPlan(
    string Title,
    IReadOnlyList<string> Steps,
    IReadOnlyDictionary<string, string> Parameters,
    string? Dataset = null,
    IReadOnlyList<string>? Resources = null)
{
    /// <summary>The resources the run holds: the ones given (or Local), and its dataset's.</summary>
    public IReadOnlyList<string> AllResources =>
        [.. (Resources ?? [JobResources.Local]).Concat(Dataset is null ? [] : [JobResources.Dataset(Dataset)]).Distinct(StringComparer.Ordinal)];
}

/// <summary>Names of the resources runs hold; each has a concurrency limit in <see cref="JobsOptions"/>.</summary>
public static class JobResources
{
    /// <summary>Work done on this machine's cores (generation, conversion, uploads, DuckDB).</summary>
    public const string Local = "local";

    internal const string DatasetPrefix = "dataset:";
    internal const string EnginePrefix = "engine:";

    /// <summary>Work on one dataset: its raw CSVs and Parquet must not change under another run.</summary>
    public static string Dataset(string name) => DatasetPrefix + name;

    /// <summary>A remote engine (<c>glue</c>, <c>athena</c>, <c>redshift</c>), limited by <see cref="JobsOptions.EngineLimits"/>.</summary>
    public static string Engine(string name) => EnginePrefix + name;
}

/// <summary>
/// One kind of job, registered in DI (<c>AddJobHandler</c>). The runner picks the handler by the type of the
/// parameters a run is started with, and by <see cref="Kind"/> when it rebuilds a stored run.
/// </summary>
public interface IJobHandler
{
    /// <summary>Machine name of the kind, stored in <see cref="JobRun.Kind"/>, such as <c>convert</c>.</summary>
    string Kind { get; }

    /// <summary>The parameters record this handler runs.</summary>
    Type ParametersType { get; }

    /// <summary>True when a run that recorded an <see cref="JobRun.ExternalId"/> can be followed again after a restart.</summary>
    bool CanResume { get; }

    /// <summary>The run's title, steps and resources. Throws <see cref="ArgumentException"/> for parameters it cannot run.</summary>
    JobPlan Plan(IJobParameters parameters);

    /// <summary>Does the work, reporting through <paramref name="context"/>; honours the token.</summary>
    Task RunAsync(JobContext context, IJobParameters parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Follows remote work started by an earlier process until it ends, after a restart. Only called when
    /// <see cref="CanResume"/> is true and the run had recorded <paramref name="externalId"/>.
    /// </summary>
    Task ResumeAsync(JobContext context, IJobParameters parameters, string externalId, CancellationToken cancellationToken);
}

/// <summary>Base class of handlers: typed parameters, and no remote work unless <see cref="ResumeAsync(JobContext, TParameters, string, CancellationToken)"/> is overridden.</summary>
public abstract class JobHandler<TParameters> : IJobHandler
    where TParameters : class, IJobParameters
{
    public abstract string Kind { get; }

    public Type ParametersType => typeof(TParameters);

    public virtual bool CanResume => false;

    public abstract JobPlan Plan(TParameters parameters);

    public abstract Task RunAsync(JobContext context, TParameters parameters, CancellationToken cancellationToken);

    public virtual Task ResumeAsync(JobContext context, TParameters parameters, string externalId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Runs of kind '{Kind}' cannot be resumed.");

    JobPlan IJobHandler.Plan(IJobParameters parameters) => Plan(Cast(parameters));

    Task IJobHandler.RunAsync(JobContext context, IJobParameters parameters, CancellationToken cancellationToken) =>
        RunAsync(context, Cast(parameters), cancellationToken);

    Task IJobHandler.ResumeAsync(JobContext context, IJobParameters parameters, string externalId, CancellationToken cancellationToken) =>
        ResumeAsync(context, Cast(parameters), externalId, cancellationToken);

    private TParameters Cast(IJobParameters parameters) =>
        parameters as TParameters ?? throw new ArgumentException($"The '{Kind}' handler runs {typeof(TParameters).Name}, not {parameters.GetType().Name}.", nameof(parameters));
}
