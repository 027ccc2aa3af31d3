using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Generation;

/// <summary>Streams a generated dataset to CSV: header, then rows formatted on every core, written in id order.</summary>
internal static class GeneratedCsv
{
    /// <summary>RFC 4180 quoting, LF line endings, invariant culture, no BOM.</summary>
    public static CsvWriterOptions WriterOptions { get; } = CsvWriterOptions.Default with
    {
        NewLine = "\n",
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private const int ProgressEvery = 32_768;

    /// <summary>Writes <paramref name="rows"/> rows (ids 1..rows) of a dataset and returns the bytes written.</summary>
    public static async Task<long> WriteAsync(
        RowGenerator generator,
        DatasetSchema dataset,
        long rows,
        Stream output,
        Action<long>? onRows = null,
        CancellationToken cancellationToken = default)
    {
        var start = output.CanSeek ? output.Position : 0;
        var counting = output.CanSeek ? output : new CountingStream(output);
        await using (var writer = CsvWriter.Create(counting, WriterOptions, leaveOpen: true))
        {
            writer.WriteHeader(dataset.ColumnNames.ToArray());
            await writer.ParallelWriteAsync(Ids(rows, onRows, cancellationToken), generator.WriterFor(dataset), -1, cancellationToken)
                .ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        onRows?.Invoke(rows);
        return counting is CountingStream c ? c.Written : output.Position - start;
    }

    // Enumerated on the writing thread: the natural place to check cancellation and count progress.
    private static IEnumerable<long> Ids(long rows, Action<long>? onRows, CancellationToken cancellationToken)
    {
        for (long id = 1; id <= rows; id++)
        {
            if (id % ProgressEvery == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onRows?.Invoke(id);
            }

            yield return id;
        }
    }
}
