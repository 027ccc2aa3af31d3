using EcomOps.Core.Datasets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Storage;

/// <summary>
/// Local backend: at the first start on a new data root, puts the shipped <c>sample_data/</c> CSVs into the lake, so
/// a fresh clone opens on data. A lake that already exists is left alone, even if the user emptied it.
/// </summary>
internal sealed class SampleDataSeeder(IOptions<EcomOpsOptions> options, IObjectStore lake, ILogger<SampleDataSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.SeedSampleData || Directory.Exists(settings.LakeFullPath))
        {
            return;
        }

        Directory.CreateDirectory(settings.LakeFullPath);
        foreach (var dataset in DatasetRegistry.All)
        {
            var file = Path.Combine(settings.SampleDataFullPath, $"{dataset.Name}.csv");
            if (!File.Exists(file))
            {
                logger.LogWarning("Sample file {File} not found; the lake starts without {Dataset}", file, dataset.Name);
                continue;
            }

            await using var source = File.OpenRead(file);
            await using var write = await lake.OpenWriteAsync(dataset.RawKey, cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(write.Stream, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Seeded {Key} from {File}", dataset.RawKey, file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
