using System.Security.Cryptography;
using System.Text;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Generation;

public sealed class GeneratorTests : IDisposable
{
    private readonly CoreHost _host = new();
    private readonly TempDirectory _out = new();

    private IGenerationService Generation => _host.Get<IGenerationService>();

    public void Dispose()
    {
        _host.Dispose();
        _out.Dispose();
    }

    [Fact]
    public async Task SampleData_IsWhatTheGeneratorMakesWithSeed42()
    {
        // sample_data/ is documented as `ecomops generate --seed 42` with the default sizes.
        await Generation.GenerateAsync(new GenerationOptions(Seed: 42), _out.Path);

        foreach (var dataset in DatasetRegistry.All)
        {
            var expected = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.SampleData, $"{dataset.Name}.csv"));
            var actual = await File.ReadAllBytesAsync(_out.Combine($"{dataset.Name}.csv"));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{dataset.Name}.csv differs from sample_data/; regenerate with: ecomops generate --seed 42 --out sample_data");
        }
    }

    [Fact]
    public async Task SameSeedAndSizes_GiveByteIdenticalFiles_DifferentSeed_DoesNot()
    {
        // Large enough that rows are formatted on several threads in several batches.
        var options = new GenerationOptions(20_000, 500, 300_000, Seed: 7);
        using var second = new TempDirectory();
        using var third = new TempDirectory();

        await Generation.GenerateAsync(options, _out.Path);
        await Generation.GenerateAsync(options, second.Path);
        await Generation.GenerateAsync(options with { Seed = 8 }, third.Path);

        foreach (var dataset in DatasetRegistry.All)
        {
            var name = $"{dataset.Name}.csv";
            Assert.Equal(Hash(_out.Combine(name)), Hash(second.Combine(name)));
            Assert.NotEqual(Hash(_out.Combine(name)), Hash(third.Combine(name)));
        }
    }

    [Fact]
    public async Task Files_HaveTheExactHeader_LfLineEndings_NoBom_AndOneLinePerRow()
    {
        var result = await Generation.GenerateAsync(new GenerationOptions(300, 40, 2_000), _out.Path);

        Assert.Equal(3, result.Files.Count);
        foreach (var dataset in DatasetRegistry.All)
        {
            var bytes = await File.ReadAllBytesAsync(_out.Combine($"{dataset.Name}.csv"));
            var text = Encoding.UTF8.GetString(bytes);
            Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte order mark");
            Assert.DoesNotContain('\r', text);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            var lines = text.TrimEnd('\n').Split('\n');
            Assert.Equal(dataset.CsvHeader, lines[0]);
            var file = result.Files.Single(f => f.Dataset == dataset.Name);
            Assert.Equal(file.Rows, lines.Length - 1);
            Assert.Equal(bytes.Length, file.Bytes);
        }
    }

    [Fact]
    public async Task DuckDb_ReadsTheFilesWithTheSchemaTypesAndRowCounts()
    {
        await Generation.GenerateAsync(new GenerationOptions(1_000, 200, 10_000, Seed: 3), _out.Path);
        using var db = new DuckDb();

        foreach (var dataset in DatasetRegistry.All)
        {
            var path = DuckDb.Literal(_out.Combine($"{dataset.Name}.csv"));

            // Strict read with the declared types: any value that does not parse fails the query.
            var columns = string.Join(", ", dataset.Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"));
            var strict = $"read_csv({path}, header = true, columns = {{{columns}}}, timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d')";
            Assert.Equal(new GenerationOptions(1_000, 200, 10_000).RowsFor(dataset.Name), db.Long($"SELECT count(*) FROM {strict}"));

            // A reader that knows nothing about us sniffs the same names, and dates and timestamps as such.
            var sniffed = db.Rows($"DESCRIBE SELECT * FROM read_csv_auto({path})").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
            Assert.Equal(dataset.ColumnNames, sniffed.Keys);
            foreach (var column in dataset.Columns.Where(c => c.Type is ColumnType.Date or ColumnType.Timestamp or ColumnType.Int64))
            {
                Assert.Equal(column.DuckDbType, sniffed[column.Name]);
            }
        }
    }

    [Fact]
    public async Task Transactions_ReferToExistingCustomersAndProducts_AfterSignup_InTheCustomersCountry()
    {
        var options = new GenerationOptions(500, 80, 20_000, Seed: 11, StartDate: new DateOnly(2024, 3, 1), EndDate: new DateOnly(2024, 6, 30));
        await Generation.GenerateAsync(options, _out.Path);
        using var db = new DuckDb();
        db.Scalar($"CREATE VIEW c AS SELECT * FROM read_csv_auto({DuckDb.Literal(_out.Combine("customer_data.csv"))})");
        db.Scalar($"CREATE VIEW p AS SELECT * FROM read_csv({DuckDb.Literal(_out.Combine("catalog_data.csv"))}, header = true, columns = {{'ProductID': 'BIGINT', 'ProductName': 'VARCHAR', 'Category': 'VARCHAR', 'Price': 'DECIMAL(10,2)', 'Stock': 'INTEGER'}})");
        db.Scalar($"CREATE VIEW t AS SELECT * FROM read_csv({DuckDb.Literal(_out.Combine("transactions_data.csv"))}, header = true, columns = {{'TransactionID': 'BIGINT', 'CustomerID': 'BIGINT', 'ProductID': 'BIGINT', 'Timestamp': 'TIMESTAMP', 'Amount': 'DECIMAL(10,2)', 'Country': 'VARCHAR'}})");

        Assert.Equal(0, db.Long("SELECT count(*) FROM t LEFT JOIN c USING (CustomerID) WHERE c.CustomerID IS NULL"));
        Assert.Equal(0, db.Long("SELECT count(*) FROM t LEFT JOIN p USING (ProductID) WHERE p.ProductID IS NULL"));
        Assert.Equal(0, db.Long("SELECT count(*) FROM t JOIN c USING (CustomerID) WHERE t.Timestamp < c.SignupDate"));
        Assert.Equal(0, db.Long("SELECT count(*) FROM t JOIN c USING (CustomerID) WHERE t.Country <> c.Country"));
        Assert.Equal(0, db.Long("SELECT count(*) FROM t WHERE t.Timestamp < TIMESTAMP '2024-03-01' OR t.Timestamp >= TIMESTAMP '2024-07-01'"));

        // Amount is the product's price times a quantity of 1 to 5, exactly.
        Assert.Equal(0, db.Long("SELECT count(*) FROM t JOIN p USING (ProductID) WHERE NOT list_contains([p.Price, p.Price * 2, p.Price * 3, p.Price * 4, p.Price * 5], t.Amount)"));
        Assert.Equal(5, db.Long("SELECT count(DISTINCT round(t.Amount / p.Price)) FROM t JOIN p USING (ProductID)"));

        // Ids are 1..N without gaps, transactions spread over most customers and products.
        Assert.Equal(20_000, db.Long("SELECT max(TransactionID) FROM t"));
        Assert.True(db.Long("SELECT count(DISTINCT CustomerID) FROM t") > 450);
        Assert.Equal(80, db.Long("SELECT count(DISTINCT ProductID) FROM t"));
    }

    [Fact]
    public async Task Values_AreInTheirRanges()
    {
        var options = new GenerationOptions(2_000, 300, 1_000, StartDate: new DateOnly(2023, 1, 1), EndDate: new DateOnly(2023, 12, 31));
        await Generation.GenerateAsync(options, _out.Path);
        using var db = new DuckDb();
        var customers = $"read_csv_auto({DuckDb.Literal(_out.Combine("customer_data.csv"))})";
        var products = $"read_csv_auto({DuckDb.Literal(_out.Combine("catalog_data.csv"))})";

        Assert.Equal(2_000, db.Long($"SELECT count(DISTINCT Email) FROM {customers}"));
        Assert.Equal(0, db.Long($"SELECT count(*) FROM {customers} WHERE NOT regexp_full_match(Email, '[a-z0-9]+\\.[a-z0-9]+[0-9]+@[a-z0-9.-]+')"));
        Assert.Equal(0, db.Long($"SELECT count(*) FROM {customers} WHERE SignupDate < DATE '2023-01-01' OR SignupDate > DATE '2023-12-31' OR Name = '' OR Country = ''"));
        Assert.Equal(0, db.Long($"SELECT count(*) FROM {products} WHERE Price < 1 OR Price > 1000 OR Stock < 0 OR Stock > 1000 OR ProductName = '' OR Category = ''"));
        Assert.True(db.Long($"SELECT count(DISTINCT Category) FROM {products}") >= 5);
    }

    [Fact]
    public async Task Locale_ChangesNamesButNotTheStructure()
    {
        await Generation.GenerateAsync(new GenerationOptions(200, 10, 100, Locale: "ru"), _out.Path);

        var lines = await File.ReadAllLinesAsync(_out.Combine("customer_data.csv"));
        Assert.Equal(201, lines.Length);
        Assert.Contains(lines.Skip(1), l => l.Any(c => c is >= 'А' and <= 'я'));

        // Emails stay ASCII whatever the alphabet of the names.
        using var db = new DuckDb();
        Assert.Equal(0, db.Long($"SELECT count(*) FROM read_csv_auto({DuckDb.Literal(_out.Combine("customer_data.csv"))}) WHERE NOT regexp_full_match(Email, '[ -~]+')"));
    }

    [Fact]
    public async Task InvalidOptions_WriteNothing()
    {
        var error = await Assert.ThrowsAsync<GenerationOptionsException>(() =>
            Generation.GenerateAsync(new GenerationOptions(Customers: 0, EndDate: new DateOnly(2020, 1, 1)), _out.Path));

        Assert.Equal(["Customers", "EndDate"], error.Errors.Select(e => e.Field));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_out.Path));
    }

    [Fact]
    public async Task Cancelled_LeavesThePreviousFilesAsTheyWere_AndNoStagingBehind()
    {
        await Generation.GenerateAsync(new GenerationOptions(100, 10, 100), _out.Path);
        var before = DatasetRegistry.All.ToDictionary(d => d.Name, d => Hash(_out.Combine($"{d.Name}.csv")));
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Dataset == "transactions_data" && p.Rows > 0)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Generation.GenerateAsync(new GenerationOptions(1_000, 100, 50_000_000), _out.Path, progress, cancel.Token));

        foreach (var dataset in DatasetRegistry.All)
        {
            Assert.Equal(before[dataset.Name], Hash(_out.Combine($"{dataset.Name}.csv")));
        }

        Assert.Equal(3, Directory.EnumerateFileSystemEntries(_out.Path).Count());
    }

    [Fact]
    public async Task Progress_CountsUpToTheTotalOfEachDataset()
    {
        var seen = new List<GenerationProgress>();
        await Generation.GenerateAsync(new GenerationOptions(100_000, 10, 100_000), _out.Path, new SyncProgress(seen.Add));

        foreach (var dataset in DatasetRegistry.All)
        {
            var reports = seen.Where(p => p.Dataset == dataset.Name).ToList();
            Assert.True(reports.Select(r => r.Rows).SequenceEqual(reports.Select(r => r.Rows).Order()), "rows never go backwards");
            Assert.Equal(reports[^1].TotalRows, reports[^1].Rows);
            Assert.True(reports[^1].Bytes > 0);
        }

        Assert.True(seen.Count(p => p.Dataset == "customer_data") > 2, "a long dataset reports along the way, not only at the end");
    }

    [Fact]
    public async Task Preview_ShowsTheFirstRowsExactlyAsWritten()
    {
        var options = new GenerationOptions(1_000, 200, 10_000, Seed: 5);
        var previews = await Generation.PreviewAsync(options, 20);
        await Generation.GenerateAsync(options, _out.Path);

        foreach (var preview in previews)
        {
            Assert.Equal(20, preview.Rows.Count);
            var fileLines = (await File.ReadAllLinesAsync(_out.Combine($"{preview.Dataset.Name}.csv"))).Skip(1).Take(20);
            Assert.Equal(fileLines, preview.Rows.Select(r => string.Join(',', r.Select(Quote))));
        }

        static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }

    [Fact]
    public async Task IntoTheLake_WritesRawKeys()
    {
        var result = await Generation.GenerateAsync(new GenerationOptions(10, 10, 10));

        Assert.Equal(
            ["raw/customer_data/customer_data.csv", "raw/catalog_data/catalog_data.csv", "raw/transactions_data/transactions_data.csv"],
            result.Files.Select(f => f.Location));
        Assert.All(result.Files, f => Assert.True(File.Exists(Path.Combine(_host.LakePath, f.Location))));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private sealed class SyncProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
