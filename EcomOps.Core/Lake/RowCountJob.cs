using EcomOps.Core.Jobs;

namespace EcomOps.Core.Lake;

/// <summary>A background count of a large CSV's rows, for its preview. <paramref name="ETag"/> ties it to one version of the object.</summary>
public sealed record RowCountJob(string Key, string ETag, long Size) : IJobParameters;

internal sealed class RowCountJobHandler(LakeService lake) : JobHandler<RowCountJob>
{
    public override string Kind => JobKinds.CountRows;

    public override JobPlan Plan(RowCountJob parameters) =>
        new($"Count rows of {parameters.Key}", [Name(parameters)], new Dictionary<string, string> { ["key"] = parameters.Key });

    public override async Task RunAsync(JobContext context, RowCountJob parameters, CancellationToken cancellationToken)
    {
        var step = Name(parameters);
        context.BeginStep(step, parameters.Size, JobUnits.Bytes);
        var rows = await lake.CountRowsForPreviewAsync(parameters, bytes => context.Report(step, bytes, bytes), cancellationToken).ConfigureAwait(false);
        context.CompleteStep(step, parameters.Size, parameters.Size);
        context.SetCounts(c => c with { RowsRead = rows, BytesRead = parameters.Size });
    }

    private static string Name(RowCountJob parameters) => parameters.Key.Split('/')[^1];
}
