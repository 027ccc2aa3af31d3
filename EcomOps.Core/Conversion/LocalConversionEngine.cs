using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Conversion;

/// <summary>
/// The conversion engine that runs <see cref="ParquetConverter"/> in this process, over the lake's store, with the
/// store's folder swap when the backend registers one.
/// </summary>
internal sealed class LocalConversionEngine(IObjectStore lake, TimeProvider time, ILogger<ParquetConverter> logger, IAtomicPrefixSwap? prefixSwap = null) : IConversionEngine
{
    public string Name => "in-process";

    public IReadOnlyList<string> Resources { get; } = [JobResources.Local];

    public async Task ConvertAsync(JobContext context, ConversionRequest request, CancellationToken cancellationToken)
    {
        var step = request.Dataset.Name;
        var begun = false;
        var converter = new ParquetConverter(logger, time, prefixSwap);

        // Progress in bytes of CSV read: the total is known up front, so the bar has a percentage and an ETA.
        var progress = new SyncProgress<ConversionProgress>(p =>
        {
            if (!begun)
            {
                context.BeginStep(step, p.TotalBytes, JobUnits.Bytes);
                begun = true;
            }

            context.Report(step, p.BytesRead, p.BytesRead);
            context.SetCounts(c => c with { RowsRead = p.RowsRead, BytesRead = p.BytesRead, RowsRejected = p.RowsRejected });
        });
        try
        {
            var result = await converter.ConvertAsync(request, lake, progress, cancellationToken).ConfigureAwait(false);
            context.CompleteStep(step, result.BytesRead, result.BytesRead);
            context.SetCounts(c => c with { RowsRead = result.RowsRead, BytesRead = result.BytesRead, RowsRejected = result.RowsRejected });
            foreach (var file in result.Files)
            {
                context.AddOutput(new JobOutput(step, file.Key, file.Bytes, file.Rows, true));
            }

            if (result.QuarantineKey is { } quarantine)
            {
                context.AddOutput(new JobOutput(step, quarantine, 0, 0, true));
            }
        }
        catch (ConversionFailedException e) when (e.QuarantineKey is not null)
        {
            context.SetCounts(c => c with { RowsRejected = e.RowsRejected });
            context.AddOutput(new JobOutput(step, e.QuarantineKey, 0, 0, true));
            throw;
        }
    }
}
