using System.Globalization;
using System.Text;
using CsvHelper;
using EcomOps.Core.Datasets;
using Parquet;

namespace EcomOps.Core.Conversion;

// The start-up warm-up: one made-up row group through the run's own reader and writer code.
internal sealed partial class ConversionRun
{
    /// <summary>
    /// Parses <paramref name="rows"/> made-up rows of the dataset with the run's reader settings into a row group
    /// and encodes it as Parquet in memory, through the same code a run uses, so that code is loaded and compiled.
    /// </summary>
    public static async Task WarmUpAsync(DatasetSchema dataset, ParquetCompression compression, int rows, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder(dataset.CsvHeader).Append('\n');
        for (var row = 0; row < rows; row++)
        {
            csv.AppendJoin(',', dataset.Columns.Select(c => SampleValue(c, row))).Append('\n');
        }

        var interners = dataset.Columns.Select(c => c.Type == ColumnType.String ? new TextInterner() : null).ToArray();
        var buffer = new RowGroupBuffer(dataset, interners, rows, rows);
        await using (var reader = CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), ReaderOptions(_ => { }), leaveOpen: false))
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _ = TryAddRow(reader, buffer, dataset.Columns.Count);
            }
        }

        var schema = DatasetParquetSchema.For(dataset);
        using var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, output, ParquetWriterSettings.Options(dataset, compression), append: false, cancellationToken).ConfigureAwait(false))
        {
            await buffer.WriteAsync(writer, schema.DataFields, null, cancellationToken).ConfigureAwait(false);
        }

        // The commit serialises the manifest after the last row, on the critical path; its serializer is built on first use.
        var file = new ManifestFile("part.parquet", rows, output.Length, Guid.Empty, ParquetWriterSettings.Name(compression));
        _ = new ConversionManifest(
            ConversionManifest.CurrentVersion, Guid.Empty, dataset.Name, DateTimeOffset.UnixEpoch, "overwrite", file.Compression, "none", rows, output.Length,
            dataset.Columns.Select(c => new ManifestColumn(c.Name, DatasetParquetSchema.PhysicalType(c), DatasetParquetSchema.LogicalType(c))).ToList(),
            [file]).ToUtf8Json();
    }

    // A value each column accepts; text varies so both the interner and Parquet's dictionary see repeats and new values.
    private static string SampleValue(DatasetColumn column, int row) => column.Type switch
    {
        ColumnType.Int64 or ColumnType.Int32 => (row + 1).ToString(CultureInfo.InvariantCulture),
        ColumnType.Decimal => column.Scale > 0 ? string.Create(CultureInfo.InvariantCulture, $"{row % 10}.{row % 10}") : (row % 10).ToString(CultureInfo.InvariantCulture),
        ColumnType.Date => "2024-01-31",
        ColumnType.Timestamp => string.Create(CultureInfo.InvariantCulture, $"2024-01-31 13:45:{row % 60:D2}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"value {row % 16}"),
    };
}
