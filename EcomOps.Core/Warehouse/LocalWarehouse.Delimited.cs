using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace EcomOps.Core.Warehouse;

// CSV and text files into the table: records read, converted and rejected by Redshift's rules, appended on a second thread.
internal sealed partial class LocalWarehouse
{
    /// <summary>Redshift's errors for a record as a whole (a field's come from <see cref="FieldConverter"/>).</summary>
    internal static class RecordErrors
    {
        public static readonly LoadFieldError ExtraColumns = new(LoadErrorCodes.ExtraColumns, "Extra column(s) found");
        public static readonly LoadFieldError MissingColumns = new(LoadErrorCodes.DelimiterNotFound, "Delimiter not found");

        // Redshift reports a quote left open at the end of the file as a missing delimiter too.
        public static readonly LoadFieldError MissingEndQuote = new(LoadErrorCodes.DelimiterNotFound, "Delimited value missing end quote");
    }

    private const int BatchRows = 256;

    // Two threads, as DuckDB's own COPY uses both cores: one reads, splits and converts the files into batches of
    // unboxed rows (and decides every rejection, so stl_load_errors keeps file and line order); this one appends
    // them (DuckDB's appender wants one thread). Batches are small enough to stay off the large object heap and
    // go round a small pool, so memory does not follow the file.
    private async Task LoadDelimitedAsync(DuckDBConnection connection, CopyOptions copyOptions, LoadPlan plan, LoadTally tally, CancellationToken cancellationToken)
    {
        var width = plan.Loaded.Count;
        var batches = System.Threading.Channels.Channel.CreateBounded<RowBatch>(new System.Threading.Channels.BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var pool = new System.Collections.Concurrent.ConcurrentBag<RowBatch>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                await ReadDelimitedAsync(copyOptions, plan, tally, batches.Writer, pool, width, stop.Token).ConfigureAwait(false);
                batches.Writer.Complete();
            }
            catch (Exception e)
            {
                batches.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            using var appender = connection.CreateAppender(plan.Schema, plan.Table);
            await foreach (var batch in batches.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                for (var r = 0; r < batch.Count; r++)
                {
                    var row = appender.CreateRow();
                    var offset = r * width;
                    for (var c = 0; c < plan.TableColumns.Count; c++)
                    {
                        Append(row, plan.FieldOfColumn[c] is var f and >= 0 ? batch.Values[offset + f] : default);
                    }

                    row.EndRow();
                }

                batch.Count = 0;
                pool.Add(batch);
            }

            appender.Close();
        }
        finally
        {
            // An append that failed stops the reading too; either way the reader has ended before the transaction does.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }

        tally.Report();
    }

    private sealed class RowBatch(int width)
    {
        public FieldValue[] Values { get; } = new FieldValue[BatchRows * width];

        public int Count { get; set; }
    }

    private async Task ReadDelimitedAsync(CopyOptions copyOptions, LoadPlan plan, LoadTally tally, System.Threading.Channels.ChannelWriter<RowBatch> output,
        System.Collections.Concurrent.ConcurrentBag<RowBatch> pool, int width, CancellationToken cancellationToken)
    {
        var converter = new FieldConverter(copyOptions);
        var converters = plan.Loaded.Select(converter.For).ToArray();
        var quote = copyOptions.Format == CopyFormat.Csv ? copyOptions.EffectiveQuote : (char?)null;
        var values = new FieldValue[width];
        var batch = pool.TryTake(out var pooled) ? pooled : new RowBatch(width);
        foreach (var file in plan.Files)
        {
            tally.StartFile(file);
            var input = await OpenSourceAsync(file.Key, copyOptions, tally, cancellationToken).ConfigureAwait(false);
            await using (input.ConfigureAwait(false))
            {
                using var text = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
                var records = new DelimitedRecordReader(text, copyOptions.EffectiveDelimiter, quote, copyOptions.Escape, copyOptions.RemoveQuotes);
                records.SkipLines(copyOptions.IgnoreHeader);
                var uri = $"s3://{root.Value.LakeBucket}/{file.Key}";
                long fileRows = 0;
                while (records.Read())
                {
                    if (copyOptions.IgnoreBlankLines && records.FieldCount == 1 && records.Field(0).Length == 0)
                    {
                        continue;
                    }

                    if (Reject(records, plan, converters, copyOptions, values, uri) is { } error)
                    {
                        tally.Errors.Add(error);
                        if (tally.Errors.Count > copyOptions.MaxError)
                        {
                            // Over MAXERROR: nothing will be committed, so the rows read so far need not be appended.
                            return;
                        }

                        continue;
                    }

                    values.AsSpan().CopyTo(batch.Values.AsSpan(batch.Count * width, width));
                    if (++batch.Count == BatchRows)
                    {
                        await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                        batch = pool.TryTake(out pooled) ? pooled : new RowBatch(width);
                    }

                    fileRows++;
                    if (tally.AddRow() % ProgressEveryRows == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        tally.Report();
                    }
                }

                tally.EndFile(fileRows, records.LineNumber);
            }
        }

        if (batch.Count > 0)
        {
            await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    // Null when the row converted; else its first bad field, as Redshift records one error a row.
    private static RejectedRow? Reject(DelimitedRecordReader records, LoadPlan plan, ColumnConverter[] converters, CopyOptions copyOptions, FieldValue[] values, string uri)
    {
        if (records.UnterminatedQuote)
        {
            return Error(records, uri, null, "", RecordErrors.MissingEndQuote);
        }

        var count = records.FieldCount;
        if (count > plan.Loaded.Count)
        {
            return Error(records, uri, plan.Loaded[^1], records.Field(plan.Loaded.Count), RecordErrors.ExtraColumns);
        }

        if (count < plan.Loaded.Count && !copyOptions.FillRecord)
        {
            return Error(records, uri, plan.Loaded[count], "", RecordErrors.MissingColumns);
        }

        for (var i = 0; i < plan.Loaded.Count; i++)
        {
            var column = plan.Loaded[i];
            var present = i < count;
            var converted = present
                ? converters[i].TryConvertValue(records.FieldSpan(i), records.WasQuoted(i), out var value, out var fieldError)
                : converters[i].TryConvertValue((string?)null, false, out value, out fieldError);
            if (!converted)
            {
                return Error(records, uri, column, present ? records.Field(i) : "", fieldError!);
            }

            values[i] = value;
        }

        return null;
    }

    private static RejectedRow Error(DelimitedRecordReader records, string uri, WarehouseColumn? column, string value, LoadFieldError error) =>
        new(uri, records.LineNumber, column?.Name ?? "", column is null ? "" : TypeName(column.Type), column?.Type.Length?.ToString(CultureInfo.InvariantCulture) ?? "",
            Shorten(records.RawLine, MaxRawLength), Shorten(value, MaxRawLength), error);

    private static string TypeName(WarehouseType type) => type.Kind.ToString().ToLowerInvariant();

    // Typed appends from the unboxed value: no object per field on the way into DuckDB.
    private static void Append(DuckDB.NET.Data.IDuckDBAppenderRow row, in FieldValue value)
    {
        switch (value.Type)
        {
            case FieldValueType.Int16: row.AppendValue((short?)value.Int64); break;
            case FieldValueType.Int32: row.AppendValue((int?)value.Int64); break;
            case FieldValueType.Int64: row.AppendValue((long?)value.Int64); break;
            case FieldValueType.Decimal: row.AppendValue((decimal?)value.Decimal); break;
            case FieldValueType.Single: row.AppendValue((float?)value.Double); break;
            case FieldValueType.Double: row.AppendValue((double?)value.Double); break;
            case FieldValueType.Boolean: row.AppendValue((bool?)value.Boolean); break;
            case FieldValueType.String: row.AppendValue(value.String); break;
            case FieldValueType.Date: row.AppendValue((DateOnly?)value.Date); break;
            case FieldValueType.DateTime: row.AppendValue((DateTime?)value.DateTime); break;
            default: row.AppendNullValue(); break;
        }
    }
}
