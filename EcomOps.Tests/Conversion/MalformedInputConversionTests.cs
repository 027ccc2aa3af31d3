using System.Text;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Lake;
using EcomOps.Tests.Lake;

namespace EcomOps.Tests.Conversion;

public sealed class MalformedInputConversionTests : IDisposable
{
    private const string Header = CsvCorpus.TransactionsHeader;

    private readonly ConversionLake _lake = new();

    public void Dispose() => _lake.Dispose();

    /// <summary>
    /// A transactions file with a byte order mark and CRLF line endings, blank lines, good rows (one quoted with a
    /// comma, one with a 'T' and a fraction of a second) and one row for each kind of problem, ending with a quote
    /// that is never closed.
    /// </summary>
    private static byte[] Corpus() =>
    [
        .. Encoding.UTF8.Preamble,
        .. Crlf(
            Header,                                           // 1
            "1,1,1,2024-01-01 10:00:00,12.50,Chile",           // 2 good
            "",                                               // 3 blank
            "2,1,1,2024-13-01 10:00:00,12.50,Chile",           // 4 bad date
            "3,1,1,2024-01-02 10:00:00,abc,Chile",             // 5 not a number
            "4,1,1,2024-01-02 10:00:00,12.50,Chile,extra",     // 6 too many fields
            "5,1,1",                                          // 7 too few fields
            "6,1,1,2024-01-02 10:00:00,1.005,Chile",           // 8 too many decimals
            "7,,1,2024-01-02 10:00:00,3.00,Chile"),            // 9 empty field
        .. Encoding.UTF8.GetBytes("8,1,1,2024-01-02 10:00:00,4.00,Ren"), .. Encoding.Latin1.GetBytes("\u00e9"), .. "\r\n"u8, // 10 not UTF-8
        .. Crlf(
            "9,1,1,2024-01-03 10:00:00,5.00,\"Hopper, Grace\"", // 11 good, quoted
            "",                                               // 12 blank
            "10,1,1,2024-01-04T10:00:00.5,6.00,Chile",         // 13 good, T and a fraction
            "11,1,1,2024-01-05 10:00:00,7.00,\"Chile",          // 14 quote never closed: runs to the end
            "12,1,1,2024-01-06 10:00:00,8.00,Chile"),           // 15 (inside line 14's value)
    ];

    [Fact]
    public async Task Convert_MalformedCorpus_ConvertsTheGoodRows_AndQuarantinesEachBadRowWithLineColumnValueAndReason()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.PutAsync("raw/transactions_data/orders.csv", Corpus());
        var request = ConversionLake.Request(dataset);

        var result = await _lake.ConvertAsync(request);

        Assert.Equal(11, result.RowsRead);
        Assert.Equal(3, result.RowsWritten);
        Assert.Equal(8, result.RowsRejected);
        var ids = _lake.Duck.Rows($"SELECT TransactionID, Country, CAST(Timestamp AS VARCHAR) FROM {_lake.ReadParquet(dataset)} ORDER BY 1");
        Assert.Equal([(1L, "Chile"), (9L, "Hopper, Grace"), (10L, "Chile")], ids.Select(r => ((long)r[0]!, (string)r[1]!)));
        Assert.Equal("2024-01-04 10:00:00.5", ids[2][2]);

        Assert.Equal($"quarantine/transactions_data/{request.RunId}.csv", result.QuarantineKey);
        var rows = await _lake.ReadQuarantineAsync(result.QuarantineKey!);
        Assert.All(rows, r => Assert.Equal("raw/transactions_data/orders.csv", r[0]));
        Assert.Equal(
            [
                ("4", "Timestamp", "2024-13-01 10:00:00", "is not a timestamp as yyyy-MM-dd HH:mm:ss, such as 2024-01-31 13:45:00"),
                ("5", "Amount", "abc", "is not a decimal number such as 12.34 (a point, no thousands separators)"),
                ("6", "", "", $"has 7 fields, transactions_data expects 6 ({Header})"),
                ("7", "", "", $"has 3 fields, transactions_data expects 6 ({Header})"),
                ("8", "Amount", "1.005", "has 3 decimal places; DECIMAL(10,2) allows 2"),
                ("9", "CustomerID", "", "is empty; every column needs a value"),
                ("10", "Country", "Ren\uFFFD", "is not valid UTF-8 (save the file as UTF-8)"),
                ("14", "", "", "a quoted field is never closed (a \" without its closing \"), so the rest of the file is one value"),
            ],
            rows.Select(r => (r[1], r[2], r[3], r[4])));

        // The raw record is the row as written (the unclosed quote swallows line 15 too).
        Assert.Equal("4,1,1,2024-01-02 10:00:00,12.50,Chile,extra", rows[2][5]);
        Assert.StartsWith("11,1,1,2024-01-05 10:00:00,7.00,\"Chile\r\n12,1,1", rows[7][5], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CsvCorpus.Malformed), MemberType = typeof(CsvCorpus))]
    public async Task Convert_RefusesExactlyTheRowsTheUploadCheckRefuses_WithTheSameLineColumnValueAndReason(string name, byte[] content, string message, bool refused)
    {
        _ = message;
        var inspection = CsvInspector.Inspect(content, wholeFile: true, name + ".csv", dataset: null);
        if (refused)
        {
            // Files the upload refuses outright never reach raw/; the header ones are covered by the header test.
            Assert.True(inspection.Refused);
            return;
        }

        var dataset = inspection.Dataset!;
        await _lake.PutAsync($"raw/{dataset.Name}/{name.Replace(' ', '-')}.csv", content);

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset));

        var quarantined = await _lake.ReadQuarantineAsync(result.QuarantineKey!);
        Assert.Equal(
            inspection.BadRows.Select(p => (p.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Column ?? "", p.Value ?? "", p.Reason)),
            quarantined.Select(r => (r[1], r[2], r[3], r[4])));
        Assert.Equal(inspection.RowsChecked - inspection.BadRowCount, result.RowsWritten);
    }

    [Fact]
    public async Task Convert_MoreBadRowsThanMaxErrors_CommitsNothing_KeepsThePreviousOutput_AndStillWritesTheQuarantine()
    {
        var dataset = DatasetRegistry.Transactions;
        await _lake.GenerateAsync(dataset, 2_000);
        var previous = await _lake.ConvertAsync(ConversionLake.Request(dataset));
        var filesBefore = _lake.FilesOf(dataset);
        var manifestBefore = await File.ReadAllBytesAsync(_lake.PathOf(previous.ManifestKey));
        await _lake.PutAsync("raw/transactions_data/extra.csv", Lines(Header, "1,1,1,2024-01-01 10:00:00,1.00,Chile", "x,1,1,2024-01-01 10:00:00,1.00,Chile", "y,1,1,2024-01-01 10:00:00,1.00,Chile", "z,1,1,2024-01-01 10:00:00,1.00,Chile"));
        var request = ConversionLake.Request(dataset) with { MaxErrors = 2 };

        var error = await Assert.ThrowsAsync<ConversionFailedException>(() => _lake.ConvertAsync(request));

        Assert.Contains("more than 2 rows were rejected", error.Message, StringComparison.Ordinal);
        Assert.Contains("'raw/transactions_data/extra.csv' line 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("No Parquet was committed; the previous output of transactions_data is unchanged", error.Message, StringComparison.Ordinal);
        Assert.Contains($"quarantine/transactions_data/{request.RunId}.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column TransactionID: 'x' is not a whole number", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.RowsRejected);
        Assert.Equal($"quarantine/transactions_data/{request.RunId}.csv", error.QuarantineKey);

        Assert.Equal(["3", "4", "5"], (await _lake.ReadQuarantineAsync(error.QuarantineKey!)).Select(r => r[1]));
        Assert.Equal(filesBefore, _lake.FilesOf(dataset));
        Assert.Equal(manifestBefore, await File.ReadAllBytesAsync(_lake.PathOf(previous.ManifestKey)));
        Assert.Equal(2_000, _lake.Duck.Long($"SELECT count(*) FROM {_lake.ReadParquet(dataset)}"));
        Assert.DoesNotContain(_lake.AllFiles(), f => f.Contains("_staging", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Convert_AFileWithTheWrongHeader_FailsNamingTheFile_BeforeConvertingAnything()
    {
        var dataset = DatasetRegistry.Customers;
        await _lake.GenerateAsync(dataset, 100);
        await _lake.PutAsync("raw/customer_data/zz-export.csv", Lines("CustomerID,Name,Emial,Country,SignupDate", "1,a,b,c,2024-01-01"));

        var error = await Assert.ThrowsAsync<ConversionFailedException>(() => _lake.ConvertAsync(ConversionLake.Request(dataset)));

        Assert.StartsWith("'raw/customer_data/zz-export.csv' line 1: the header does not match customer_data: 'Emial' should be 'Email'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_lake.FilesOf(dataset));
        Assert.False(Directory.Exists(_lake.PathOf("quarantine")));
    }

    [Fact]
    public async Task Convert_WithNoCsvForTheDataset_SaysToGenerateOrUploadFirst()
    {
        await _lake.PutAsync("raw/catalog_data/readme.txt", "not a csv");

        var error = await Assert.ThrowsAsync<ConversionFailedException>(() => _lake.ConvertAsync(ConversionLake.Request(DatasetRegistry.Products)));

        Assert.Equal($"There is nothing to convert: no CSV files under raw/catalog_data/ in {_lake.Store.DisplayName}. Generate catalog_data or upload its CSV files first.", error.Message);
    }

    [Fact]
    public async Task Convert_SeveralFiles_ReadsEveryOne_AndQuarantineNamesTheFileOfEachRow()
    {
        var dataset = DatasetRegistry.Customers;
        await _lake.PutAsync("raw/customer_data/a.csv", CsvCorpus.Good);
        await _lake.PutAsync("raw/customer_data/b.csv", Lines(CsvCorpus.CustomersHeader, "4,Dan,dan@x.com,Chile,2024-02-30", "5,Eve,eve@x.com,Chile,2024-02-29"));

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset));

        Assert.Equal(["raw/customer_data/a.csv", "raw/customer_data/b.csv"], result.SourceKeys);
        Assert.Equal(4, result.RowsWritten);
        var bad = Assert.Single(await _lake.ReadQuarantineAsync(result.QuarantineKey!));
        Assert.Equal(["raw/customer_data/b.csv", "2", "SignupDate", "2024-02-30"], bad[..4]);
    }

    [Fact]
    public async Task Convert_AQuoteNeverClosedEarlyInABigFile_QuarantinesTheRestAsOneRow_WithoutHoldingItInMemory()
    {
        var dataset = DatasetRegistry.Transactions;
        var rest = string.Concat(Enumerable.Range(3, 40_000).Select(i => $"{i},1,1,2024-01-02 10:00:00,1.00,Chile\n"));
        await _lake.PutAsync(dataset.RawKey, Lines(Header, "1,1,1,2024-01-01 10:00:00,1.00,Chile", "2,1,1,2024-01-01 10:00:00,1.00,\"Chile") .Concat(Encoding.UTF8.GetBytes(rest)).ToArray());

        var result = await _lake.ConvertAsync(ConversionLake.Request(dataset));

        Assert.Equal(1, result.RowsWritten);
        var row = Assert.Single(await _lake.ReadQuarantineAsync(result.QuarantineKey!));
        Assert.Equal("3", row[1]);
        Assert.StartsWith("the record is longer than 1 MiB: a quoted field is probably never closed", row[4], StringComparison.Ordinal);
    }

    private static byte[] Crlf(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");

    private static byte[] Lines(params string[] lines) => CsvCorpus.Lines(lines);
}
