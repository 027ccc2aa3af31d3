using System.Globalization;
using System.Text;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Conversion;

/// <summary>A local lake in a temporary folder, with generated or hand-written raw CSVs, and DuckDB to read the Parquet back.</summary>
public sealed class ConversionLake : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ConversionLake() => Store = Open();

    public LocalObjectStore Store { get; private set; }

    public string Root => _dir.Combine("lake");

    public string StagingDirectory => _dir.Combine("lake.staging");

    public DuckDb Duck { get; } = new();

    /// <summary>A converter committing with the lake's folder swap, as the Local backend registers it.</summary>
    public ParquetConverter Converter => new(prefixSwap: Store);

    /// <summary>A new store over the same folders, as after a restart.</summary>
    public LocalObjectStore Reopen() => Store = Open();

    /// <summary>Writes <paramref name="rows"/> generated rows of a dataset to its raw CSV; returns the file's path.</summary>
    public async Task<string> GenerateAsync(DatasetSchema dataset, long rows, int seed = 42, string? key = null)
    {
        var generator = new RowGenerator(new GenerationOptions(Customers: 500, Products: 100, Transactions: 10_000, Seed: seed));
        await using (var write = await Store.OpenWriteAsync(key ?? dataset.RawKey))
        {
            await GeneratedCsv.WriteAsync(generator, dataset, rows, write.Stream);
            await write.CommitAsync();
        }

        return PathOf(key ?? dataset.RawKey);
    }

    public async Task PutAsync(string key, byte[] content)
    {
        await using var write = await Store.OpenWriteAsync(key);
        await write.Stream.WriteAsync(content);
        await write.CommitAsync();
    }

    public Task PutAsync(string key, string content) => PutAsync(key, Encoding.UTF8.GetBytes(content));

    public Task<ConversionResult> ConvertAsync(ConversionRequest request, Action<ConversionProgress>? onProgress = null, CancellationToken cancellationToken = default) =>
        Converter.ConvertAsync(request, Store, onProgress is null ? null : new SyncProgress<ConversionProgress>(onProgress), cancellationToken);

    public static ConversionRequest Request(DatasetSchema dataset) => new(dataset, Guid.NewGuid());

    public string PathOf(string key) => Path.Combine(Root, key);

    /// <summary>DuckDB's reader over every Parquet file of a dataset, as the query engine reads it.</summary>
    public string ReadParquet(DatasetSchema dataset, bool hive = false) =>
        $"read_parquet({DuckDb.Literal(PathOf($"parquet/{dataset.Name}/**/*.parquet"))}{(hive ? ", hive_partitioning = true" : "")})";

    /// <summary>DuckDB's reader over a raw CSV with the dataset's exact types, the reference the Parquet is checked against.</summary>
    public string ReadCsv(DatasetSchema dataset, string path)
    {
        var columns = string.Join(", ", dataset.Columns.Select(c => $"'{c.Name}': '{c.DuckDbType}'"));
        return $"read_csv({DuckDb.Literal(path)}, header = true, columns = {{{columns}}})";
    }

    /// <summary>Every file under the dataset's Parquet folder, relative to it, sorted.</summary>
    public IReadOnlyList<string> FilesOf(DatasetSchema dataset)
    {
        var folder = PathOf($"parquet/{dataset.Name}");
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>Every file the lake and its staging folder hold, relative to the lake's parent folder.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [.. Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.Path, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    public async Task<List<string[]>> ReadQuarantineAsync(string key)
    {
        var rows = new List<string[]>();
        using var reader = CsvHelper.CsvReader.FromFile(PathOf(key), CsvHelper.CsvReaderOptions.Default with { Separator = ',' });
        await reader.ReadHeaderAsync();
        Assert.Equal(QuarantineHeader, reader.Headers);
        while (await reader.ReadAsync())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i))]);
        }

        return rows;
    }

    public static string[] QuarantineHeader => ["source_key", "line_number", "column", "raw_value", "reason", "raw_record"];

    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Duck.Dispose();
        _dir.Dispose();
    }

    private LocalObjectStore Open() => new(Root, StagingDirectory);
}
