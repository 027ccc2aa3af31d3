using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Generation;

internal sealed class GenerationService(IObjectStore lake, IJobRunner jobs, LocalFolderStores folders, IAccess access, ILogger<GenerationService> logger)
    : IGenerationService
{
    public async Task<IReadOnlyList<DatasetPreview>> PreviewAsync(GenerationOptions options, int rows = 20, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        var generator = new RowGenerator(options);
        var previews = new List<DatasetPreview>();
        foreach (var dataset in DatasetRegistry.All)
        {
            // Written by the real writer and read back, so the preview is byte for byte what the file will hold.
            var total = options.RowsFor(dataset.Name);
            using var buffer = new MemoryStream();
            await GeneratedCsv.WriteAsync(generator, dataset, Math.Min(rows, total), buffer, null, cancellationToken).ConfigureAwait(false);
            using var reader = CsvReader.Create(buffer.ToArray(), CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture });
            var parsed = new List<IReadOnlyList<string>>();
            while (reader.Read())
            {
                parsed.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
            }

            previews.Add(new DatasetPreview(dataset, total, parsed));
        }

        return previews;
    }

    public async Task<GenerationResult> GenerateAsync(
        GenerationOptions options,
        string? outputFolder = null,
        IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Generate);
        options.EnsureValid();
        var stopwatch = Stopwatch.StartNew();
        var inLake = outputFolder is null;
        var target = inLake ? lake : FolderStore(outputFolder!);
        logger.LogInformation(
            "Generating {Customers} customers, {Products} products, {Transactions} transactions (seed {Seed}, {Locale}) into {Target}",
            options.Customers, options.Products, options.Transactions, options.Seed, options.Locale, target.DisplayName);

        var generator = new RowGenerator(options);
        var writes = new List<(DatasetSchema Dataset, IObjectWrite Write, long Rows, long Bytes)>();
        try
        {
            foreach (var dataset in DatasetRegistry.All)
            {
                var rows = options.RowsFor(dataset.Name);
                var key = inLake ? dataset.RawKey : $"{dataset.Name}.csv";
                var write = await target.OpenWriteAsync(key, cancellationToken).ConfigureAwait(false);
                writes.Add((dataset, write, rows, 0));
                progress?.Report(new GenerationProgress(dataset.Name, 0, rows, 0));
                var bytes = await GeneratedCsv.WriteAsync(
                    generator,
                    dataset,
                    rows,
                    write.Stream,
                    done => progress?.Report(new GenerationProgress(dataset.Name, done, rows, write.Stream.Position)),
                    cancellationToken).ConfigureAwait(false);
                writes[^1] = (dataset, write, rows, bytes);
            }

            // Commit only once all three are complete: transactions refer to these customers and products,
            // so a half-replaced set would not join.
            var files = new List<GeneratedFile>();
            foreach (var (dataset, write, rows, bytes) in writes)
            {
                await write.CommitAsync(cancellationToken).ConfigureAwait(false);
                var location = inLake ? write.Key : Path.Combine(Path.GetFullPath(outputFolder!), write.Key);
                files.Add(new GeneratedFile(dataset.Name, location, rows, bytes, inLake));
            }

            logger.LogInformation("Generated {Files} files, {Bytes} bytes in {Elapsed}", files.Count, files.Sum(f => f.Bytes), stopwatch.Elapsed);
            return new GenerationResult(files, stopwatch.Elapsed);
        }
        finally
        {
            foreach (var (_, write, _, _) in writes)
            {
                await write.DisposeAsync().ConfigureAwait(false);
            }

            if (!inLake)
            {
                TryRemoveEmptyFolder(Path.Combine(outputFolder!, StagingFolderName));
            }
        }
    }

    public JobRun StartGeneration(GenerationOptions options, string? outputFolder = null)
    {
        access.Demand(CoreAction.Generate);
        options.EnsureValid();
        return jobs.Start(new GenerationJob(options, outputFolder));
    }

    /// <summary>Unfinished files of <c>--out</c> folders, inside the folder so the final rename stays on one file system.</summary>
    internal const string StagingFolderName = ".ecomops-staging";

    private IObjectStore FolderStore(string folder)
    {
        var full = Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        return folders(full);
    }

    private void TryRemoveEmptyFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException e)
        {
            logger.LogDebug(e, "Could not remove staging folder {Folder}", folder);
        }
    }
}
