using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Core.Lake;

/// <summary>Reads the schema, row count and first rows of a Parquet file for a preview.</summary>
internal static class ParquetPreviewReader
{
    public static async Task<(IReadOnlyList<PreviewColumn> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, long RowCount)> ReadAsync(
        Stream seekable, int rows, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(seekable, null, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var columns = fields.Select(f => new PreviewColumn(f.Name, TypeName(f))).ToList();
        var rowCount = reader.Metadata?.NumRows ?? 0;
        var values = new List<string?[]>();

        // Flat schemas (ours) have one value per row in every column; nested ones are read the usual way.
        var flat = reader.Schema.Fields.All(f => f is DataField { IsArray: false });
        for (var group = 0; group < reader.RowGroupCount && values.Count < rows; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var take = (int)Math.Min(rows - values.Count, rowGroup.RowCount);
            var groupColumns = new List<string?[]>();
            foreach (var field in fields)
            {
                if (flat && rowGroup.GetMetadata(field)?.MetaData is { } chunk
                    && await ParquetPageScan.LeadingPagesAsync(seekable, chunk, take, cancellationToken).ConfigureAwait(false) is { } leading)
                {
                    // The reader decodes a chunk up to its value count: make that the leading pages' count, so
                    // it reads and decodes those pages only. This metadata is this reader's own copy, thrown
                    // away with it.
                    chunk.NumValues = leading.Values;
                    chunk.TotalCompressedSize = leading.Bytes;
                }

                groupColumns.Add(await ReadColumnAsync(rowGroup, field, take, cancellationToken).ConfigureAwait(false));
            }

            for (var r = 0; r < take; r++)
            {
                values.Add(groupColumns.Select(c => c[r]).ToArray());
            }
        }

        return (columns, values.Select(r => (IReadOnlyList<string>)r.Select(v => v ?? "NULL").ToArray()).ToList(), rowCount);
    }

    private static string TypeName(DataField field) => field switch
    {
        DecimalDataField d => $"decimal({d.Precision},{d.Scale})",
        _ when field.ClrType == typeof(long) => "bigint",
        _ when field.ClrType == typeof(int) => "int",
        _ when IsText(field) => "string",
        _ when field.ClrType == typeof(DateTime) => "timestamp",
        _ when field.ClrType == typeof(DateOnly) => "date",
        _ when field.ClrType == typeof(double) => "double",
        _ when field.ClrType == typeof(float) => "float",
        _ when field.ClrType == typeof(bool) => "boolean",
        _ => field.ClrType.Name.ToLowerInvariant(),
    };

    private static async Task<string?[]> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, int take, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        if (IsText(field))
        {
            var strings = new string?[ValueCount(rowGroup, field)];
            await rowGroup.ReadAsync(field, strings.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return strings.Take(take).ToArray();
        }

        return type switch
        {
            _ when type == typeof(long) => await ReadAsync<long>(rowGroup, field, take, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(int) => await ReadAsync<int>(rowGroup, field, take, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(decimal) => await ReadAsync<decimal>(rowGroup, field, take, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(double) => await ReadAsync<double>(rowGroup, field, take, v => v.ToString("R", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(float) => await ReadAsync<float>(rowGroup, field, take, v => v.ToString("R", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(bool) => await ReadAsync<bool>(rowGroup, field, take, v => v ? "true" : "false", cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await ReadAsync<DateTime>(rowGroup, field, take, v => v.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await ReadAsync<DateOnly>(rowGroup, field, take, v => v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            _ => Enumerable.Repeat<string?>($"({type.Name})", take).ToArray(),
        };
    }

    // The values the reader will decode for this column: the row group's, or the leading pages' (see above).
    private static long ValueCount(ParquetRowGroupReader rowGroup, DataField field) =>
        rowGroup.GetMetadata(field)?.MetaData?.NumValues ?? rowGroup.RowCount;

    // Parquet.Net 6 reports text columns as ReadOnlyMemory<char>; they read back as strings.
    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<string?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int take, Func<T, string> format, CancellationToken cancellationToken)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[ValueCount(rowGroup, field)];
            await rowGroup.ReadAsync(field, nullable.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return nullable.Take(take).Select(v => v is { } x ? format(x) : null).ToArray();
        }

        var values = new T[ValueCount(rowGroup, field)];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        return values.Take(take).Select(v => (string?)format(v)).ToArray();
    }
}
