using System.Globalization;
using System.IO.Compression;
using System.Text;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Warehouse;

/// <summary>
/// A CSV COPY goes through DuckDB's own reader when its files are plain, and row by row otherwise. Whichever way a
/// file goes, the operator must get the same table and the same rejected rows: each file here is loaded both ways
/// (EcomOps:Warehouse:FastCsv on and off) and the results compared, and the way it went is the one expected.
/// </summary>
public sealed class FastCsvTests : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string H = "i,n,b,d,f,ok,c,v,day,ts\n";

    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS t_all (
            i SMALLINT,
            n INTEGER,
            b BIGINT NOT NULL,
            d DECIMAL(12,3),
            f DOUBLE PRECISION,
            ok BOOLEAN,
            c CHAR(4),
            v VARCHAR(12),
            day DATE,
            ts TIMESTAMP
        );
        """;

    private static readonly string[] Clean =
    [
        "1,10,100,1.5,0.25,t,ab,hello,2024-03-01,2024-03-01 10:00:00",
        "-2,-20,200,-12.125,42.02,FALSE,abcd,\"a,b\",1999-12-31,2024-03-01 23:59:59.5",
        "3,30,300,7,-0.1,1,x,\"say \"\"hi\"\"\",0001-01-01,2024-02-29 00:00:00.123456",
        ",,400,,,,,,,",
        "5,50,500,0.000,3,0,\"\",\"\",2024-01-01,2024-01-01 00:00:00",
    ];

    private readonly TempDirectory _ddl = new();

    public void Dispose() => _ddl.Dispose();

    public static TheoryData<string, string, string, bool> Cases()
    {
        var clean = H + string.Join('\n', Clean) + "\n";
        return new TheoryData<string, string, string, bool>
        {
            // name, the file, COPY options after IGNOREHEADER 1, whether DuckDB's reader takes it
            { "plain rows", clean, "", true },
            { "CRLF line ends", clean.Replace("\n", "\r\n"), "", true },
            { "no line end at the end", clean.TrimEnd('\n'), "", true },
            { "a quoted line break", H + "1,1,1,1,1,t,a,\"two\nlines\",2024-01-01,2024-01-01 00:00:00\n2,2,2,2,2,f,b,x,2024-01-02,2024-01-02 00:00:00\n", "", true },
            { "\\N", H + "1,\\N,1,\\N,\\N,\\N,\\N,\\N,\\N,\\N\n", "", true },
            { "NULL AS", H + "2,NA,2,NA,1,t,NA,\"NA\",2024-01-01,2024-01-01 00:00:00\n", "NULL AS 'NA'", true },
            { "\\N under NULL AS", H + "1,\\N,1,1,1,t,a,b,2024-01-01,2024-01-01 00:00:00\n", "NULL AS 'NA'", false },
            { "pipe delimiter", clean.Replace(",", "|").Replace("\"a|b\"", "\"a,b\""), "DELIMITER '|'", true },
            { "blank lines with IGNOREBLANKLINES", clean.Replace("\n", "\n\n"), "IGNOREBLANKLINES", true },
            { "EMPTYASNULL without quoted empties", H + "1,1,1,1,1,t,a,b,2024-01-01,2024-01-01 00:00:00\n2,2,2,2,2,f,,,2024-01-02,2024-01-02 00:00:00\n", "EMPTYASNULL BLANKSASNULL TRIMBLANKS", true },
            { "many rows over buffer ends", H + ManyRows(40_000), "", true },
            { "DATEFORMAT and TIMEFORMAT auto", clean, "DATEFORMAT 'auto' TIMEFORMAT 'auto'", true },

            { "mixed line ends", clean.Replace("\n,,400", "\r\n,,400"), "MAXERROR 5", false },
            { "a trailing delimiter", clean.Replace(":00:00\n", ":00:00,\n"), "MAXERROR 5", false },
            { "a blank line", clean.Replace("\n,,400", "\n\n,,400"), "MAXERROR 5", false },
            { "fewer fields", clean + "9,9,9\n", "MAXERROR 5", false },
            { "a quote inside a field", clean.Replace("hello", "he\"llo"), "MAXERROR 5", false },
            { "text after a closing quote", clean.Replace("\"a,b\"", "\"a,b\"c"), "MAXERROR 5", false },
            { "a blank before a quote", clean.Replace("\"a,b\"", " \"a,b\""), "MAXERROR 5", false },
            { "a lone carriage return", clean.Replace("hello,", "hel\rlo,"), "MAXERROR 5", false },
            { "CRLF inside quotes", H + "1,1,1,1,1,t,a,\"two\r\nlines\",2024-01-01,2024-01-01 00:00:00\n", "MAXERROR 5", false },
            { "a quote left open", clean + "9,9,9,9,9,t,a,\"open,2024-01-01,2024-01-01 00:00:00\n", "MAXERROR 5", false },
            { "a byte order mark before the header", "\uFEFF" + clean, "", true },
            { "NUL in text", clean.Replace("hello", "he\0lo"), "MAXERROR 5", false },
            { "U+FFFD in text", clean.Replace("hello", "he\uFFFDlo"), "MAXERROR 5", false },
            { "text too long", clean.Replace("hello", "hello_world_again"), "MAXERROR 5", false },
            { "multibyte CHAR", clean.Replace(",ab,", ",é,"), "MAXERROR 5", false },
            { "CHAR with a trailing blank", clean.Replace(",ab,", ",ab ,"), "MAXERROR 5", false },
            { "integers with blanks and signs", clean.Replace("1,10,100", " 1,+10,100"), "MAXERROR 5", false },
            { "SMALLINT overflow", clean.Replace("1,10,100", "40000,10,100"), "MAXERROR 5", false },
            { "decimal beyond the scale", clean.Replace("-12.125", "-12.1259"), "MAXERROR 5", false },
            { "exponent in a double", clean.Replace("42.02", "4.2e1"), "MAXERROR 5", false },
            { "boolean yes", clean.Replace(",t,", ",yes,"), "MAXERROR 5", false },
            { "24:00:00", clean.Replace("2024-03-01 10:00:00", "2024-03-01 24:00:00"), "MAXERROR 5", false },
            { "ISO T separator", clean.Replace("2024-03-01 10:00:00", "2024-03-01T10:00:00"), "MAXERROR 5 TIMEFORMAT 'auto'", false },
            { "30 February", clean.Replace("1999-12-31", "2023-02-30"), "MAXERROR 5", false },
            { "NULL in a NOT NULL column", clean.Replace(",,400,", ",,,"), "MAXERROR 5", false },
            { "EMPTYASNULL on a quoted empty field", clean, "EMPTYASNULL", false },
            { "over MAXERROR", clean.Replace("1,10,100", "x,10,100"), "", false },
            { "the default formats by name", clean, "DATEFORMAT 'YYYY-MM-DD' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'", true },
            { "another DATEFORMAT", clean.Replace("2024-03-01,", "03/01/2024,"), "MAXERROR 5 DATEFORMAT 'MM/DD/YYYY'", false },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EitherWay_TheTableAndTheRejectedRowsAreTheSame(string name, string text, string options, bool duckDbReads)
    {
        var file = Encoding.UTF8.GetBytes(text);
        var copy = $"COPY t_all FROM 's3://ecomops-lake/raw/fast/' {Role} CSV IGNOREHEADER 1 {options}";

        var fast = await LoadAsync(file, copy, fastCsv: true, gzip: false);
        var rowByRow = await LoadAsync(file, copy, fastCsv: false, gzip: false);

        Assert.Equal(rowByRow.Outcome, fast.Outcome);
        Assert.Equal(rowByRow.Table, fast.Table);
        Assert.Equal(rowByRow.Errors, fast.Errors);
        if (duckDbReads)
        {
            Assert.True(fast.Reason is null, $"{name}: expected DuckDB's reader, went row by row because {fast.Reason}");
            Assert.NotEmpty(fast.Table);
        }
        else
        {
            Assert.True(fast.Reason is not null, $"{name}: expected row by row, DuckDB's reader took it");
        }
    }

    [Fact]
    public async Task AGzippedFile_GoesThroughDuckDbsReader_WithTheSameRows()
    {
        var file = Encoding.UTF8.GetBytes(H + ManyRows(5_000));
        var copy = $"COPY t_all FROM 's3://ecomops-lake/raw/fast/' {Role} CSV IGNOREHEADER 1 GZIP";

        var fast = await LoadAsync(file, copy, fastCsv: true, gzip: true);
        var rowByRow = await LoadAsync(file, copy, fastCsv: false, gzip: true);

        Assert.Null(fast.Reason);
        Assert.Equal(5_000, fast.Table.Count);
        Assert.Equal(rowByRow.Table, fast.Table);
        Assert.Equal("EcomOps:Warehouse:FastCsv is off", rowByRow.Reason);
    }

    [Fact]
    public async Task ACleanFileThenABadOne_TheBadOneSendsTheWholeLoadRowByRow_AndNothingOfTheFirstAttemptStays()
    {
        using var host = NewHost(fastCsv: true);
        await host.Get<IWarehouse>().InitAsync();
        await PutAsync(host, "raw/fast/a.csv", Encoding.UTF8.GetBytes(H + ManyRows(3_000)));
        await PutAsync(host, "raw/fast/b.csv", Encoding.UTF8.GetBytes(H + "1,1,9000001,1,1,t,a,b,2024-01-01,2024-01-01 00:00:00\nx,2,9000002,1,1,t,a,b,2024-01-01,2024-01-01 00:00:00\n"));

        var outcome = await host.Get<IWarehouse>().CopyAsync(CopyParser.Parse($"COPY t_all FROM 's3://ecomops-lake/raw/fast/' {Role} CSV IGNOREHEADER 1 MAXERROR 1"), new LoadRunContext("test"));

        Assert.Equal((LoadStatus.Completed, 3_001L, 1L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Contains("b.csv", outcome.RowByRowReason, StringComparison.Ordinal);
        var count = await host.Get<IWarehouse>().QueryAsync("SELECT count(*), count(DISTINCT b) FROM t_all");
        Assert.Equal((3_001L, 3_001L), (Convert.ToInt64(count.Rows[0][0], CultureInfo.InvariantCulture), Convert.ToInt64(count.Rows[0][1], CultureInfo.InvariantCulture)));
        var error = Assert.Single(await host.Get<IWarehouse>().ErrorsAsync(outcome.QueryId));
        Assert.Equal((3L, "i"), (error.LineNumber, error.ColumnName));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CancellingALoadPartWay_LoadsNothing_AndTheHistorySaysAborted(bool fastCsv)
    {
        using var host = NewHost(fastCsv);
        var warehouse = host.Get<IWarehouse>();
        await warehouse.InitAsync();
        var line = "12345,678,9012345,123.456,42.02,t,abcd,some text,2024-01-01,2024-01-01 10:00:00\n";
        await PutAsync(host, "raw/fast/big.csv", Encoding.UTF8.GetBytes(H + string.Concat(Enumerable.Repeat(line, 400_000))));
        using var cancel = new CancellationTokenSource();
        var progress = new SyncCancelOnProgress(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            warehouse.CopyAsync(CopyParser.Parse($"COPY t_all FROM 's3://ecomops-lake/raw/fast/' {Role} CSV IGNOREHEADER 1"), new LoadRunContext("test", progress), cancel.Token));

        Assert.True(progress.Seen is { BytesDone: > 0 } seen && seen.BytesDone < seen.BytesTotal, "cancelled part way through the file");
        var load = Assert.Single(await warehouse.LoadsAsync(new LoadFilter()));
        Assert.Equal((LoadStatus.Aborted, 0L), (load.Status, load.LoadedRows));
        var count = await warehouse.QueryAsync("SELECT count(*) FROM t_all");
        Assert.Equal(0L, Convert.ToInt64(count.Rows[0][0], CultureInfo.InvariantCulture));
    }

    // Cancels on the first report of bytes read, on the reporting thread (Progress<T> would post it later).
    private sealed class SyncCancelOnProgress(CancellationTokenSource cancel) : IProgress<LoadProgress>
    {
        public LoadProgress? Seen { get; private set; }

        public void Report(LoadProgress value)
        {
            if (value.BytesDone > 0 && Seen is null)
            {
                Seen = value;
                cancel.Cancel();
            }
        }
    }

    // Rows in every plain form, some quoted, some with line breaks in quotes, so fields fall across the check's buffer ends.
    private static string ManyRows(int count)
    {
        var text = new StringBuilder();
        for (var r = 1; r <= count; r++)
        {
            var v = (r % 7) switch
            {
                0 => "\"l1\nl2\"",
                1 => "\"q\"\"x\"",
                2 => "",
                3 => "\"\"",
                _ => "v" + (r % 1000).ToString(CultureInfo.InvariantCulture),
            };
            text.Append(CultureInfo.InvariantCulture, $"{r % 30000},{r * 7},{r},{r % 1000}.{r % 10},{r * 0.37:R},{(r % 2 == 0 ? "t" : "f")},c{r % 10},{v},2024-{1 + (r % 12):00}-{1 + (r % 28):00},2024-05-{1 + (r % 28):00} {r % 24:00}:{r % 60:00}:{r % 59:00}.{r % 1000:000}\n");
        }

        return text.ToString();
    }

    private sealed record LoadResult((string Status, long Rows, long Errors) Outcome, List<string> Table, List<string> Errors, string? Reason);

    private async Task<LoadResult> LoadAsync(byte[] file, string copy, bool fastCsv, bool gzip)
    {
        using var host = NewHost(fastCsv);
        try
        {
            var warehouse = host.Get<IWarehouse>();
            await warehouse.InitAsync();
            await PutAsync(host, gzip ? "raw/fast/data.csv.gz" : "raw/fast/data.csv", gzip ? Gzip(file) : file);

            var outcome = await warehouse.CopyAsync(CopyParser.Parse(copy), new LoadRunContext("test"));

            var rows = await warehouse.QueryAsync("SELECT * FROM t_all ORDER BY b, v, i");
            var table = rows.Rows.Select(r => string.Join(" | ", r.Select(Show))).ToList();
            var errors = (await warehouse.ErrorsAsync(outcome.QueryId))
                .Select(e => $"{e.LineNumber} {e.ColumnName} {e.ColumnType} [{e.RawFieldValue}] {e.ErrorCode} {e.ErrorReason} <{e.RawLine}>")
                .ToList();
            return new LoadResult((outcome.Status, outcome.LoadedRows, outcome.Errors), table, errors, outcome.RowByRowReason);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static string Show(object? value) => value switch
    {
        null or DBNull => "NULL",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => $"{f.GetType().Name}:{f.ToString(null, CultureInfo.InvariantCulture)}",
        _ => $"{value.GetType().Name}:[{value}]",
    };

    private CoreHost NewHost(bool fastCsv)
    {
        var ddl = _ddl.Combine("t_all.sql");
        File.WriteAllText(ddl, Ddl);
        return new CoreHost(configuration: new()
        {
            ["EcomOps:Warehouse:DdlPath"] = ddl,
            ["EcomOps:Warehouse:FastCsv"] = fastCsv ? "true" : "false",
        });
    }

    private static async Task PutAsync(CoreHost host, string key, byte[] bytes)
    {
        await using var write = await host.Get<IObjectStore>().OpenWriteAsync(key);
        await write.Stream.WriteAsync(bytes);
        await write.CommitAsync();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
