namespace EcomOps.Core.Warehouse;

// Which COPYs the fast path may take at all: options and column types both readers treat alike.
internal sealed partial class CsvPrecheck
{
    /// <summary>
    /// Null when the COPY's options and the loaded columns are ones the fast path reads as the row-by-row loader does;
    /// else why not, for the log.
    /// </summary>
    public static string? Ineligible(CopyOptions options, IReadOnlyList<WarehouseColumn> columns)
    {
        if (options.Format != CopyFormat.Csv)
        {
            return "not CSV";
        }

        if (options.Escape || options.RemoveQuotes || options.FillRecord)
        {
            return "ESCAPE, REMOVEQUOTES or FILLRECORD";
        }

        if (options.Compression is not (CopyCompression.None or CopyCompression.Gzip))
        {
            return "compression";
        }

        var delimiter = options.EffectiveDelimiter;
        var quote = options.EffectiveQuote;
        if (delimiter >= 0x80 || quote >= 0x80 || delimiter == quote || delimiter is '\r' or '\n' or ' ' || quote is '\r' or '\n' or ' ')
        {
            return "delimiter or quote character";
        }

        if (options.NullAs is { } nullAs && (nullAs.Contains(delimiter) || nullAs.Contains(quote) || nullAs.AsSpan().IndexOfAny('\r', '\n') >= 0))
        {
            return "NULL AS text";
        }

        if (options.DateFormat is { } date && !date.Equals("auto", StringComparison.OrdinalIgnoreCase) && !date.Equals("YYYY-MM-DD", StringComparison.OrdinalIgnoreCase))
        {
            return $"DATEFORMAT '{date}'";
        }

        if (options.TimeFormat is { } time && !time.Equals("auto", StringComparison.OrdinalIgnoreCase) && !time.Equals("YYYY-MM-DD HH:MI:SS", StringComparison.OrdinalIgnoreCase))
        {
            return $"TIMEFORMAT '{time}'";
        }

        foreach (var column in columns)
        {
            switch (column.Type.Kind)
            {
                // DuckDB may read a REAL through a double (rounding twice) and writes TIMESTAMPTZ in its session's zone.
                case WarehouseTypeKind.Real or WarehouseTypeKind.TimestampTz:
                    return $"column {column.Name} is {column.Type.Sql}";

                // Beyond 28 digits .NET's decimal, and so the row-by-row loader, refuses what DuckDB would take.
                case WarehouseTypeKind.Decimal when (column.Type.Precision ?? 18) > 28:
                    return $"column {column.Name} is {column.Type.Sql}";
            }
        }

        return null;
    }
}
