using System.Globalization;
using EcomOps.Core.Catalog;

namespace EcomOps.Core.Query;

/// <summary>Athena's price for SQL queries, as its pricing page states it (us-east-1 and most regions).</summary>
public static class AthenaPricing
{
    /// <summary>US dollars per terabyte scanned.</summary>
    public const decimal UsdPerTerabyte = 5m;

    /// <summary>A megabyte as AWS bills it: 2^20 bytes.</summary>
    public const long BytesPerMegabyte = 1L << 20;

    /// <summary>A terabyte as AWS bills it: 2^40 bytes.</summary>
    public const long BytesPerTerabyte = 1L << 40;

    /// <summary>Every query is billed at least 10 MB, however little it scans.</summary>
    public const long MinimumBilledBytes = 10 * BytesPerMegabyte;

    /// <summary>The bytes Athena bills for a query that scans <paramref name="bytesScanned"/>: rounded up to the next MB, at least <see cref="MinimumBilledBytes"/>.</summary>
    public static long BilledBytes(long bytesScanned)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesScanned);
        var megabytes = (bytesScanned / BytesPerMegabyte) + (bytesScanned % BytesPerMegabyte == 0 ? 0 : 1);
        return Math.Max(megabytes * BytesPerMegabyte, MinimumBilledBytes);
    }

    /// <summary>US dollars for <paramref name="billedBytes"/>; exact, since a billed size is whole megabytes.</summary>
    public static decimal CostUsd(long billedBytes) => billedBytes * UsdPerTerabyte / BytesPerTerabyte;
}

/// <summary>
/// What a query would scan on Athena and cost, computed from the catalog before it runs.
/// </summary>
/// <remarks>
/// <para>Partitions: Athena reads only the partitions the filters on partition keys keep. Equality, <c>!=</c>,
/// <c>in</c>, <c>between</c> and comparisons on the keys are decided here, comparing as strings as Athena does
/// (the keys are typed <c>string</c>: <c>'9' &gt; '10'</c>); <c>like</c>, null tests and filters on other columns
/// keep every partition, since they cannot prune one for sure.</para>
/// <para>Columns: Parquet is columnar, so Athena reads only the columns the query uses. The catalog has no per-column
/// sizes, so the kept bytes are scaled by the share of the table's data columns the query uses, an approximation by
/// column count: a wide string column costs more than its share and a small integer less. Partition keys cost
/// nothing (they are in the paths). A CSV table is read whole, every column.</para>
/// <para>Row-group skipping by Parquet statistics can make Athena scan less than this; the estimate is an upper bound
/// in that respect.</para>
/// </remarks>
/// <param name="Bytes">Bytes the query would scan (estimated).</param>
/// <param name="BilledBytes">Bytes billed: <see cref="Bytes"/> rounded up to the next MB, at least 10 MB.</param>
/// <param name="CostUsd">US dollars at <see cref="AthenaPricing.UsdPerTerabyte"/>.</param>
/// <param name="PartitionsRead">Partitions kept by the filters; 0 for a table without partitions.</param>
/// <param name="PartitionsTotal">The table's partitions.</param>
/// <param name="ColumnsRead">Data columns the query uses (all of them for CSV).</param>
/// <param name="ColumnsTotal">The table's data columns, partition keys not counted.</param>
public sealed record ScanEstimate(long Bytes, long BilledBytes, decimal CostUsd, int PartitionsRead, int PartitionsTotal, int ColumnsRead, int ColumnsTotal)
{
    /// <summary>One line for the builder, such as <c>Scans ~1.5 MB (3 of 12 partitions, 2 of 6 columns); billed 10 MB (the minimum): $0.000048</c>.</summary>
    public string Description
    {
        get
        {
            var partitions = PartitionsTotal > 0 ? string.Create(CultureInfo.InvariantCulture, $"{PartitionsRead} of {PartitionsTotal} partitions, ") : "";
            var billed = BilledBytes == AthenaPricing.MinimumBilledBytes && Bytes < AthenaPricing.MinimumBilledBytes ? " (the minimum)" : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"Scans ~{Size(Bytes)} ({partitions}{ColumnsRead} of {ColumnsTotal} columns); billed {Size(BilledBytes)}{billed}: ${CostUsd:0.00####}");
        }
    }

    /// <summary>The estimate for <paramref name="spec"/> over <paramref name="table"/> with its <paramref name="partitions"/> (from <see cref="ICatalog.GetPartitionsAsync"/>).</summary>
    /// <exception cref="ArgumentException">The spec does not fit the table, as <see cref="QuerySqlBuilder.ToSql(QuerySpec, CatalogTable)"/> says.</exception>
    public static ScanEstimate Compute(QuerySpec spec, CatalogTable table, IReadOnlyList<CatalogPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(partitions);

        // Date ranges never prune (they are on date and timestamp columns, never on the string partition keys), so
        // any day resolves them for the estimate.
        var plan = QueryPlan.Create(spec.ResolveDates(DateTimeOffset.UnixEpoch), table);

        long kept;
        var partitionsRead = 0;
        if (table.PartitionKeys.Count == 0)
        {
            kept = table.SizeKey;
        }
        else
        {
            kept = 0;
            foreach (var partition in partitions.Where(p => plan.PartitionFilters.All(f => Keeps(p, f.KeyIndex, f.Filter))))
            {
                kept += partition.SizeBytes;
                partitionsRead++;
            }
        }

        var total = table.Columns.Count;
        var read = table.Classification.Equals("csv", StringComparison.OrdinalIgnoreCase) ? total : plan.DataColumnsRead.Count;
        var bytes = total == 0 ? 0 : (long)Math.Ceiling((decimal)kept * read / total);
        var billed = AthenaPricing.BilledBytes(bytes);
        return new ScanEstimate(bytes, billed, AthenaPricing.CostUsd(billed), partitionsRead, table.PartitionKeys.Count == 0 ? 0 : partitions.Count, read, total);
    }

    private static bool Keeps(CatalogPartition partition, int keyIndex, QueryFilter filter)
    {
        if (keyIndex >= partition.Values.Count)
        {
            return true;
        }

        var value = partition.Values[keyIndex];
        int Compare(int index) => string.CompareOrdinal(value, filter.Values[index]);
        return filter.Operator switch
        {
            FilterOperator.Equal => Compare(0) == 0,
            FilterOperator.NotEqual => Compare(0) != 0,
            FilterOperator.LessThan => Compare(0) < 0,
            FilterOperator.LessThanOrEqual => Compare(0) <= 0,
            FilterOperator.GreaterThan => Compare(0) > 0,
            FilterOperator.GreaterThanOrEqual => Compare(0) >= 0,
            FilterOperator.Between => Compare(0) >= 0 && Compare(1) <= 0,
            FilterOperator.In => filter.Values.Contains(value, StringComparer.Ordinal),
            _ => true,
        };
    }

    private static string Size(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        var size = (double)bytes;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{size:0.#} {units[unit]}");
    }
}
