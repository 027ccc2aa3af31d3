using EcomOps.Core.Jobs;

namespace EcomOps.Core.Conversion;

/// <summary>
/// What runs a conversion for the configured backend: the in-process converter (<see cref="LocalConversionEngine"/>),
/// or a Glue job on AWS. Registered once per backend; the conversion job runs whichever is registered.
/// </summary>
public interface IConversionEngine
{
    /// <summary>Shown with each run's parameters, such as <c>in-process</c> or <c>glue</c>.</summary>
    string Name { get; }

    /// <summary>The resources a run holds besides its dataset (<see cref="JobResources"/>): this machine's, or a remote engine's.</summary>
    IReadOnlyList<string> Resources { get; }

    /// <summary>
    /// Converts one dataset and commits it, reporting progress, counts, outputs (the Parquet files and the
    /// quarantine file) through <paramref name="context"/>.
    /// </summary>
    /// <exception cref="ConversionFailedException">Nothing was committed; the message says why.</exception>
    Task ConvertAsync(JobContext context, ConversionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// True when the engine's runs go on remotely after EcomOps stops and can be followed again from the external id
    /// they recorded (<see cref="JobContext.SetExternalIdAsync"/>). False by default: in-process work ends with it.
    /// </summary>
    bool CanResume => false;

    /// <summary>
    /// Follows the remote run <paramref name="externalId"/> that an earlier process started for
    /// <paramref name="request"/> until it ends, recording its outcome as <see cref="ConvertAsync"/> would. Only
    /// called when <see cref="CanResume"/> is true.
    /// </summary>
    /// <exception cref="ConversionFailedException">The remote run failed; nothing was committed.</exception>
    Task ResumeAsync(JobContext context, ConversionRequest request, string externalId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The {Name} conversion engine cannot follow a run started by another process.");
}
