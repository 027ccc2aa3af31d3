using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Pipeline;

namespace EcomOps.Web.Model;

/// <summary>
/// The Pipeline page's Start-a-run form: which steps, the generation sizes and seed, datasets, partitioning and the
/// load's source format, turned into <see cref="PipelineOptions"/>. Text parsing is here (sizes through
/// <see cref="GenerateForm"/>); the rules are Core's (<see cref="PipelineOptions.Validate"/>).
/// </summary>
public sealed class PipelineForm
{
    public GenerateForm Generation { get; } = new();

    public bool Generate { get; set; } = true;

    public bool Convert { get; set; } = true;

    public bool Crawl { get; set; } = true;

    public bool Load { get; set; } = true;

    /// <summary>A folder outside the lake holding &lt;dataset&gt;.csv files; given, the run uploads them first.</summary>
    public string SourceFolder { get; set; } = "";

    public HashSet<string> Datasets { get; } = [.. DatasetRegistry.All.Select(d => d.Name)];

    public Partitioning Partitioning { get; set; } = Partitioning.Month;

    public PipelineLoadFormat LoadFormat { get; set; } = PipelineLoadFormat.Parquet;

    public PipelineLoadMode LoadMode { get; set; } = PipelineLoadMode.Replace;

    /// <summary>What stops the run from starting, one message each; empty when it can start.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>The steps ticked, in the chain's order, upload included when a source folder is given.</summary>
    public IReadOnlyList<PipelineStep> Steps =>
    [
        .. new[]
        {
            (Generate, PipelineStep.Generate), (SourceFolder.Trim().Length > 0, PipelineStep.Upload), (Convert, PipelineStep.Convert),
            (Crawl, PipelineStep.Crawl), (Load, PipelineStep.Load),
        }.Where(s => s.Item1).Select(s => s.Item2),
    ];

    /// <summary>The options, or null with <see cref="Problems"/> filled in.</summary>
    public PipelineOptions? TryBuild()
    {
        var problems = new List<string>();
        var generation = Generate ? Generation.TryBuild() : null;
        if (Generate && generation is null)
        {
            problems.AddRange(Generation.Errors.Values);
        }

        if (Datasets.Count == 0)
        {
            problems.Add("Pick at least one dataset.");
        }

        var options = new PipelineOptions(
            Steps,
            generation,
            SourceFolder.Trim() is { Length: > 0 } folder ? folder : null,
            [.. DatasetRegistry.All.Select(d => d.Name).Where(Datasets.Contains)],
            new ConversionOptions(Partitioning: Partitioning),
            Load: new PipelineLoadOptions(LoadFormat, Mode: LoadMode));
        problems.AddRange(options.Validate());
        Problems = problems.Distinct(StringComparer.Ordinal).ToList();
        return Problems.Count == 0 ? options : null;
    }

    /// <summary>The demo's run: every step on sample-sized data (the generator's defaults), as the Overview's button starts it.</summary>
    public static PipelineOptions Demo { get; } = new(PipelineOptions.DefaultSteps, new Core.Generation.GenerationOptions());
}
