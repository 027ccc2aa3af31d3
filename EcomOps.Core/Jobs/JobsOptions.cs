using Microsoft.Extensions.Options;

namespace EcomOps.Core.Jobs;

/// <summary>Settings of the <c>EcomOps:Jobs</c> section: concurrency limits and the queue.</summary>
public sealed class JobsOptions
{
    public const string Section = "EcomOps:Jobs";

    /// <summary>
    /// <c>EcomOps:Jobs:MaxConcurrentRuns</c>: runs that may work on this machine at once (the
    /// <see cref="JobResources.Local"/> resource). Default 2: each run already uses both cores of a small machine.
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = 2;

    /// <summary><c>EcomOps:Jobs:MaxRunsPerDataset</c>: runs that may work on one dataset at once. Default 1.</summary>
    public int MaxRunsPerDataset { get; set; } = 1;

    /// <summary><c>EcomOps:Jobs:MaxQueuedRuns</c>: runs that may wait; one more is refused with a message. Default 100.</summary>
    public int MaxQueuedRuns { get; set; } = 100;

    /// <summary>
    /// <c>EcomOps:Jobs:EngineLimits:&lt;engine&gt;</c>: runs that may use a remote engine at once, such as
    /// <c>EcomOps:Jobs:EngineLimits:athena = 10</c> (keep it within the service's own quota). An engine without a
    /// limit is unlimited. Default: <c>glue</c> 1, as the Glue job allows one run at a time (MaxConcurrentRuns 1,
    /// one job bookmark), so conversions of several datasets queue here rather than being refused by Glue; and
    /// <c>glue-crawler</c> 1, as a crawler runs one crawl at a time.
    /// </summary>
    public Dictionary<string, int> EngineLimits { get; set; } = new(StringComparer.Ordinal) { ["glue"] = 1, ["glue-crawler"] = 1 };

    /// <summary>
    /// <c>EcomOps:Jobs:ReattachRemoteRuns</c>: at start-up, follow remote runs (Glue, Athena, Redshift Data)
    /// that a stopped process had started, until they end. Default true; the CLI turns it off, so a short
    /// command does not take over runs that the dashboard should follow.
    /// </summary>
    public bool ReattachRemoteRuns { get; set; } = true;

    /// <summary>The limit of a resource (<see cref="JobResources"/>), or <see cref="int.MaxValue"/> for none.</summary>
    public int LimitOf(string resource) =>
        resource == JobResources.Local ? MaxConcurrentRuns
        : resource.StartsWith(JobResources.DatasetPrefix, StringComparison.Ordinal) ? MaxRunsPerDataset
        : resource.StartsWith(JobResources.EnginePrefix, StringComparison.Ordinal) && EngineLimits.TryGetValue(resource[JobResources.EnginePrefix.Length..], out var limit) ? limit
        : int.MaxValue;
}

/// <summary>Start-up checks of <see cref="JobsOptions"/> whose messages name the key.</summary>
internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        if (options.MaxConcurrentRuns < 1)
        {
            failures.Add($"EcomOps:Jobs:MaxConcurrentRuns is {options.MaxConcurrentRuns}; set at least 1 (default 2).");
        }

        if (options.MaxRunsPerDataset < 1)
        {
            failures.Add($"EcomOps:Jobs:MaxRunsPerDataset is {options.MaxRunsPerDataset}; set at least 1 (default 1).");
        }

        if (options.MaxQueuedRuns < 1)
        {
            failures.Add($"EcomOps:Jobs:MaxQueuedRuns is {options.MaxQueuedRuns}; set at least 1 (default 100).");
        }

        foreach (var (engine, limit) in options.EngineLimits.Where(l => l.Value < 1))
        {
            failures.Add($"EcomOps:Jobs:EngineLimits:{engine} is {limit}; set at least 1, or remove it for no limit.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
