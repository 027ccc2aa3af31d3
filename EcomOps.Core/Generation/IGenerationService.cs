using EcomOps.Core.Jobs;

namespace EcomOps.Core.Generation;

/// <summary>Synthetic data generation: preview, write now, or write as a background job.</summary>
public interface IGenerationService
{
    /// <summary>The first <paramref name="rows"/> rows of each dataset exactly as they would be written.</summary>
    /// <exception cref="GenerationOptionsException">The options are invalid.</exception>
    Task<IReadOnlyList<DatasetPreview>> PreviewAsync(GenerationOptions options, int rows = 20, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the three datasets, to the lake's <c>raw/&lt;dataset&gt;/&lt;dataset&gt;.csv</c> or, when
    /// <paramref name="outputFolder"/> is given, to <c>&lt;folder&gt;/&lt;dataset&gt;.csv</c>. All three files
    /// appear together at the end; a failure or cancellation leaves the previous files as they were.
    /// </summary>
    /// <exception cref="GenerationOptionsException">The options are invalid; nothing was written.</exception>
    Task<GenerationResult> GenerateAsync(
        GenerationOptions options,
        string? outputFolder = null,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Runs <see cref="GenerateAsync"/> as a job, one step per dataset, into the lake or <paramref name="outputFolder"/>.</summary>
    /// <exception cref="GenerationOptionsException">The options are invalid; no job was started.</exception>
    JobRun StartGeneration(GenerationOptions options, string? outputFolder = null);
}
