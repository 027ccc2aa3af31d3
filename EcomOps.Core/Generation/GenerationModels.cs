using EcomOps.Core.Datasets;

namespace EcomOps.Core.Generation;

/// <summary>Rows of one dataset as they would be written, for showing before writing.</summary>
public sealed record DatasetPreview(DatasetSchema Dataset, long TotalRows, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>Progress of one dataset being written.</summary>
public readonly record struct GenerationProgress(string Dataset, long Rows, long TotalRows, long Bytes);

/// <summary>One file generation wrote.</summary>
/// <param name="Location">The lake key when <paramref name="InLake"/>, else the full file path.</param>
public sealed record GeneratedFile(string Dataset, string Location, long Rows, long Bytes, bool InLake);

/// <summary>What a generation wrote, and how long it took.</summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedFile> Files, TimeSpan Duration);
