using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Warehouse;

// CSV files that are plainly well formed go into the table through DuckDB's own parallel, typed CSV reader, with a
// quick byte-level check of the same file running beside it (CsvPrecheck): only when the check passes, DuckDB read
// every field and the row counts agree does the result stand. Anything else (a field in another form, a row DuckDB
// refuses) rolls the attempt back and the load goes row by row, where every rejected row is recorded. Clean data
// so loads at DuckDB's speed, and bad data gets exactly the error rows it always did.
internal sealed partial class LocalWarehouse
{
    private const long ProgressEveryBytes = 8L << 20;

    /// <summary>How a CSV load went in: through DuckDB's reader, or row by row and why.</summary>
    internal sealed record CsvPath(bool Fast, string? Reason);

    // Fast when every file went in; else why not, and the caller rolls back and goes row by row.
    private async Task<CsvPath> TryLoadCsvFastAsync(DuckDBConnection connection, CopyOptions copyOptions, LoadPlan plan, LoadTally tally, CancellationToken cancellationToken)
    {
        if (CsvPrecheck.Ineligible(copyOptions, plan.Loaded) is { } ineligible)
        {
            return new CsvPath(false, ineligible);
        }

        foreach (var file in plan.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tally.StartFile(file);
            var path = Path.Combine(root.Value.LakeFullPath, file.Key.Replace('/', Path.DirectorySeparatorChar));
            using var command = connection.CreateCommand();
            command.CommandText = FastCsvInsert(copyOptions, plan, path);
            using var stopCheck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var check = Task.Run(() => PrecheckAsync(file.Key, copyOptions, plan, tally, command, stopCheck.Token), CancellationToken.None);
            long rows = -1;
            string? refused = null;
            using (cancellationToken.Register(command.Cancel))
            {
                try
                {
                    rows = command.ExecuteNonQuery();
                }
                catch (DuckDBException e)
                {
                    refused = e.Message.Split('\n')[0];
                    await stopCheck.CancelAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Interrupted by the precheck, which found what the fast path must not load; its result says what.
                    refused = "interrupted";
                }
                catch (OperationCanceledException)
                {
                    // The user's cancel: the check stops too, and has stopped before the load reports its end.
                    await stopCheck.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAny(check).ConfigureAwait(false);
                    throw;
                }
            }

            CsvPrecheckResult? result = null;
            try
            {
                result = await check.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Stopped because DuckDB had refused the file already.
            }

            cancellationToken.ThrowIfCancellationRequested();
            var uri = $"s3://{root.Value.LakeBucket}/{file.Key}";
            if (result?.Anomaly is { } anomaly)
            {
                return new CsvPath(false, $"{uri}: {anomaly}");
            }

            if (refused is not null || result is null)
            {
                return new CsvPath(false, $"{uri}: DuckDB's reader refused it ({refused})");
            }

            if (rows != result.Records)
            {
                // Both readers should have seen the same records; if not, trust neither and go row by row.
                logger.LogWarning("DuckDB loaded {Rows} rows from {File}, the precheck counted {Records}; loading it row by row", rows, uri, result.Records);
                return new CsvPath(false, $"{uri}: {rows} rows read against {result.Records} records counted");
            }

            tally.AddRows(rows);
            tally.EndFile(rows, result.Lines);
            tally.Report();
        }

        return new CsvPath(true, null);
    }

    // The byte-level check, on its own thread while DuckDB reads: it owns the tally's byte count meanwhile (the load's
    // thread is blocked in DuckDB), and interrupts DuckDB as soon as it finds something the fast path must not load.
    private async Task<CsvPrecheckResult> PrecheckAsync(string key, CopyOptions copyOptions, LoadPlan plan, LoadTally tally, DuckDBCommand command, CancellationToken cancellationToken)
    {
        var input = await OpenSourceAsync(key, copyOptions, tally, cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            var nextReport = ProgressEveryBytes;
            var result = await CsvPrecheck.ScanAsync(input, copyOptions, plan.Loaded, _ =>
            {
                if (tally.Bytes >= nextReport)
                {
                    nextReport = tally.Bytes + ProgressEveryBytes;
                    tally.Report();
                }
            }, cancellationToken).ConfigureAwait(false);
            if (result.Anomaly is not null)
            {
                command.Cancel();
            }

            return result;
        }
    }

    // INSERT of every table column, in table order, from DuckDB's typed CSV reader: the loaded columns by position in
    // the file, the others NULL, as the row-by-row loader appends them.
    private static string FastCsvInsert(CopyOptions o, LoadPlan plan, string path)
    {
        var columns = string.Join(", ", plan.Loaded.Select((c, i) => $"{Literal(string.Create(CultureInfo.InvariantCulture, $"c{i}"))}: {Literal(c.Type.DuckDbSql)}"));
        var select = string.Join(", ", plan.FieldOfColumn.Select(f => f >= 0 ? string.Create(CultureInfo.InvariantCulture, $"c{f}") : "NULL"));
        var nulls = o.NullAs is { } nullAs && nullAs.Length > 0 ? $"['', {Literal(nullAs)}]" : o.NullAs is not null ? "['']" : $"['', {Literal("\\N")}]";
        var quote = Literal(o.EffectiveQuote.ToString());
        var columnTypes = "{" + columns + "}";
        return string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO {Identifier(plan.Schema)}.{Identifier(plan.Table)}
            SELECT {select}
            FROM read_csv({Literal(path)}, header = false, skip = {o.IgnoreHeader}, auto_detect = false, columns = {columnTypes},
                delim = {Literal(o.EffectiveDelimiter.ToString())}, quote = {quote}, escape = {quote}, strict_mode = true,
                allow_quoted_nulls = false, nullstr = {nulls}, compression = {Literal(o.Compression == CopyCompression.Gzip ? "gzip" : "none")})
            """);
    }
}
