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
}
