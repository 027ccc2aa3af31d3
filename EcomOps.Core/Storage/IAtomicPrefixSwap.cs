namespace EcomOps.Core.Storage;

/// <summary>
/// An optional capability of an <see cref="IObjectStore"/>: replacing every object under one prefix with the
/// objects staged under another in a single step, so that a reader listing the target sees the previous set
/// or the new set, never a mix and never half of one. <see cref="LocalObjectStore"/> has it (folder renames);
/// S3 has no such operation, so callers check for the interface and fall back to copying.
/// </summary>
public interface IAtomicPrefixSwap
{
    /// <summary>
    /// Makes the objects under <paramref name="stagingPrefix"/> the objects under <paramref name="targetPrefix"/>.
    /// Afterwards nothing is left under <paramref name="stagingPrefix"/>, and the previous objects of the target
    /// are gone unless <paramref name="keepTargetObjects"/> is true, in which case they stay beside the new ones
    /// (a staged object with the same key replaces its old version). Throws when nothing is staged. If it
    /// throws, the target is as it was.
    /// </summary>
    /// <param name="stagingPrefix">A folder-like prefix ending with '/', such as <c>_staging/parquet/x/run/</c>.</param>
    /// <param name="targetPrefix">A folder-like prefix ending with '/', such as <c>parquet/x/</c>.</param>
    /// <param name="keepTargetObjects">True to add to the target (append), false to replace it (overwrite).</param>
    /// <param name="cancellationToken">Checked before the swap starts; the swap itself is not interrupted.</param>
    Task SwapPrefixAsync(string stagingPrefix, string targetPrefix, bool keepTargetObjects, CancellationToken cancellationToken = default);

    /// <summary>
    /// Repairs swaps that a crash interrupted: where the process died between taking the previous target aside
    /// and putting the new one in place, the previous target is restored; leftovers of swaps that finished are
    /// removed. Call it at start-up, before anything swaps. Returns how many interrupted swaps were repaired.
    /// </summary>
    Task<int> RecoverPrefixSwapsAsync(CancellationToken cancellationToken = default);
}
