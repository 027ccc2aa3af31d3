using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using EcomOps.Core.Datasets;

namespace EcomOps.Core.Lake;

/// <summary>
/// Checks a CSV before it goes into the lake: the header must be exactly a dataset's, and the first rows
/// are type-checked with the rules the converter applies (<see cref="ColumnValues"/>), so bad rows are
/// found while the user can still decide, with the line, column and value of each.
/// </summary>
public static class CsvInspector
{
    /// <summary>Rows type-checked before an upload.</summary>
    public const int RowsToCheck = 1_000;

    /// <summary>Problems listed in full; the rest are counted.</summary>
    public const int MaxReportedProblems = 100;

    /// <summary>The most of the file's start read for the check.</summary>
    public const int MaxHeadBytes = 8 * 1024 * 1024;

    /// <summary>Reads the start of <paramref name="content"/> (at most <see cref="MaxHeadBytes"/>) and checks it.</summary>
    /// <param name="dataset">The dataset the user chose, or null to recognize it from the header.</param>
    public static async Task<CsvInspection> InspectAsync(
        Stream content,
        string fileName,
        DatasetSchema? dataset,
        int rowsToCheck = RowsToCheck,
        CancellationToken cancellationToken = default)
    {
        var head = new byte[MaxHeadBytes];
        var length = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var wholeFile = length < head.Length || await content.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) == 0;
        return Inspect(head.AsMemory(0, length), wholeFile, fileName, dataset, rowsToCheck);
    }

    /// <summary>Checks the first bytes of a file; <paramref name="wholeFile"/> says whether they are all of it.</summary>
    public static CsvInspection Inspect(ReadOnlyMemory<byte> head, bool wholeFile, string fileName, DatasetSchema? dataset, int rowsToCheck = RowsToCheck)
    {
        var span = head.Span;
        var bom = span.StartsWith(Encoding.UTF8.Preamble);
        var crlf = span.IndexOf("\r\n"u8) >= 0;
        CsvInspection Refuse(string why, IReadOnlyList<string>? header = null, DatasetSchema? ds = null) =>
            new(fileName, header ?? [], ds ?? dataset, why, [], 0, 0, wholeFile, bom, crlf);

        if (span.Length == 0 || (bom && span.Length == Encoding.UTF8.Preamble.Length))
        {
            return Refuse($"'{fileName}' is empty: there is no header row and no data.");
        }

        if (NotTextProblem(span, fileName) is { } notText)
        {
            return Refuse(notText);
        }

        if (!wholeFile)
        {
            // Only whole lines: the last one may have been cut where the read stopped.
            var lastBreak = span.LastIndexOf((byte)'\n');
            head = head[..(lastBreak + 1)];
        }

        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvReaderOptions.Default with
        {
            // Commas only: a file the reader would take as ';'-separated is refused, since COPY and Glue read commas.
            Separator = ',',
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = record => malformed.TryAdd(record.RecordNumber, record.Reason),
        };
        using var reader = CsvReader.Create(head, options);

        var header = ReadHeader(reader, out var headerProblem);
        if (headerProblem is not null)
        {
            return Refuse($"'{fileName}' line 1: {headerProblem}", header);
        }

        if (HeaderTextProblem(header) is { } separator)
        {
            return Refuse($"'{fileName}' line 1: {separator}", header);
        }

        var recognized = dataset ?? DatasetRegistry.Recognize(header);
        if (recognized is null)
        {
            return Refuse(
                $"'{fileName}' line 1: the header ({string.Join(",", header)}) matches no dataset. Expected one of: " +
                string.Join("; ", DatasetRegistry.All.Select(d => $"{d.Name} ({d.CsvHeader})")) + ".",
                header);
        }

        var comparison = HeaderComparison.Compare(recognized, header);
        if (!comparison.Matches)
        {
            return Refuse($"'{fileName}' line 1: the header does not match {recognized.Name}: {comparison.Describe()}.", header, recognized);
        }

        var problems = new List<CsvProblem>();
        var bad = 0;
        var rows = 0;
        var keys = new Dictionary<string, long>(StringComparer.Ordinal);
        while (rows < rowsToCheck && reader.Read())
        {
            rows++;
            var problem = RowProblem(reader, recognized, malformed.TryGetValue(reader.RowNumber + 1, out var quoting) ? quoting : null)
                ?? KeyProblem(reader, recognized, keys);
            if (problem is not null)
            {
                bad++;
                if (problems.Count < MaxReportedProblems)
                {
                    problems.Add(problem);
                }
            }
        }

        var sawEnd = !reader.Read();
        if (rows == 0 && !wholeFile)
        {
            // The read stopped inside the first data line: it is longer than all the check reads.
            var line = head.Span.Count((byte)'\n') + 1;
            return Refuse(string.Create(CultureInfo.InvariantCulture,
                $"'{fileName}' line {line} has no line break in the first {MaxHeadBytes / (1024 * 1024)} MiB, so no whole data row could be checked: a quoted field that is never closed, or line breaks lost on the way. Fix the file's line breaks."), header, recognized);
        }

        if (rows == 0)
        {
            return Refuse($"'{fileName}' has a header but no data rows: nothing to load.", header, recognized);
        }

        if (!fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            // The converter and the Glue job read only raw/<dataset>/*.csv: any other name would sit in the lake unread.
            return Refuse($"'{fileName}' is a {recognized.Name} CSV, but its name does not end in .csv, and the converter reads only .csv files under raw/{recognized.Name}/. Rename it to '{Path.GetFileNameWithoutExtension(fileName)}.csv'.", header, recognized);
        }

        return new CsvInspection(fileName, header, recognized, null, problems, bad, rows, wholeFile && sawEnd, bom, crlf);
    }

    /// <summary>
    /// Why the start of a file shows it is not UTF-8 CSV text at all (UTF-16 or UTF-32, a Parquet file, an archive or
    /// image, NUL bytes), naming the file and, for a NUL byte, its line and byte offset; or null. The upload check and
    /// the converter both ask, so a file is refused in the same words before a row is read.
    /// </summary>
    public static string? NotTextProblem(ReadOnlySpan<byte> head, string fileName)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return $"'{fileName}' is UTF-32 text (it starts with a UTF-32 byte order mark); the lake's CSVs are UTF-8. Save it as UTF-8 (\"CSV UTF-8\") and try again.";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return $"'{fileName}' is UTF-16 text (it starts with a UTF-16 byte order mark); the lake's CSVs are UTF-8. Save it as UTF-8 (\"CSV UTF-8\") and try again.";
        }

        var kind = head switch
        {
            _ when head.StartsWith("PAR1"u8) => "a Parquet file (it starts with PAR1), not a CSV; Parquet goes under parquet/<dataset>/, or convert the CSV it came from",
            _ when head.StartsWith("PK\u0003\u0004"u8) => "a ZIP archive (or an Excel .xlsx workbook), not a CSV; unzip it, or save the sheet as CSV UTF-8",
            _ when head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) => "gzip-compressed, not a plain CSV; decompress it first",
            _ when head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) => "a PNG image, not a CSV",
            _ when head.StartsWith("%PDF"u8) => "a PDF document, not a CSV",
            _ => null,
        };
        if (kind is not null)
        {
            return $"'{fileName}' is {kind}.";
        }

        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
        {
            var line = head[..nul].Count((byte)'\n') + 1;
            return string.Create(CultureInfo.InvariantCulture,
                $"'{fileName}' line {line} has a NUL byte (0x00) at byte offset {nul:N0}: binary data, or text saved as UTF-16 without a byte order mark, not UTF-8 CSV. Save it as UTF-8 (\"CSV UTF-8\") and try again.");
        }

        return null;
    }

    /// <summary>
    /// Why a header is not a comma-separated list of names before it is compared with a dataset's, or null: a header
    /// read as one field that holds another separator (';', tab or '|', as spreadsheets export in some locales; the
    /// lake's CSVs use commas, which the warehouse's COPY and the Glue job read), or a name starting with a second
    /// byte order mark, which prints as nothing and would make the header look right while it is not.
    /// </summary>
    public static string? HeaderTextProblem(IReadOnlyList<string> header)
    {
        var marked = header.ToList().FindIndex(h => h.StartsWith('\uFEFF'));
        if (marked >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"column {marked + 1}'s name ('{header[marked].TrimStart('\uFEFF')}') starts with an extra byte order mark (U+FEFF): the file was saved with the mark twice. Save it as UTF-8 once and try again.");
        }

        if (header.Count != 1)
        {
            return null;
        }

        foreach (var (separator, name) in new[] { (';', "';'"), ('\t', "tabs"), ('|', "'|'") })
        {
            if (header[0].Contains(separator, StringComparison.Ordinal))
            {
                return $"the fields are separated by {name}, not commas ({header[0].Replace("\t", "\\t", StringComparison.Ordinal)}). Save the file as comma-separated CSV and try again.";
            }
        }

        return null;
    }

    private static List<string> ReadHeader(CsvReader reader, out string? problem)
    {
        problem = null;
        reader.ReadHeader();
        var header = reader.Headers.ToList();
        var invalid = header.FirstOrDefault(h => h.Contains('\uFFFD'));
        if (invalid is not null)
        {
            problem = "the header is not valid UTF-8; save the file as UTF-8 and upload it again.";
        }

        return header;
    }

    // Each dataset's first column is its key (PRIMARY KEY in sql/redshift_ddl.sql). Nothing later checks it, as neither
    // Glue nor Redshift enforces keys, so the rows checked here are the one place a repeat is caught before it is loaded.
    private static CsvProblem? KeyProblem(CsvReader reader, DatasetSchema dataset, Dictionary<string, long> keys)
    {
        var key = reader.GetString(0);
        if (keys.TryAdd(key, reader.LineNumber))
        {
            return null;
        }

        var column = dataset.Columns[0].Name;
        return new CsvProblem(reader.LineNumber, column, key, string.Create(CultureInfo.InvariantCulture,
            $"repeats the {column} of line {keys[key]}; {column} is the key of {dataset.Name}, so each value may appear once (the converter and the warehouse do not check keys)"));
    }

    private static CsvProblem? RowProblem(CsvReader reader, DatasetSchema dataset, CsvMalformedReason? quoting)
    {
        var line = reader.LineNumber;
        if (quoting is not null)
        {
            return new CsvProblem(line, null, null, quoting switch
            {
                CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed (a \" without its closing \"), so the rest of the file is one value",
                CsvMalformedReason.StrayQuote => "a quote (\") inside an unquoted field; quote the whole field and double inner quotes",
                CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote; quote the whole field and double inner quotes",
                _ => $"malformed quoting ({quoting})",
            });
        }

        if (reader.FieldCount != dataset.Columns.Count)
        {
            return new CsvProblem(line, null, null, $"has {reader.FieldCount} fields, {dataset.Name} expects {dataset.Columns.Count} ({dataset.CsvHeader})");
        }

        for (var i = 0; i < dataset.Columns.Count; i++)
        {
            var column = dataset.Columns[i];
            var bytes = reader.GetSpan(i);
            if (!Utf8.IsValid(bytes))
            {
                return new CsvProblem(line, column.Name, Encoding.UTF8.GetString(bytes), "is not valid UTF-8 (save the file as UTF-8)");
            }

            var value = reader.GetString(i);
            if (ColumnValues.Problem(column, value) is { } reason)
            {
                return new CsvProblem(line, column.Name, value, reason);
            }
        }

        return null;
    }
}
