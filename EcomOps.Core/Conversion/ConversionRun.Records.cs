using System.Runtime.CompilerServices;
using CsvHelper;
using EcomOps.Core.Datasets;

namespace EcomOps.Core.Conversion;

// CSV records into row-group buffers: the reader's settings, the buffer a record goes to, and the add itself.
internal sealed partial class ConversionRun
{
    // The upload check's reader settings (commas, quotes recovered and reported), so both read a file alike.
    private static CsvReaderOptions ReaderOptions(Action<CsvMalformedRecord> onMalformed) => CsvReaderOptions.Default with
    {
        Separator = ',',
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        OnMalformedRecord = onMalformed,
        MaxRecordSize = MaxRecordBytes,
        BufferSize = 256 * 1024,
    };

    private RowGroupBuffer? BufferForRow(CsvReader reader)
    {
        if (_partitionColumn < 0)
        {
            return _single ??= TakeBuffer();
        }

        if (!ColumnValues.TryParseTimestamp(reader.GetSpan(_partitionColumn), out var timestamp))
        {
            return null;
        }

        var partition = MonthPartition.Of(timestamp);
        if (!_open.TryGetValue(partition, out var buffer))
        {
            buffer = TakeBuffer();
            buffer.Partition = partition;
            _open[partition] = buffer;
        }

        return buffer;
    }

    // Adds the current record to the buffer; returns -1, or the index of the first column whose value is refused.
    // Fully optimized from the first call: it runs for every record, and waiting for tiered compilation costs
    // the first second of every run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TryAddRow(CsvReader reader, RowGroupBuffer buffer, int columnCount)
    {
        buffer.BeginRow();
        for (var i = 0; i < columnCount; i++)
        {
            if (!buffer.TrySet(i, reader.GetSpan(i)))
            {
                buffer.RejectRow();
                return i;
            }
        }

        buffer.CommitRow();
        return -1;
    }
}
