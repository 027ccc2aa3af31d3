using System.IO.Compression;
using EcomOps.Core.Datasets;
using Parquet;

namespace EcomOps.Core.Conversion;

/// <summary>How the converter asks Parquet.Net to write a dataset: codec, level, encodings, buffer pools.</summary>
internal static class ParquetWriterSettings
{
    // Sampling stops dictionary encoding early for text that hardly repeats (names, emails), where building
    // the dictionary only costs time; text that repeats (countries, categories) gets much smaller.
    private const int DictionarySampleSize = 10_000;

    // Parquet.Net's pooled streams keep every freed buffer by default; these caps let the GC reclaim the rest.
    private const int MaxSmallPoolFreeBytes = 4 * 1024 * 1024;
    private const int MaxLargePoolFreeBytes = 32 * 1024 * 1024;

    public static ParquetOptions Options(DatasetSchema dataset, ParquetCompression compression)
    {
        var options = new ParquetOptions
        {
            CompressionMethod = compression switch
            {
                ParquetCompression.Snappy => CompressionMethod.Snappy,
                ParquetCompression.Zstd => CompressionMethod.Zstd,
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.None => CompressionMethod.None,
                _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression."),
            },

            // Parquet.Net defaults to SmallestSize, which for zstd is level 19: tens of times slower than level 3
            // for a few percent less output.
            CompressionLevel = CompressionLevel.Optimal,
            DictionaryEncodingSampleSize = DictionarySampleSize,
            MaximumSmallPoolFreeBytes = MaxSmallPoolFreeBytes,
            MaximumLargePoolFreeBytes = MaxLargePoolFreeBytes,
        };
        foreach (var column in dataset.Columns.Where(c => c.Type == ColumnType.String))
        {
            options.ColumnEncodingHints[column.Name] = EncodingHint.Dictionary;
        }

        return options;
    }

    public static string Name(ParquetCompression compression) => compression.ToString().ToLowerInvariant();
}
