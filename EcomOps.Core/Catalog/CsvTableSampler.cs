using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Catalog;

/// <summary>A CSV file's header and the column types of a sample of its rows, as Glue's CSV classifier gives them.</summary>
/// <param name="EstimatedRows">Exact when the sample is the whole file; else the file's size over the sampled bytes per row.</param>
/// <param name="Problem">Why the file cannot be a table's, or null.</param>
internal sealed record CsvSample(IReadOnlyList<string> Header, IReadOnlyList<CatalogColumn> Columns, long EstimatedRows, long Bytes, long Files, long BytesRead, string? Problem);

/// <summary>Reads the start of a CSV (1 MB at most, one range read) for its header and typed sample rows.</summary>
internal static class CsvTableSampler
{
    private const int SampleBytes = 1024 * 1024;
    private const int SampleRows = 1_000;

    public static async Task<CsvSample> SampleAsync(IObjectStore store, ObjectInfo file, CancellationToken cancellationToken)
    {
        var length = (int)Math.Min(file.Size, SampleBytes);
        var head = new byte[length];
        if (length > 0)
        {
            await using var stream = await store.OpenReadAsync(file.Key, new ByteRange(0, length), cancellationToken).ConfigureAwait(false);
            await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        }

        var whole = length == file.Size;
        var usable = whole ? head.AsMemory() : head.AsMemory(0, Array.LastIndexOf(head, (byte)'\n') + 1);
        using var reader = CsvReader.Create(usable, CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture });
        // CsvHelper reads the header row itself; Read() returns data rows only.
        if (usable.Length > 0)
        {
            reader.ReadHeader();
        }

        if (usable.Length == 0 || reader.Headers.Count == 0)
        {
            return new CsvSample([], [], 0, file.Size, 1, length, "it is empty: a CSV table needs a header row");
        }

        var header = reader.Headers.Select(h => h.Trim()).ToList();
        if (header.Any(string.IsNullOrEmpty) || header.Distinct(StringComparer.OrdinalIgnoreCase).Count() != header.Count)
        {
            return new CsvSample(header, [], 0, file.Size, 1, length, "its first row is not a header (empty or repeated column names)");
        }

        var rows = new List<string[]>();
        while (rows.Count < SampleRows && reader.Read())
        {
            rows.Add(Enumerable.Range(0, Math.Min(reader.FieldCount, header.Count)).Select(reader.GetString).ToArray());
        }

        // A file read whole is counted; a larger one is estimated from the bytes the sample took, as Glue estimates.
        var sampledBytes = reader.ByteOffset;
        long estimated = rows.Count;
        if (whole)
        {
            while (reader.Read())
            {
                estimated++;
            }
        }
        else if (rows.Count > 0)
        {
            estimated = (long)Math.Round((double)file.Size / Math.Max(1, sampledBytes) * rows.Count);
        }

        // A dataset's own file gets the dataset's types, exactly as its Parquet has them.
        var dataset = DatasetRegistry.Recognize(header);
        IReadOnlyList<CatalogColumn> columns = dataset is not null && HeaderComparison.Compare(dataset, header).Matches
            ? dataset.Columns.Select(c => new CatalogColumn(c.Name.ToLowerInvariant(), c.AthenaType, c.Name, "csv")).ToList()
            : header.Select((name, i) => new CatalogColumn(name.ToLowerInvariant(), Infer(rows.Select(r => i < r.Length ? r[i] : "")), name, "csv")).ToList();
        return new CsvSample(header, columns, estimated, file.Size, 1, length, null);
    }

    // Narrowest type every sampled value fits, as Glue's classifier picks: bigint, double, date, timestamp, boolean, else string.
    private static string Infer(IEnumerable<string> values)
    {
        var present = values.Where(v => v.Length > 0).ToList();
        if (present.Count == 0)
        {
            return "string";
        }

        if (present.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            return "bigint";
        }

        if (present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return "double";
        }

        if (present.All(v => ColumnValues.TryParseDate(v, out _)))
        {
            return "date";
        }

        if (present.All(v => ColumnValues.TryParseTimestamp(v, out _)))
        {
            return "timestamp";
        }

        return present.All(v => bool.TryParse(v, out _)) ? "boolean" : "string";
    }
}
