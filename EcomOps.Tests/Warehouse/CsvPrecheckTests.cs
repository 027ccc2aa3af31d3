using System.Text;
using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>
/// The byte-level check that decides whether DuckDB's reader may load a CSV file: what it lets through, what it sends
/// row by row (named in the reason the operator sees), and its record and line counts, across buffer ends.
/// </summary>
public sealed class CsvPrecheckTests
{
    private static readonly WarehouseColumn[] Columns =
    [
        new("id", new WarehouseType(WarehouseTypeKind.BigInt), NotNull: true),
        new("amount", new WarehouseType(WarehouseTypeKind.Decimal, Precision: 10, Scale: 2), NotNull: false),
        new("name", new WarehouseType(WarehouseTypeKind.Varchar, Length: 8), NotNull: false),
        new("at", new WarehouseType(WarehouseTypeKind.Timestamp), NotNull: false),
    ];

    private static readonly CopyOptions Csv = new() { Format = CopyFormat.Csv, IgnoreHeader = 1 };

    [Theory]
    [InlineData("h\n1,2.50,ab,2024-01-01 00:00:00\n2,,\"a,\"\"b\",\n", null, 2, 3)]
    [InlineData("h\r\n1,2.50,ab,2024-01-01 00:00:00\r\n", null, 1, 2)]
    [InlineData("h\n1,2.5,\"x\ny\",2024-01-01 00:00:00.123456", null, 1, 3)]
    [InlineData("h\n1,2.50,ab,\n", null, 1, 2)]
    [InlineData("h\n1,2.50,ab,2024-01-01 00:00:00,\n", "more than 4 fields at line 2", 0, 1)]
    [InlineData("h\n1,2.50,ab\n", "3 fields at line 2 for 4 columns", 0, 1)]
    [InlineData("h\n\n1,2.50,ab,\n", "a blank line at line 2", 0, 1)]
    [InlineData("h\n1,2.50,a\"b,\n", "a quote inside an unquoted field at line 2", 0, 1)]
    [InlineData("h\n1,2.50,\"ab\"c,\n", "text after a closing quote at line 2", 0, 1)]
    [InlineData("h\n1,2.50,\"ab,\n", "a quote left open at line 2", 0, 1)]
    [InlineData("h\n1,2.50,\"a\r\nb\",\n", "a carriage return inside quotes near line 2", 0, 1)]
    [InlineData("h\n1,2.50,a\rb,\n", "a carriage return not followed by a line feed at line 2", 0, 1)]
    [InlineData("h\n1,2.50,ab,\r\n", "line 2 ends in CRLF, earlier lines in LF", 0, 1)]
    [InlineData("h\n1,2.505,ab,\n", "column amount at line 2: not a plain decimal within the column's scale", 0, 1)]
    [InlineData("h\n1,2.50,abcdefghi,\n", "column name at line 2: longer than the column", 0, 1)]
    [InlineData("h\n,2.50,ab,\n", "column id at line 2: NULL in a NOT NULL column", 0, 1)]
    [InlineData("h\n1,2.50,ab,2024-01-01 24:00:00\n", "column at at line 2: not YYYY-MM-DD HH:MI:SS", 0, 1)]
    [InlineData("h\n1,2.50,ab,2024-13-01 00:00:00\n", "column at at line 2: not YYYY-MM-DD HH:MI:SS", 0, 1)]
    [InlineData("h\n\"1\"\"\",2.50,ab,\n", "quotes inside a non-text field at line 2", 0, 1)]
    [InlineData("\"h\nh\"\n1,2.50,ab,\n", "a quote or a lone carriage return in header line 1", 0, 0)]
    public async Task AFile_IsLetThroughOrNamedWithItsLine(string text, string? anomaly, long records, long lines)
    {
        var result = await ScanAsync(Encoding.UTF8.GetBytes(text), Csv);

        Assert.Equal(anomaly, result.Anomaly);
        Assert.Equal((records, lines), (result.Records, result.Lines));
    }

    [Fact]
    public async Task AByteOrderMark_IsLeftToTheRowByRowLoader_UnlessTheHeaderLineIsSkipped()
    {
        var file = Encoding.UTF8.GetBytes("\uFEFF1,2.50,ab,\n");

        Assert.Equal("a byte order mark at the start of the file", (await ScanAsync(file, Csv with { IgnoreHeader = 0 })).Anomaly);
        Assert.Null((await ScanAsync(Encoding.UTF8.GetBytes("\uFEFFh\n1,2.50,ab,\n"), Csv)).Anomaly);
    }

    [Fact]
    public async Task ALargeFile_CountsTheSameRecordsAndLines_AsTheRowByRowReader()
    {
        var text = new StringBuilder("id,amount,name,at\n");
        var random = new Random(7);
        for (var r = 0; r < 60_000; r++)
        {
            var name = random.Next(6) switch
            {
                0 => "\"a\nb\"",
                1 => "\"q\"\"q\"",
                2 => "\"\"",
                3 => "",
                _ => "n" + random.Next(1000),
            };
            text.Append(r).Append(',').Append(random.Next(100000) / 100m).Append(',').Append(name).Append(",2024-01-02 03:04:05\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        Assert.True(bytes.Length > 2 << 20, "the file spans several of the check's 1 MB buffers");
        var result = await ScanAsync(bytes, Csv);

        var reader = new DelimitedRecordReader(new StringReader(text.ToString()), ',', '"', escape: false, removeQuotes: false);
        reader.SkipLines(1);
        long records = 0;
        while (reader.Read())
        {
            records++;
        }

        Assert.Null(result.Anomaly);
        Assert.Equal(60_000, records);
        Assert.Equal(records, result.Records);
        Assert.Equal(text.ToString().Count(c => c == '\n'), result.Lines);
    }

    [Theory]
    [InlineData("FILLRECORD", "ESCAPE, REMOVEQUOTES or FILLRECORD")]
    [InlineData("DATEFORMAT 'MM/DD/YYYY'", "DATEFORMAT 'MM/DD/YYYY'")]
    [InlineData("TIMEFORMAT 'epochsecs'", "TIMEFORMAT 'epochsecs'")]
    [InlineData("BZIP2", "compression")]
    public void OptionsTheFastPathDoesNotRead_AreNamed(string option, string reason)
    {
        var copy = CopyParser.Parse($"COPY t FROM 's3://b/p/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' CSV {option}");

        Assert.Equal(reason, CsvPrecheck.Ineligible(copy.Options, Columns));
    }

    [Fact]
    public void DelimitedText_IsLeftToTheRowByRowLoader() =>
        Assert.Equal("not CSV", CsvPrecheck.Ineligible(Csv with { Format = CopyFormat.Text }, Columns));

    [Fact]
    public void RealAndTimestampTzColumns_AreLeftToTheRowByRowLoader()
    {
        Assert.Equal("column r is REAL", CsvPrecheck.Ineligible(Csv, [new("r", new WarehouseType(WarehouseTypeKind.Real), false)]));
        Assert.Null(CsvPrecheck.Ineligible(Csv, Columns));
    }

    private static Task<CsvPrecheckResult> ScanAsync(byte[] bytes, CopyOptions options) =>
        CsvPrecheck.ScanAsync(new MemoryStream(bytes), options, Columns, null, CancellationToken.None);
}
