using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;

namespace EcomOps.Core.Conversion;

/// <summary>A conversion run: one dataset's raw CSVs to Parquet.</summary>
public sealed record ConversionJob(string Dataset, ConversionOptions Options) : IJobParameters;

/// <summary>Runs <see cref="ConversionJob"/>s on the conversion engine of the configured backend.</summary>
internal sealed class ConversionJobHandler(IConversionEngine engine, ConversionService conversion, ConversionLocks locks) : JobHandler<ConversionJob>
{
    public override string Kind => JobKinds.Convert;

    public override bool CanResume => engine.CanResume;

    public override JobPlan Plan(ConversionJob parameters)
    {
        var dataset = DatasetRegistry.Get(parameters.Dataset);
        var options = parameters.Options;
        options.EnsureValid();
        var display = new Dictionary<string, string>
        {
            ["compression"] = options.Compression.ToString().ToLowerInvariant(),
            ["partitioning"] = dataset.MonthPartitionColumn is not null && options.Partitioning == Partitioning.Month ? "year=YYYY/month=MM" : "none",
            ["mode"] = options.Mode.ToString().ToLowerInvariant(),
            ["max errors"] = options.MaxErrors.ToString(CultureInfo.InvariantCulture),
            ["row group rows"] = options.RowGroupRows.ToString(CultureInfo.InvariantCulture),
            ["source"] = $"raw/{dataset.Name}/*.csv",
            ["target"] = $"parquet/{dataset.Name}/",
            ["engine"] = engine.Name,
        };
        return new JobPlan($"Convert {dataset.Name} to Parquet", [dataset.Name], display, dataset.Name, engine.Resources);
    }

    public override async Task RunAsync(JobContext context, ConversionJob parameters, CancellationToken cancellationToken)
    {
        // Two runs of one dataset in two processes would each stage and swap in their own output, one undoing the
        // other (an append losing the other's rows) and one's recovery deleting the other's staging: the second is refused.
        using var held = await locks.AcquireForRunAsync(parameters.Dataset, cancellationToken).ConfigureAwait(false)
            ?? throw new ConversionFailedException(await conversion.BusyMessageAsync(parameters.Dataset, context.RunId, cancellationToken).ConfigureAwait(false));
        await conversion.RecoverBeforeRunAsync(parameters.Dataset, cancellationToken).ConfigureAwait(false);
        await engine.ConvertAsync(context, parameters.Options.RequestFor(DatasetRegistry.Get(parameters.Dataset), context.RunId), cancellationToken).ConfigureAwait(false);
    }

    // No recovery here: the remote run owns its output, and local staging belongs to runs of this process.
    public override Task ResumeAsync(JobContext context, ConversionJob parameters, string externalId, CancellationToken cancellationToken) =>
        engine.ResumeAsync(context, parameters.Options.RequestFor(DatasetRegistry.Get(parameters.Dataset), context.RunId), externalId, cancellationToken);
}
