using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Reads a CSV file's bytes once, quickly, and says whether DuckDB's own typed CSV reader would load exactly what the
/// row-by-row loader (<see cref="DelimitedRecordReader"/> and <see cref="FieldConverter"/>) would: every record has the
/// table's field count, quotes only open a field and close it before a delimiter or line end, lines end in LF or
/// CRLF, and every field is in a plain form both read alike (digits for integers, <c>-123.45</c> with at most the
/// column's scale for decimals, <c>YYYY-MM-DD HH:MI:SS[.ffffff]</c> for timestamps, text within its byte length and
/// free of what the row-by-row loader treats specially). The first thing outside that subset is the
/// <see cref="CsvPrecheckResult.Anomaly"/>, and the load goes row by row instead, where Redshift's rules and its error
/// rows live. The check never decides that a row is bad; it only decides who reads the file.
/// </summary>
internal sealed partial class CsvPrecheck
{
    private const int BufferBytes = 1 << 20;

    private readonly byte _delimiter, _quote;
    private readonly int _ignoreHeader;
    private readonly bool _ignoreBlankLines, _emptyAsNull, _blanksAsNull, _trimBlanks;
    private readonly byte[] _nullAs;
    private readonly IReadOnlyList<WarehouseColumn> _columns;

    // Per column, in arrays: the check runs once per field, and these keep it off the interface and property calls.
    private readonly WarehouseTypeKind[] _kinds;
    private readonly bool[] _notNull;
    private readonly int[] _limits, _scales;
    private readonly int _width;
    private readonly SearchValues<byte> _unquotedStops;
    private static readonly SearchValues<byte> QuotedStops = SearchValues.Create("\r"u8);
    private static readonly SearchValues<byte> SuspectTextBytes = SearchValues.Create([0x00, 0xED, 0xEF]);

    private CsvPrecheck(CopyOptions options, IReadOnlyList<WarehouseColumn> columns)
    {
        _delimiter = (byte)options.EffectiveDelimiter;
        _quote = (byte)options.EffectiveQuote;
        _ignoreHeader = options.IgnoreHeader;
        _ignoreBlankLines = options.IgnoreBlankLines;
        _emptyAsNull = options.EmptyAsNull;
        _blanksAsNull = options.BlanksAsNull;
        _trimBlanks = options.TrimBlanks;
        _nullAs = Encoding.UTF8.GetBytes(options.NullAs ?? "\\N");
        _columns = columns;
        _width = columns.Count;
        _kinds = columns.Select(c => c.Type.Kind).ToArray();
        _notNull = columns.Select(c => c.NotNull).ToArray();
        _limits = columns.Select(c => c.Type.Length ?? (c.Type.Kind == WarehouseTypeKind.Char ? 1 : 256)).ToArray();
        _scales = columns.Select(c => c.Type.Scale ?? 0).ToArray();
        _unquotedStops = SearchValues.Create([_delimiter, _quote, (byte)'\n', (byte)'\r']);
    }

    /// <summary>Checks one file; <paramref name="read"/> is told of every block of bytes read, for progress.</summary>
    public static async Task<CsvPrecheckResult> ScanAsync(Stream input, CopyOptions options, IReadOnlyList<WarehouseColumn> columns, Action<int>? read, CancellationToken cancellationToken)
    {
        var check = new CsvPrecheck(options, columns);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            return await check.ScanAsync(input, buffer, read, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<CsvPrecheckResult> ScanAsync(Stream input, byte[] buffer, Action<int>? read, CancellationToken cancellationToken)
    {
        var state = new ScanState { HeaderLeft = _ignoreHeader };
        var end = 0;
        var eof = false;
        while (true)
        {
            if (!eof && end < buffer.Length)
            {
                var n = await input.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                read?.Invoke(n);
                eof = n == 0;
                end += n;
            }

            var consumed = Scan(buffer.AsSpan(0, end), eof, ref state);
            if (state.Anomaly is not null)
            {
                return new CsvPrecheckResult(state.Anomaly, state.Records, state.Lines);
            }

            if (eof && consumed == end)
            {
                return new CsvPrecheckResult(null, state.Records, state.Lines);
            }

            if (consumed == 0 && end == buffer.Length)
            {
                // One field longer than the buffer: rare enough to leave to the row-by-row loader.
                return new CsvPrecheckResult(string.Create(CultureInfo.InvariantCulture, $"a field longer than {BufferBytes:N0} bytes near line {state.Lines + 1}"), state.Records, state.Lines);
            }

            buffer.AsSpan(consumed, end - consumed).CopyTo(buffer);
            end -= consumed;
        }
    }

    private struct ScanState
    {
        public int HeaderLeft;
        public bool Started;
        public int Field;
        public long Records;
        public long Lines;
        public string? Anomaly;

        // The file's line ending, set by its first line: 1 for LF, 2 for CRLF. DuckDB reads a file with one only.
        public int LineEnding;
    }

    // Consumes whole fields (and header lines) from the front of data; returns how many bytes it consumed. What is left
    // is an incomplete field, unless eof.
    // Optimised from the first call: a CLI load runs once, and tier-0 code here would be slower than DuckDB's reader.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Scan(ReadOnlySpan<byte> data, bool eof, ref ScanState s)
    {
        var pos = 0;
        if (!s.Started)
        {
            if (data.Length < 3 && !eof)
            {
                return 0;
            }

            // The row-by-row loader keeps a byte order mark in the first field; DuckDB drops it.
            if (s.HeaderLeft == 0 && data.StartsWith("\uFEFF"u8))
            {
                s.Anomaly = "a byte order mark at the start of the file";
                return 0;
            }

            s.Started = true;
        }

        while (s.HeaderLeft > 0)
        {
            var newline = data[pos..].IndexOf((byte)'\n');
            if (newline < 0 && !eof)
            {
                return pos;
            }

            var line = newline < 0 ? data[pos..] : data.Slice(pos, newline);
            // DuckDB skips header records, the row-by-row loader header lines: they agree when no quote is involved.
            if (line.Contains(_quote) || line.IndexOf((byte)'\r') is var cr && cr >= 0 && cr != line.Length - 1)
            {
                s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a quote or a lone carriage return in header line {s.Lines + 1}");
                return pos;
            }

            if (newline >= 0 && !SameLineEnding(line.Length > 0 && line[^1] == (byte)'\r' ? 2 : 1, ref s))
            {
                return pos;
            }

            s.Lines++;
            s.HeaderLeft--;
            pos = newline < 0 ? data.Length : pos + newline + 1;
            if (newline < 0)
            {
                return pos;
            }
        }

        while (pos < data.Length)
        {
            var rest = data[pos..];
            int contentStart, contentLength, next, newlines = 0;
            bool quoted;
            byte terminator;
            if (rest[0] == _quote)
            {
                quoted = true;
                var i = 1;
                var doubled = 0;
                while (true)
                {
                    var q = rest[i..].IndexOf(_quote);
                    if (q < 0)
                    {
                        if (!eof)
                        {
                            return pos;
                        }

                        s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a quote left open at line {s.Lines + 1}");
                        return pos;
                    }

                    i += q;
                    if (i + 1 >= rest.Length && !eof)
                    {
                        return pos;
                    }

                    if (i + 1 < rest.Length && rest[i + 1] == _quote)
                    {
                        doubled++;
                        i += 2;
                        continue;
                    }

                    break;
                }

                var inside = rest[1..i];
                if (inside.IndexOfAny(QuotedStops) >= 0)
                {
                    // The row-by-row loader reads CRLF inside quotes as LF; DuckDB keeps both.
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a carriage return inside quotes near line {s.Lines + 1}");
                    return pos;
                }

                newlines = inside.Count((byte)'\n');
                contentStart = 1;
                contentLength = i - 1;
                if (doubled > 0 && !IsText(s.Field))
                {
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"quotes inside a non-text field at line {s.Lines + 1}");
                    return pos;
                }

                next = i + 1;
                if (!TryTerminator(rest, ref next, eof, out terminator, ref s))
                {
                    return pos;
                }

                if (terminator == 0 && next < rest.Length)
                {
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"text after a closing quote at line {s.Lines + 1}");
                    return pos;
                }

                if (_ignoreBlankLines && contentLength == 0 && s.Field == 0 && terminator != _delimiter && _width == 1)
                {
                    // IGNOREBLANKLINES: the row-by-row loader also skips a line holding only "" (one empty field).
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"an empty quoted line at line {s.Lines + 1}");
                    return pos;
                }

                if (ValidateField(rest.Slice(contentStart, contentLength), quoted, doubled, ref s) is false)
                {
                    return pos;
                }
            }
            else
            {
                quoted = false;
                var stop = rest.IndexOfAny(_unquotedStops);
                if (stop < 0)
                {
                    if (!eof)
                    {
                        return pos;
                    }

                    stop = rest.Length;
                }
                else if (rest[stop] == _quote)
                {
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a quote inside an unquoted field at line {s.Lines + 1}");
                    return pos;
                }

                next = stop;
                if (!TryTerminator(rest, ref next, eof, out terminator, ref s))
                {
                    return pos;
                }

                var content = rest[..stop];
                if (terminator != (byte)'\n' || s.Field != 0 || content.Length != 0)
                {
                    if (ValidateField(content, quoted, 0, ref s) is false)
                    {
                        return pos;
                    }
                }
                else if (!_ignoreBlankLines)
                {
                    // DuckDB skips blank lines; the row-by-row loader reads them as records (and rejects them).
                    s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a blank line at line {s.Lines + 1}");
                    return pos;
                }
                else
                {
                    s.Lines++;
                    pos += next;
                    continue;
                }
            }

            s.Lines += newlines;
            pos += next;
            if (terminator == _delimiter)
            {
                s.Field++;
                continue;
            }

            // A line end, or the end of the file after a last field.
            EndRecord(ref s);
            if (s.Anomaly is not null)
            {
                return pos;
            }

            s.Lines++;
        }

        if (eof && pos == data.Length && s.Field > 0)
        {
            // The file ends in a delimiter: the record has one more, empty, field.
            if (ValidateField([], false, 0, ref s))
            {
                EndRecord(ref s);
                s.Lines++;
            }
        }

        return pos;
    }

    // After a field: a delimiter, LF or CRLF (consumed; terminator says which, LF for both), or the end of the file
    // (terminator 0). False when more data is needed or a lone CR was found (then Anomaly is set).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryTerminator(ReadOnlySpan<byte> rest, ref int next, bool eof, out byte terminator, ref ScanState s)
    {
        terminator = 0;
        if (next >= rest.Length)
        {
            return eof;
        }

        var c = rest[next];
        if (c == _delimiter)
        {
            terminator = c;
            next++;
            return true;
        }

        if (c == (byte)'\n')
        {
            terminator = c;
            next++;
            return SameLineEnding(1, ref s);
        }

        if (c == (byte)'\r')
        {
            if (next + 1 >= rest.Length && !eof)
            {
                return false;
            }

            if (next + 1 < rest.Length && rest[next + 1] == (byte)'\n')
            {
                terminator = (byte)'\n';
                next += 2;
                return SameLineEnding(2, ref s);
            }

            s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"a carriage return not followed by a line feed at line {s.Lines + 1}");
            return false;
        }

        // Only after a closing quote: the caller reports it.
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameLineEnding(int ending, ref ScanState s)
    {
        if (s.LineEnding == 0)
        {
            s.LineEnding = ending;
        }
        else if (s.LineEnding != ending)
        {
            s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"line {s.Lines + 1} ends in {(ending == 2 ? "CRLF" : "LF")}, earlier lines in {(ending == 2 ? "LF" : "CRLF")}");
            return false;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndRecord(ref ScanState s)
    {
        if (s.Field + 1 != _width)
        {
            s.Anomaly = string.Create(CultureInfo.InvariantCulture, $"{s.Field + 1} fields at line {s.Lines + 1} for {_width} columns");
            return;
        }

        s.Field = 0;
        s.Records++;
    }

    private bool IsText(int field) => field < _width && _kinds[field] is WarehouseTypeKind.Char or WarehouseTypeKind.Varchar;

}

/// <summary>A precheck's verdict: <see cref="Anomaly"/> null when the fast path may load the file; records and lines read.</summary>
internal sealed record CsvPrecheckResult(string? Anomaly, long Records, long Lines);
