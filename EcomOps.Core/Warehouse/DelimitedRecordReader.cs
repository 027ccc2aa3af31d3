using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Records of a CSV or Redshift text file as COPY reads them: fields split on the delimiter; in CSV a quoted field may
/// hold delimiters, doubled quotes and line breaks; in text format a backslash escapes the next character when ESCAPE is
/// on. Keeps the line a record starts on and its raw text, for <c>stl_load_errors</c>, and whether each field was quoted
/// (an empty quoted field is an empty string, an empty unquoted one is NULL).
/// </summary>
internal sealed class DelimitedRecordReader(TextReader reader, char delimiter, char? quote, bool escape, bool removeQuotes)
{
    private readonly List<string> _fields = [];
    private readonly List<bool> _quoted = [];

    // The common line, with no quote or escape: fields are ranges of it, so no string is made for a field the
    // converter turns into a number or a date.
    private readonly List<(int Start, int Length)> _ranges = [];
    private string _line = "";
    private bool _split;
    private readonly StringBuilder _field = new();
    private readonly StringBuilder _raw = new();
    private long _nextLine = 1;

    /// <summary>The 1-based line the current record starts on.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The record as it was in the file (its lines joined by \n).</summary>
    public string RawLine { get; private set; } = "";

    /// <summary>A quote opened and never closed before the end of the file: the record is bad.</summary>
    public bool UnterminatedQuote { get; private set; }

    public int FieldCount => _split ? _ranges.Count : _fields.Count;

    public string Field(int index) => _split ? _line.Substring(_ranges[index].Start, _ranges[index].Length) : _fields[index];

    public ReadOnlySpan<char> FieldSpan(int index) => _split ? _line.AsSpan(_ranges[index].Start, _ranges[index].Length) : _fields[index].AsSpan();

    public bool WasQuoted(int index) => !_split && _quoted[index];

    /// <summary>Skips whole lines (IGNOREHEADER), counting them.</summary>
    public void SkipLines(int count)
    {
        for (var i = 0; i < count && reader.ReadLine() is not null; i++)
        {
            _nextLine++;
        }
    }

    /// <summary>Reads the next record; false at the end of the file. A blank line is a record of one empty field.</summary>
    public bool Read()
    {
        var line = reader.ReadLine();
        if (line is null)
        {
            return false;
        }

        LineNumber = _nextLine++;
        _fields.Clear();
        _quoted.Clear();
        _ranges.Clear();
        _split = false;
        UnterminatedQuote = false;

        // Most lines hold no quote or escape: split them without copying characters one by one.
        if ((quote is not { } q || line.IndexOf(q) < 0) && !(escape && line.Contains('\\', StringComparison.Ordinal)) && !(removeQuotes && line.Contains('"', StringComparison.Ordinal)))
        {
            RawLine = line;
            _line = line;
            _split = true;
            var start = 0;
            while (true)
            {
                var end = line.IndexOf(delimiter, start);
                if (end < 0)
                {
                    _ranges.Add((start, line.Length - start));
                    return true;
                }

                _ranges.Add((start, end - start));
                start = end + 1;
            }
        }

        ParseSlow(line);
        return true;
    }

    private void ParseSlow(string first)
    {
        _raw.Clear().Append(first);
        _field.Clear();
        var line = first;
        var i = 0;
        var inQuotes = false;
        var quoted = false;
        var quoteChar = quote ?? (removeQuotes ? '"' : '\0');
        var quoting = quote is not null || removeQuotes;
        while (true)
        {
            if (i >= line.Length)
            {
                if (inQuotes)
                {
                    // A line break inside quotes belongs to the field.
                    var next = reader.ReadLine();
                    if (next is null)
                    {
                        UnterminatedQuote = true;
                        break;
                    }

                    _nextLine++;
                    _field.Append('\n');
                    _raw.Append('\n').Append(next);
                    line = next;
                    i = 0;
                    continue;
                }

                break;
            }

            var c = line[i];
            if (inQuotes)
            {
                if (c == quoteChar)
                {
                    if (i + 1 < line.Length && line[i + 1] == quoteChar)
                    {
                        _field.Append(quoteChar);
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                    i++;
                    continue;
                }
            }
            else if (c == delimiter)
            {
                EndField(quoted);
                quoted = false;
                i++;
                continue;
            }
            else if (quoting && c == quoteChar && _field.Length == 0 && !quoted)
            {
                inQuotes = true;
                quoted = true;
                i++;
                continue;
            }

            // In quotes or not, ESCAPE makes a backslash take the next character as it is.
            if (escape && c == '\\' && i + 1 < line.Length)
            {
                _field.Append(line[i + 1]);
                i += 2;
                continue;
            }

            _field.Append(c);
            i++;
        }

        EndField(quoted);
        RawLine = _raw.ToString();
    }

    private void EndField(bool quoted)
    {
        _fields.Add(_field.ToString());
        _quoted.Add(quoted);
        _field.Clear();
    }
}
