using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Generation;

/// <summary>A generation run: write the three datasets into the lake's <c>raw/</c>, or into <paramref name="OutputFolder"/>.</summary>
public sealed record GenerationJob(GenerationOptions Options, string? OutputFolder = null) : IJobParameters;

/// <summary>Runs <see cref="GenerationJob"/>s: one step per dataset, the files as outputs.</summary>
internal sealed class GenerationJobHandler(IGenerationService generation) : JobHandler<GenerationJob>
{
    public override string Kind => JobKinds.Generate;

    public override JobPlan Plan(GenerationJob parameters)
    {
        var options = parameters.Options;
        options.EnsureValid();
        var display = new Dictionary<string, string>
        {
            ["customers"] = options.Customers.ToString(CultureInfo.InvariantCulture),
            ["products"] = options.Products.ToString(CultureInfo.InvariantCulture),
            ["transactions"] = options.Transactions.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["start"] = options.Start.ToString(DatasetRegistry.DateFormat, CultureInfo.InvariantCulture),
            ["end"] = options.End.ToString(DatasetRegistry.DateFormat, CultureInfo.InvariantCulture),
            ["locale"] = options.Locale,
            ["output"] = parameters.OutputFolder is null ? "lake raw/" : Path.GetFullPath(parameters.OutputFolder),
        };

        // Into the lake it replaces every dataset's raw CSV, so no conversion of them runs at the same time.
        IReadOnlyList<string> resources = parameters.OutputFolder is null
            ? [JobResources.Local, .. DatasetRegistry.All.Select(d => JobResources.Dataset(d.Name))]
            : [JobResources.Local];
        return new JobPlan(
            string.Create(CultureInfo.InvariantCulture, $"Generate {options.Customers:N0} / {options.Products:N0} / {options.Transactions:N0} rows (seed {options.Seed})"),
            DatasetRegistry.All.Select(d => d.Name).ToArray(),
            display,
            Resources: resources);
    }

    public override async Task RunAsync(JobContext context, GenerationJob parameters, CancellationToken cancellationToken)
    {
        var started = new HashSet<string>();
        var progress = new SyncProgress<GenerationProgress>(p =>
        {
            if (started.Add(p.Dataset))
            {
                context.BeginStep(p.Dataset, p.TotalRows);
            }

            context.Report(p.Dataset, p.Rows, p.Bytes);
        });
        var result = await generation.GenerateAsync(parameters.Options, parameters.OutputFolder, progress, cancellationToken).ConfigureAwait(false);
        foreach (var file in result.Files)
        {
            context.CompleteStep(file.Dataset, file.Rows, file.Bytes);
            context.AddOutput(new JobOutput(file.Dataset, file.Location, file.Bytes, file.Rows, file.InLake));
        }
    }
}
