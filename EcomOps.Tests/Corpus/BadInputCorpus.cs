namespace EcomOps.Tests.Corpus;

/// <summary>The pipeline stages a corpus file is run through.</summary>
public enum BadInputStage
{
    Upload,
    Convert,
    Crawl,
    Load,
}

/// <summary>
/// One corpus file through one stage: the dataset it is offered as, and the parts the stage's message must contain
/// (the file, and the line, column and value where they apply). <see cref="Accepted"/> marks a valid input that the
/// stage must take (line endings, a BOM): refusing those would be a bug too.
/// </summary>
public sealed record BadInputCase(string File, BadInputStage Stage, string Dataset, bool Accepted, IReadOnlyList<string> Expect, int Rows = 0)
{
    public override string ToString() => $"{File} {Stage}";
}

/// <summary>
/// The bad-input corpus (<c>Corpus/BadInput/</c>, described in its README.md) and what each stage must say about each
/// file. One source for the test and the README, so a case is never listed in one and missing from the other.
/// </summary>
public static class BadInputCorpus
{
    /// <summary>Generated at test time (50 MB): a header, then one data line that never ends.</summary>
    public const string GiantLine = "giant-single-line.csv";

    public const string Customers = "customer_data";
    public const string Products = "catalog_data";
    public const string Transactions = "transactions_data";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Corpus", "BadInput");

    public static IReadOnlyList<BadInputCase> Cases { get; } = Build();

    public static BadInputCase Find(string file, BadInputStage stage) =>
        Cases.SingleOrDefault(c => c.File == file && c.Stage == stage) ?? throw new KeyNotFoundException($"No corpus case {file} {stage}.");

    private static List<BadInputCase> Build()
    {
        var cases = new List<BadInputCase>();
        void Bad(string file, BadInputStage stage, string dataset, params string[] expect) => cases.Add(new(file, stage, dataset, false, expect));
        void Good(string file, BadInputStage stage, string dataset, int rows) => cases.Add(new(file, stage, dataset, true, [], rows));
        const BadInputStage Upload = BadInputStage.Upload, Convert = BadInputStage.Convert, Crawl = BadInputStage.Crawl, Load = BadInputStage.Load;

        // Header problems. The COPY ignores the header (IGNOREHEADER 1) and maps fields by position, as Redshift does:
        // a header that only names columns wrongly loads, one whose data is in the wrong places fails on the values.
        foreach (var stage in new[] { Upload, Convert })
        {
            Bad("header-misspelt.csv", stage, Customers, "line 1", "'Emial' should be 'Email'");
            Bad("header-missing-column.csv", stage, Customers, "line 1", "missing SignupDate");
            Bad("header-extra-column.csv", stage, Customers, "line 1", "unexpected 'Age'");
            Bad("header-duplicated-column.csv", stage, Customers, "line 1", "'Email' is there 2 times (columns 3 and 4)");
            Bad("header-wrong-order.csv", stage, Customers, "line 1", "different order");
            Bad("wrong-dataset.csv", stage, Customers, "line 1", "does not match customer_data", "unexpected 'TransactionID'");
            Bad("bom-twice.csv", stage, Customers, "line 1", "extra byte order mark");
            Bad("semicolon-delimiter.csv", stage, Customers, "line 1", "separated by ';'");
            Bad("tab-delimiter.csv", stage, Customers, "line 1", "separated by tabs");
            Bad("utf16-le.csv", stage, Customers, "UTF-16");
            Bad("nul-bytes.csv", stage, Customers, "line 3", "NUL byte", "byte offset 105");
            Bad("binary-png.csv", stage, Customers, "a PNG image");
            Bad("binary-zip.csv", stage, Customers, "a ZIP archive");
            Bad("empty.csv", stage, Customers, "is empty");
        }

        Bad("header-unknown.csv", Upload, Customers, "line 1", "(order_no,sku,qty) matches no dataset");
        Bad("header-unknown.csv", Convert, Customers, "line 1", "unexpected 'order_no', 'sku', 'qty'");
        Bad("header-only.csv", Upload, Customers, "has a header but no data rows");
        Good("header-only.csv", Convert, Customers, 0);
        Good("header-misspelt.csv", Load, Customers, 1);
        Good("header-duplicated-column.csv", Load, Customers, 1);
        Good("bom-twice.csv", Load, Customers, 1);
        Good("header-only.csv", Load, Customers, 0);
        Bad("header-missing-column.csv", Load, Customers, "line 2, column signupdate", "Delimiter not found");
        Bad("header-extra-column.csv", Load, Customers, "line 2, column signupdate: '36'", "Extra column(s) found");
        Bad("header-wrong-order.csv", Load, Customers, "line 2, column customerid: 'Ada Lovelace'", "Invalid digit");
        Bad("header-unknown.csv", Load, Customers, "line 2, column country", "Delimiter not found");
        Bad("wrong-dataset.csv", Load, Customers, "line 2, column signupdate: 'Chile'", "Extra column(s) found");
        Bad("semicolon-delimiter.csv", Load, Customers, "line 2, column name", "Delimiter not found");
        Bad("tab-delimiter.csv", Load, Customers, "line 2, column name", "Delimiter not found");
        Bad("utf16-le.csv", Load, Customers, "line 2, column customerid", "Invalid digit");
        Bad("binary-png.csv", Load, Customers, "line 2", "Delimiter not found");
        Bad("binary-zip.csv", Load, Customers, "line 2", "Invalid digit");
        Bad("empty.csv", Load, Customers, "is empty (0 bytes)");

        // Row problems: the same line, column and value at every stage (a conversion here allows no bad row, so it fails
        // and commits nothing; with a limit it quarantines the row with the same words).
        foreach (var stage in new[] { Upload, Convert, Load })
        {
            var upload = stage != Load;
            Bad("invalid-utf8.csv", stage, Customers, upload ? "line 3, column Name: 'Gr\uFFFD(ce Hopper'" : "line 3, column name: 'Gr\uFFFD(ce Hopper'", upload ? "not valid UTF-8" : "invalid or unsupported UTF8");
            Bad("latin1-accents.csv", stage, Customers, upload ? "line 3, column Name: 'Ren\uFFFD Descartes'" : "line 3, column name: 'Ren\uFFFD Descartes'", upload ? "not valid UTF-8" : "invalid or unsupported UTF8");
            Bad("unterminated-quote.csv", stage, Customers, "line 3", upload ? "a quoted field is never closed" : "missing end quote");
            Bad("too-few-fields.csv", stage, Customers, "line 3", upload ? "has 3 fields, customer_data expects 5" : "Delimiter not found");
            Bad("too-many-fields.csv", stage, Customers, "line 3", upload ? "has 6 fields, customer_data expects 5" : "Extra column(s) found");
            Bad("not-a-number-price.csv", stage, Products, upload ? "line 3, column Price: 'fifty-nine'" : "line 3, column price: 'fifty-nine'", upload ? "is not a decimal number" : "Invalid digit");
            Bad("not-a-number-stock.csv", stage, Products, upload ? "line 3, column Stock: 'lots'" : "line 3, column stock: 'lots'", upload ? "is not a whole number" : "Invalid digit");
            Bad("not-a-number-amount.csv", stage, Transactions, upload ? "line 3, column Amount: '12.5O'" : "line 3, column amount: '12.5O'", upload ? "is not a decimal number" : "Invalid digit");
            Bad("bad-date-signupdate.csv", stage, Customers, upload ? "line 3, column SignupDate: '2024-02-30'" : "line 3, column signupdate: '2024-02-30'", upload ? "is not a date as yyyy-MM-dd" : "Invalid Date Format");
            Bad("bad-timestamp.csv", stage, Transactions, upload ? "line 3, column Timestamp: '2024-02-10 25:30:00'" : "line 3, column timestamp: '2024-02-10 25:30:00'", upload ? "is not a timestamp" : "Invalid timestamp format");
            Bad("overflow-stock.csv", stage, Products, upload ? "line 3, column Stock: '3000000000'" : "line 3, column stock: '3000000000'", upload ? "between -2147483648 and 2147483647" : "Overflow");
            Bad("overflow-price.csv", stage, Products, upload ? "line 3, column Price: '123456789.00'" : "line 3, column price: '123456789.00'", upload ? "too large for DECIMAL(10,2)" : "Overflow for NUMERIC(10,2)");
            Bad("negative-overflow-id.csv", stage, Transactions, upload ? "line 3, column TransactionID: '-99999999999999999999'" : "line 3, column transactionid: '-99999999999999999999'", upload ? "is not a whole number" : "Overflow");
            Bad(GiantLine, stage, Customers, "line 2", stage switch
            {
                Upload => "no line break in the first 8 MiB",
                Convert => "the record is longer than 1 MiB",
                _ => "Delimiter not found",
            });
            Good("valid-crlf.csv", stage, Customers, 2);
            Good("valid-cr-only.csv", stage, Customers, 2);
            Good("valid-mixed-endings.csv", stage, Customers, 3);
            Good("valid-utf8-bom.csv", stage, Customers, 2);
        }

        // A quote inside an unquoted field, an empty field and a repeated key: refused before the lake, while the user
        // can still fix the file. The COPY takes them as Redshift does (a mid-field quote is text, Email may be NULL,
        // keys are not enforced), and so does the conversion for a repeated key, which would need every key in memory.
        Bad("stray-quote.csv", Upload, Customers, "line 3", "a quote (\") inside an unquoted field");
        Bad("stray-quote.csv", Convert, Customers, "line 3", "a quote (\") inside an unquoted field");
        Good("stray-quote.csv", Load, Customers, 3);
        Bad("empty-required-field.csv", Upload, Customers, "line 3, column Email: ''", "is empty");
        Bad("empty-required-field.csv", Convert, Customers, "line 3, column Email: ''", "is empty");
        Good("empty-required-field.csv", Load, Customers, 2);
        Good("nul-bytes.csv", Load, Customers, 2);
        Bad("duplicate-keys.csv", Upload, Customers, "line 4, column CustomerID: '2'", "repeats the CustomerID of line 3");
        Good("duplicate-keys.csv", Convert, Customers, 3);
        Good("duplicate-keys.csv", Load, Customers, 3);

        // Parquet. The upload takes CSVs; a crawl names the file and the byte offset of what is wrong; a COPY names the
        // file by its lake URI and, for a value that does not fit, the column.
        Bad("zero-byte.parquet", Upload, Customers, "is empty");
        Bad("csv-named.parquet", Upload, Customers, "its name does not end in .csv", "Rename it to 'csv-named.csv'");
        foreach (var file in new[] { "truncated.parquet", "bad-magic.parquet", "corrupt-footer.parquet", "wrong-schema.parquet" })
        {
            Bad(file, Upload, Customers, "a Parquet file (it starts with PAR1), not a CSV");
        }

        Bad("zero-byte.parquet", Crawl, Customers, "has 0 bytes");
        Bad("csv-named.parquet", Crawl, Customers, "at byte offset 152 of 156", "not PAR1");
        Bad("truncated.parquet", Crawl, Customers, "at byte offset 1,473 of 1,477", "not PAR1");
        Bad("bad-magic.parquet", Crawl, Customers, "at byte offset 2,458 of 2,462", "50415230, not PAR1");
        Bad("corrupt-footer.parquet", Crawl, Customers, "its footer (bytes", "does not decode");
        Bad("wrong-schema.parquet", Crawl, Customers, "not listed in parquet/customer_data/_manifest.json");

        Bad("zero-byte.parquet", Load, Customers, "s3://ecomops-lake/incoming/zero-byte.parquet is empty (0 bytes)");
        Bad("csv-named.parquet", Load, Customers, "s3://ecomops-lake/incoming/csv-named.parquet is not a Parquet file", "No magic bytes");
        Bad("truncated.parquet", Load, Customers, "s3://ecomops-lake/incoming/truncated.parquet is not a Parquet file", "No magic bytes");
        Bad("bad-magic.parquet", Load, Customers, "s3://ecomops-lake/incoming/bad-magic.parquet is not a Parquet file", "No magic bytes");
        Bad("corrupt-footer.parquet", Load, Customers, "s3://ecomops-lake/incoming/corrupt-footer.parquet is not a Parquet file");
        Bad("wrong-schema.parquet", Load, Customers, "s3://ecomops-lake/incoming/wrong-schema.parquet column 5 (Stock) cannot load into customer_data.signupdate");
        return cases;
    }
}
