using System.Collections.Concurrent;
using System.Globalization;
using CsvHelper;
using EcomOps.Core.Datasets;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Core.Conversion;

/// <summary>
/// One conversion, from the first CSV byte to Parquet files committed under the staging prefix. Two stages
/// share the work so both cores are busy: this object's read loop parses CSV records into a
/// <see cref="RowGroupBuffer"/> while the previous buffer is encoded and written as a row group on another
/// thread. At most one row group is being written at a time, which bounds memory: without partitions the run
/// holds two buffers however large the input is.
/// </summary>
internal sealed partial class ConversionRun : IAsyncDisposable
{
    /// <summary>The largest CSV record read: far beyond any valid row, so only a runaway quote reaches it.</summary>
    public const int MaxRecordBytes = 1024 * 1024;

    private const int CheckEveryRows = 4096;
    private const int MaxFreeBuffers = 2;

    // Parquet.Net allocates large transient buffers for each column chunk it encodes (about 125 MB for a
    // 1,000,000-row group of transactions: the timestamp conversion and the string dictionary most) and the GC,
    // seeing plenty of free memory, leaves them on the large object heap for a long time. Measured over
    // 10,000,000 rows with 1,000,000-row groups: peak RSS ~510 MB without collections, 300-370 MB collecting
    // once this much was allocated since the last one (a collection takes 5-15 ms; ~5% more time). Row groups
    // of ~100,000 rows allocate less than this per row group and rarely pay for it.
    private const long CollectEveryBytes = 48L * 1024 * 1024;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConversionRequest _request;
    private readonly IObjectStore _store;
    private readonly IReadOnlyList<ObjectInfo> _sources;
    private readonly IProgress<ConversionProgress>? _progress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DatasetSchema _dataset;
    private readonly ParquetSchema _schema;
    private readonly ParquetOptions _options;
    private readonly TextInterner?[] _interners;
    private readonly int _partitionColumn;
    private readonly int _columnCount;
    private readonly int _expectedRows;
    private readonly long _totalBytes;
    private readonly QuarantineWriter _quarantine;
    private readonly ConcurrentQueue<RowGroupBuffer> _free = new();
    private readonly Dictionary<MonthPartition, RowGroupBuffer> _open = [];
    private readonly Dictionary<MonthPartition, ParquetPartWriter> _parts = [];
    private readonly CancellationTokenSource _stop;

    private RowGroupBuffer? _single;
    private ParquetPartWriter? _singlePart;
    private Task _pendingWrite = Task.CompletedTask;
    private long _openRows;
    private long _openBytes;
    private long _rowsRead;
    private long _rowsWritten;
    private long _allocatedAtCollect;
    private long _bytesBefore;
    private long _lastProgress;
    private int _nextPart;
    private RejectedRow? _firstRejected;

    public ConversionRun(
        ConversionRequest request,
        IObjectStore store,
        IReadOnlyList<ObjectInfo> sources,
        IProgress<ConversionProgress>? progress,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        _request = request;
        _store = store;
        _sources = sources;
        _progress = progress;
        _time = time;
        _logger = logger;
        _dataset = request.Dataset;
        _schema = DatasetParquetSchema.For(_dataset);
        _options = ParquetWriterSettings.Options(_dataset, request.Compression);
        _interners = _dataset.Columns.Select(c => c.Type == ColumnType.String ? new TextInterner() : null).ToArray();
        _partitionColumn = request.Partitioning == Partitioning.Month
            ? _dataset.Columns.ToList().FindIndex(c => c.Name == _dataset.MonthPartitionColumn)
            : -1;
        _totalBytes = sources.Sum(s => s.Size);
        _columnCount = _dataset.Columns.Count;

        // A row takes at least two bytes a field (a character and a comma), so this never overestimates; month
        // partitions share the rows, so their buffers start small.
        _expectedRows = _partitionColumn < 0 ? (int)Math.Min(_totalBytes / (2 * _columnCount), request.RowGroupRows) : 0;
        _quarantine = new QuarantineWriter(store, QuarantineKeyOf(_dataset.Name, request.RunId));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        StagingPrefix = $"{ParquetConverter.StagingRoot}{_dataset.Name}/{request.RunId:D}/";
    }

    /// <summary>Where this run's files are written until the commit, outside the dataset's folder.</summary>
    public string StagingPrefix { get; }

    public long RowsRead => _rowsRead;

    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    public long RowsRejected { get; private set; }

    public string QuarantineKey => _quarantine.Key;

    public static string QuarantineKeyOf(string dataset, Guid runId) => $"quarantine/{dataset}/{runId:D}.csv";

    /// <summary>Reads every source and writes every row to staged Parquet files; returns them, keyed relative to the dataset's folder.</summary>
    public async Task<IReadOnlyList<(string RelativeKey, long Rows, long Bytes)>> WriteAsync()
    {
        try
        {
            return await WriteAllAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_pendingWrite.IsFaulted)
        {
            // The Parquet stage failed and stopped the CSV stage: its error is the one to report.
            await _pendingWrite.ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<(string RelativeKey, long Rows, long Bytes)>> WriteAllAsync(CancellationToken token)
    {
        foreach (var source in _sources)
        {
            await ReadSourceAsync(source, token).ConfigureAwait(false);
            _bytesBefore += source.Size;
        }

        foreach (var buffer in _open.OrderBy(p => p.Key.Year).ThenBy(p => p.Key.Month).Select(p => p.Value).ToList())
        {
            await SendAsync(buffer, token).ConfigureAwait(false);
        }

        if (_single is { Count: > 0 })
        {
            await SendAsync(_single, token).ConfigureAwait(false);
        }

        await _pendingWrite.ConfigureAwait(false);
        ReportProgress(force: true);

        // An unpartitioned run always yields a file, even an empty one, so readers find the schema.
        if (_partitionColumn < 0)
        {
            _singlePart ??= await CreatePartAsync(null, token).ConfigureAwait(false);
        }

        var files = new List<(string, long, long)>();
        foreach (var part in _parts.Values.Append(_singlePart).OfType<ParquetPartWriter>().OrderBy(p => p.RelativeKey, StringComparer.Ordinal))
        {
            var bytes = await part.CompleteAsync(token).ConfigureAwait(false);
            files.Add((part.RelativeKey, part.Rows, bytes));
        }

        return files;
    }

    /// <summary>Makes the quarantine file visible; returns its key, or null when no row was rejected.</summary>
    public Task<string?> CommitQuarantineAsync(CancellationToken cancellationToken) => _quarantine.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pendingWrite.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The write was stopped with the run, or failed and the run already reports why.
            _logger.LogDebug(e, "A row group write of run {RunId} ended with the run", _request.RunId);
        }

        foreach (var part in _parts.Values.Append(_singlePart).OfType<ParquetPartWriter>())
        {
            try
            {
                await part.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The others are still discarded; this one is left for RecoverAsync or the store's staging cleanup.
                _logger.LogWarning(e, "Could not discard the staged file {Key} of run {RunId}", part.RelativeKey, _request.RunId);
            }
        }

        await _quarantine.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();

        // The caller's continuation can run inside the finished ConvertAsync frame, which keeps this object
        // reachable for a while: let the buffers (tens of MB) go now.
        _free.Clear();
        _open.Clear();
        _parts.Clear();
        _single = null;
        _singlePart = null;
    }

    private async Task ReadSourceAsync(ObjectInfo source, CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        await using var stream = await _store.OpenReadAsync(source.Key, null, cancellationToken).ConfigureAwait(false);
        await using var reader = CsvReader.Create(stream, ReaderOptions(record => malformed[record.RecordNumber] = record.Reason), leaveOpen: false);
        await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var header = HeaderComparison.Compare(_dataset, reader.Headers);
        if (!header.Matches)
        {
            throw new ConversionFailedException($"'{source.Key}' line 1: the header does not match {_dataset.Name}: {header.Describe()}. Nothing was committed.");
        }

        while (true)
        {
            bool more;
            try
            {
                more = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CsvFormatException e)
            {
                // Only a record beyond MaxRecordBytes gets here: a quote that is never closed swallowed the rest of the file.
                await RejectAsync(new RejectedRow(
                    source.Key,
                    e.LineNumber,
                    null,
                    null,
                    $"the record is longer than {MaxRecordBytes / 1024 / 1024} MiB: a quoted field is probably never closed (a \" without its closing \"), so the rest of the file reads as one value; the file was not read past this line",
                    string.Empty), cancellationToken).ConfigureAwait(false);
                break;
            }

            if (!more)
            {
                break;
            }

            _rowsRead++;
            if (_rowsRead % CheckEveryRows == 0)
            {
                await CheckpointAsync(source, reader, cancellationToken).ConfigureAwait(false);
            }

            if (malformed.Count > 0 && malformed.Remove(reader.RowNumber + 1, out var quoting))
            {
                await RejectAsync(Rejected(source, reader, null, QuotingProblem(quoting)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (reader.FieldCount != _columnCount)
            {
                await RejectAsync(Rejected(source, reader, null, $"has {reader.FieldCount} fields, {_dataset.Name} expects {_columnCount} ({_dataset.CsvHeader})"), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var buffer = BufferForRow(reader);
            if (buffer is null)
            {
                // The month column was read first to pick the buffer; report the first bad column in file order.
                var first = Enumerable.Range(0, _columnCount).First(i => i == _partitionColumn || ColumnValues.Problem(_dataset.Columns[i], reader.GetSpan(i)) is not null);
                await RejectAsync(FieldRejected(source, reader, first), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var bytesBefore = buffer.EncodedBytes;
            var bad = TryAddRow(reader, buffer, _columnCount);
            if (bad >= 0)
            {
                await RejectAsync(FieldRejected(source, reader, bad), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_partitionColumn >= 0)
            {
                _openRows++;
                _openBytes += buffer.EncodedBytes - bytesBefore;
            }

            if (buffer.IsFull || buffer.EncodedBytes >= _request.RowGroupBytes)
            {
                await SendAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            else if (_partitionColumn >= 0 && (_openRows >= _request.RowGroupRows || _openBytes >= _request.RowGroupBytes))
            {
                // Months fill unevenly; together their buffers stay within one row group's rows and bytes, so the
                // largest goes out as a smaller row group.
                await SendAsync(_open.Values.MaxBy(b => b.EncodedBytes)!, cancellationToken).ConfigureAwait(false);
            }
        }

        ReportProgress(force: false);
    }

    // The buffer the current row goes to: the only one, or its month's; null when the partition column is bad.
    // Hands a full buffer to the Parquet stage, once the row group before it is written.
    private async Task SendAsync(RowGroupBuffer buffer, CancellationToken cancellationToken)
    {
        await _pendingWrite.ConfigureAwait(false);
        if (buffer.Partition is { } partition)
        {
            _open.Remove(partition);
            _openRows -= buffer.Count;
            _openBytes -= buffer.EncodedBytes;
        }
        else
        {
            _single = null;
        }

        _pendingWrite = Task.Run(() => WriteRowGroupAsync(buffer, cancellationToken), cancellationToken);
    }

    private async Task WriteRowGroupAsync(RowGroupBuffer buffer, CancellationToken cancellationToken)
    {
        try
        {
            var part = buffer.Partition is { } partition
                ? _parts.TryGetValue(partition, out var existing) ? existing : _parts[partition] = await CreatePartAsync(partition, cancellationToken).ConfigureAwait(false)
                : _singlePart ??= await CreatePartAsync(null, cancellationToken).ConfigureAwait(false);
            await part.WriteRowGroupAsync(buffer, CollectIfWorthIt, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _rowsWritten, buffer.Count);
            buffer.Clear();
            if (_free.Count < MaxFreeBuffers)
            {
                _free.Enqueue(buffer);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Stop the CSV stage now rather than when it next hands over a buffer.
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void CollectIfWorthIt()
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        if (allocated - _allocatedAtCollect >= CollectEveryBytes)
        {
            GC.Collect();
            _allocatedAtCollect = GC.GetTotalAllocatedBytes(precise: false);
        }
    }

    private Task<ParquetPartWriter> CreatePartAsync(MonthPartition? partition, CancellationToken cancellationToken)
    {
        var relativeKey = string.Create(CultureInfo.InvariantCulture, $"{partition?.Folder}part-{_request.RunId:D}-{_nextPart++:D5}.parquet");
        return ParquetPartWriter.CreateAsync(_store, StagingPrefix + relativeKey, relativeKey, _schema, _options, cancellationToken);
    }

    private RowGroupBuffer TakeBuffer() =>
        _free.TryDequeue(out var buffer) ? buffer : new RowGroupBuffer(_dataset, _interners, _request.RowGroupRows, _expectedRows);

    private async Task CheckpointAsync(ObjectInfo source, CsvReader reader, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_pendingWrite.IsFaulted)
        {
            await _pendingWrite.ConfigureAwait(false);
        }

        ReportProgress(force: false, Math.Min(reader.ByteOffset, source.Size));
    }

    private void ReportProgress(bool force, long currentFileBytes = 0)
    {
        if (_progress is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _time.GetElapsedTime(_lastProgress, now) < ProgressInterval)
        {
            return;
        }

        _lastProgress = now;
        var bytesRead = force ? _totalBytes : _bytesBefore + currentFileBytes;
        _progress.Report(new ConversionProgress(_rowsRead, bytesRead, _totalBytes, RowsWritten, RowsRejected));
    }
}
