using System.Runtime.CompilerServices;
using System.Text;
using EcomOps.Core.Datasets;
using Parquet;
using Parquet.Schema;

namespace EcomOps.Core.Conversion;

/// <summary>
/// The rows of one row group as typed column arrays, filled by the CSV stage straight from the reader's UTF-8
/// spans and written to Parquet column by column. Buffers are reused between row groups, so a run holds a
/// fixed number of them however large the input is.
/// </summary>
internal sealed class RowGroupBuffer
{
    private const int InitialCapacity = 4096;

    private readonly ColumnBuffer[] _columns;
    private readonly TextColumn[] _textColumns;
    private readonly int _maxCapacity;
    private readonly long _fixedBytesPerRow;
    private long _textBytes;

    /// <param name="expectedRows">Rows the buffer will probably hold, so it does not start small and grow by copying.</param>
    public RowGroupBuffer(DatasetSchema dataset, IReadOnlyList<TextInterner?> interners, int maxCapacity, int expectedRows)
    {
        _maxCapacity = maxCapacity;
        Capacity = Math.Clamp(expectedRows, Math.Min(InitialCapacity, maxCapacity), maxCapacity);
        _columns = dataset.Columns.Select((c, i) => ColumnBuffer.Create(c, interners[i], Capacity)).ToArray();
        _textColumns = _columns.OfType<TextColumn>().ToArray();
        _fixedBytesPerRow = _columns.Sum(c => c.FixedEncodedBytes);
    }

    public int Count { get; private set; }

    public int Capacity { get; private set; }

    /// <summary>The Hive partition the rows belong to, or null when the output is not partitioned.</summary>
    public MonthPartition? Partition { get; set; }

    /// <summary>Size of the rows as plain-encoded, uncompressed Parquet values: what <see cref="ConversionRequest.RowGroupBytes"/> measures.</summary>
    public long EncodedBytes => Count * _fixedBytesPerRow + _textBytes;

    public bool IsFull => Count == _maxCapacity;

    /// <summary>Parses one field into the row being added; false when the value breaks the column's rules.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySet(int column, ReadOnlySpan<byte> utf8) => _columns[column].TrySet(Count, utf8);

    /// <summary>Makes room for one more row; call before setting its fields.</summary>
    public void BeginRow()
    {
        if (Count == Capacity)
        {
            Capacity = (int)Math.Min((long)Capacity * 2, _maxCapacity);
            foreach (var column in _columns)
            {
                column.Grow(Capacity);
            }
        }

        foreach (var text in _textColumns)
        {
            text.Mark();
        }
    }

    /// <summary>Keeps the row whose fields were all set.</summary>
    public void CommitRow()
    {
        foreach (var text in _textColumns)
        {
            _textBytes += text.BytesSinceMark;
        }

        Count++;
    }

    /// <summary>Forgets the fields set since <see cref="BeginRow"/>: the row was bad.</summary>
    public void RejectRow()
    {
        foreach (var text in _textColumns)
        {
            text.Rollback();
        }
    }

    /// <summary>Writes every column as one row group, calling <paramref name="afterColumn"/> after each column chunk.</summary>
    public async Task WriteAsync(ParquetWriter writer, IReadOnlyList<DataField> fields, Action? afterColumn, CancellationToken cancellationToken)
    {
        using var rowGroup = writer.CreateRowGroup();
        for (var i = 0; i < _columns.Length; i++)
        {
            await _columns[i].WriteAsync(rowGroup, fields[i], Count, cancellationToken).ConfigureAwait(false);
            afterColumn?.Invoke();
        }

        rowGroup.CompleteValidate();
    }

    /// <summary>Empties the buffer for the next row group, keeping its arrays.</summary>
    public void Clear()
    {
        Count = 0;
        _textBytes = 0;
        Partition = null;
        foreach (var text in _textColumns)
        {
            text.Clear();
        }
    }
}

/// <summary>One column's values; the subclass parses with the rules of <see cref="ColumnValues"/>.</summary>
internal abstract class ColumnBuffer
{
    /// <summary>Bytes per value in plain-encoded Parquet, 0 for variable-length text.</summary>
    public abstract int FixedEncodedBytes { get; }

    public static ColumnBuffer Create(DatasetColumn column, TextInterner? interner, int capacity) => column.Type switch
    {
        ColumnType.Int64 => new Int64Column(capacity),
        ColumnType.Int32 => new Int32Column(capacity),
        ColumnType.Decimal => new DecimalColumn(column, capacity),
        ColumnType.Date => new DateColumn(capacity),
        ColumnType.Timestamp => new TimestampColumn(capacity),
        ColumnType.String => new TextColumn(capacity, interner),
        _ => throw new InvalidOperationException($"Unknown column type {column.Type}."),
    };

    public abstract bool TrySet(int row, ReadOnlySpan<byte> utf8);

    public abstract void Grow(int capacity);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, int count, CancellationToken cancellationToken);
}

internal abstract class ValueColumn<T>(int capacity) : ColumnBuffer
    where T : struct
{
    protected T[] Values { get; private set; } = new T[capacity];

    /// <summary>The value set for <paramref name="row"/>.</summary>
    public T ValueAt(int row) => Values[row];

    public override void Grow(int capacity)
    {
        var values = Values;
        Array.Resize(ref values, capacity);
        Values = values;
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync<T>(field, Values.AsMemory(0, count), cancellationToken: cancellationToken);
}

internal sealed class Int64Column(int capacity) : ValueColumn<long>(capacity)
{
    public override int FixedEncodedBytes => sizeof(long);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8) => ColumnValues.TryParseInt64(utf8, out Values[row]);
}

internal sealed class Int32Column(int capacity) : ValueColumn<int>(capacity)
{
    public override int FixedEncodedBytes => sizeof(int);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8) => ColumnValues.TryParseInt32(utf8, out Values[row]);
}

internal sealed class DecimalColumn(DatasetColumn column, int capacity) : ValueColumn<decimal>(capacity)
{
    // A ulong holds 19 digits; 18 keeps clear of overflow, as ColumnValues' own fast path does.
    private const int MaxFastDigits = 18;

    private readonly int _integerDigits = column.Precision - column.Scale;

    public override int FixedEncodedBytes => DatasetParquetSchema.DecimalBytes(column);

    /// <summary>
    /// Plain <c>[-]digits[.digits]</c> within the column's digits, the form nearly every value has, is parsed in
    /// one pass, and its digit counts prove it fits, which spares the decimal arithmetic of the general check
    /// (decimal parsing was the costliest column of the CSV stage, the busier stage). It gives exactly the value
    /// <see cref="ColumnValues.TryParseDecimal(DatasetColumn, ReadOnlySpan{byte}, out decimal)"/> gives, scale
    /// included; anything else is left to that method and its verdict.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8)
    {
        var negative = utf8.Length > 0 && utf8[0] == '-';
        var i = negative ? 1 : 0;
        var wholeStart = i;
        ulong unscaled = 0;
        while (i < utf8.Length && (uint)(utf8[i] - '0') <= 9)
        {
            unscaled = (unscaled * 10) + (uint)(utf8[i++] - '0');
            if (i - wholeStart > MaxFastDigits)
            {
                return ColumnValues.TryParseDecimal(column, utf8, out Values[row]);
            }
        }

        var whole = i - wholeStart;
        var fraction = 0;
        if (i < utf8.Length && utf8[i] == '.')
        {
            var fractionStart = ++i;
            while (i < utf8.Length && (uint)(utf8[i] - '0') <= 9 && whole + (i - fractionStart) < MaxFastDigits)
            {
                unscaled = (unscaled * 10) + (uint)(utf8[i++] - '0');
            }

            fraction = i - fractionStart;
            if (fraction == 0)
            {
                return ColumnValues.TryParseDecimal(column, utf8, out Values[row]);
            }
        }

        if (i != utf8.Length || whole == 0 || whole > _integerDigits || fraction > column.Scale)
        {
            return ColumnValues.TryParseDecimal(column, utf8, out Values[row]);
        }

        Values[row] = new decimal((int)(uint)unscaled, (int)(uint)(unscaled >> 32), 0, negative, (byte)fraction);
        return true;
    }
}

internal sealed class DateColumn(int capacity) : ValueColumn<DateOnly>(capacity)
{
    public override int FixedEncodedBytes => sizeof(int);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8) => ColumnValues.TryParseDate(utf8, out Values[row]);
}

internal sealed class TimestampColumn(int capacity) : ValueColumn<DateTime>(capacity)
{
    public override int FixedEncodedBytes => sizeof(long);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8) => ColumnValues.TryParseTimestamp(utf8, out Values[row]);
}

/// <summary>
/// Text as slices of large char blocks, so rows do not each allocate a string; values that repeat (countries,
/// categories) point at one shared string from the column's <see cref="TextInterner"/> instead.
/// </summary>
internal sealed class TextColumn(int capacity, TextInterner? interner) : ColumnBuffer
{
    private const int BlockChars = 32 * 1024;

    private readonly List<char[]> _blocks = [];
    private ReadOnlyMemory<char>[] _values = new ReadOnlyMemory<char>[capacity];
    private int _block;
    private int _used;
    private int _markBlock;
    private int _markUsed;

    public override int FixedEncodedBytes => 0;

    /// <summary>UTF-8 bytes of the value set since the last <see cref="Mark"/>, with Parquet's 4-byte length prefix.</summary>
    public int BytesSinceMark { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TrySet(int row, ReadOnlySpan<byte> utf8)
    {
        if (!ColumnValues.IsValidText(utf8))
        {
            return false;
        }

        BytesSinceMark = utf8.Length + sizeof(int);
        Span<char> chars = stackalloc char[ColumnValues.MaxTextBytes];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        if (interner?.TryGet(chars[..length]) is { } shared)
        {
            _values[row] = shared.AsMemory();
            return true;
        }

        _values[row] = Store(chars[..length]);
        return true;
    }

    public void Mark()
    {
        _markBlock = _block;
        _markUsed = _used;
        BytesSinceMark = 0;
    }

    public void Rollback()
    {
        _block = _markBlock;
        _used = _markUsed;
        BytesSinceMark = 0;
    }

    public void Clear()
    {
        _block = 0;
        _used = 0;
    }

    public override void Grow(int capacity) => Array.Resize(ref _values, capacity);

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync<ReadOnlyMemory<char>>(field, _values.AsMemory(0, count), cancellationToken: cancellationToken);

    private ReadOnlyMemory<char> Store(ReadOnlySpan<char> value)
    {
        if (_blocks.Count == 0 || _used + value.Length > BlockChars)
        {
            if (_blocks.Count > 0)
            {
                _block++;
            }

            if (_block == _blocks.Count)
            {
                _blocks.Add(new char[BlockChars]);
            }

            _used = 0;
        }

        var block = _blocks[_block];
        value.CopyTo(block.AsSpan(_used));
        var stored = block.AsMemory(_used, value.Length);
        _used += value.Length;
        return stored;
    }
}

/// <summary>
/// Shares one string per distinct value of a column whose values repeat (countries, categories). It gives up
/// on columns whose values are mostly distinct (names, emails), where a lookup would only cost time.
/// </summary>
internal sealed class TextInterner
{
    private const int MaxEntries = 4096;
    private const int TrialLookups = 16_384;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private int _lookups;
    private int _hits;
    private bool _disabled;

    public TextInterner() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The shared string for <paramref name="value"/>, or null when the column is not worth interning.</summary>
    public string? TryGet(ReadOnlySpan<char> value)
    {
        if (_disabled)
        {
            return null;
        }

        if (_lookup.TryGetValue(value, out var shared))
        {
            _hits++;
        }
        else if (_strings.Count < MaxEntries)
        {
            shared = value.ToString();
            _lookup[value] = shared;
        }

        if (++_lookups == TrialLookups && _hits < TrialLookups / 2)
        {
            // Mostly distinct values: stop looking them up, and let the table's strings go.
            _disabled = true;
            _strings.Clear();
        }

        return shared;
    }
}
