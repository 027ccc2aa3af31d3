using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Corpus;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Reliability;

/// <summary>
/// Every file of the bad-input corpus through every stage it can reach (upload, convert, crawl, load), on Core's real
/// services over a lake, catalog and warehouse that already hold committed data: the stage's message names the file,
/// and the line, column and value where they apply, and nothing committed changes (lake objects byte for byte, the
/// committed Parquet as DuckDB reads it, catalog table versions, warehouse row counts).
/// </summary>
public sealed class BadInputCorpusTests : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string Incoming = "incoming/";
    private static readonly string[] Datasets = [BadInputCorpus.Customers, BadInputCorpus.Products, BadInputCorpus.Transactions];

    private readonly CoreHost _host = new();
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _host.Dispose();
        _temp.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public static TheoryData<string, BadInputStage> AllCases()
    {
        var data = new TheoryData<string, BadInputStage>();
        foreach (var c in BadInputCorpus.Cases)
        {
            data.Add(c.File, c.Stage);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task BadInput_GetsAMessageNamingTheFileLineColumnAndValue_AndNothingCommittedChanges(string file, BadInputStage stage)
    {
        var c = BadInputCorpus.Find(file, stage);
        var source = SourcePath(file);
        await BaselineAsync(stage, c.Dataset);
        await PlaceAsync(c, source);
        var before = await SnapshotAsync(stage);

        var (accepted, message) = stage switch
        {
            BadInputStage.Upload => await UploadAsync(c, source),
            BadInputStage.Convert => await ConvertAsync(c),
            BadInputStage.Crawl => await CrawlAsync(c),
            _ => await LoadAsync(c),
        };

        if (c.Accepted)
        {
            Assert.True(accepted, $"{file} is valid and must be taken by {stage}; it was refused: {message}");
            return;
        }

        Assert.False(accepted, $"{file} must be refused by {stage}, and was taken ({message})");
        Assert.NotNull(message);
        Assert.Contains(file, message, StringComparison.Ordinal);
        foreach (var part in c.Expect)
        {
            Assert.Contains(part, message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(stage));
    }

    private async Task<(bool Accepted, string? Message)> UploadAsync(BadInputCase c, string source)
    {
        var dataset = c.File == "wrong-dataset.csv" ? c.Dataset : null;
        try
        {
            await using var content = File.OpenRead(source);
            var info = await _host.Get<ILakeService>().UploadAsync(new UploadRequest(c.File, dataset), content);
            Assert.Equal(Hash(source), Hash(Path.Combine(_host.LakePath, info.Key)));
            return (true, info.Key);
        }
        catch (UploadRejectedException e)
        {
            return (false, e.Message);
        }
    }

    private async Task<(bool Accepted, string? Message)> ConvertAsync(BadInputCase c)
    {
        // No bad row allowed: a bad row fails the run, so nothing is committed and the message says where it is.
        var service = _host.Get<IConversionService>();
        var run = Assert.Single(service.StartConversion(new ConversionOptions(MaxErrors: 0), [c.Dataset]));
        var ended = await _host.Get<IJobRunner>().WaitAsync(run.Id);
        if (ended.Status == JobStatus.Succeeded && c.Accepted)
        {
            Assert.Equal(Generated(c.Dataset) + c.Rows, ended.RowsWritten);
        }

        return (ended.Status == JobStatus.Succeeded, ended.Error ?? $"{ended.Status}, {ended.RowsWritten} rows written");
    }

    private async Task<(bool Accepted, string? Message)> CrawlAsync(BadInputCase c)
    {
        var run = await _host.Services.CrawlAsync();
        Assert.Equal(JobStatus.Succeeded, run.Status);
        var skipped = run.Results!.Where(r => r.Name.StartsWith("skipped ", StringComparison.Ordinal)).ToList();
        return skipped.Count == 0
            ? (true, string.Join("; ", run.Results!.Select(r => $"{r.Name} = {r.Value}")))
            : (false, string.Join("; ", skipped.Select(r => $"{r.Name}: {r.Value}")));
    }

    private async Task<(bool Accepted, string? Message)> LoadAsync(BadInputCase c)
    {
        var warehouse = _host.Get<IWarehouse>();
        var format = c.File.EndsWith(".parquet", StringComparison.Ordinal) ? "FORMAT AS PARQUET" : "CSV IGNOREHEADER 1";
        try
        {
            var outcome = await warehouse.CopyAsync(CopyParser.Parse($"COPY {c.Dataset} FROM 's3://ecomops-lake/{Incoming}' {Role} {format}"), new LoadRunContext("test"));
            if (outcome.Status == LoadStatus.Completed && outcome.Errors == 0)
            {
                Assert.Equal(c.Rows, outcome.LoadedRows);
                return (true, outcome.Message);
            }

            var errors = await warehouse.ErrorsAsync(outcome.QueryId);
            return (false, outcome.Message + " | " + string.Join(" | ", errors.Select(e =>
                string.Create(CultureInfo.InvariantCulture, $"{e.FileName} line {e.LineNumber}, column {e.ColumnName}: '{e.RawFieldValue}' {e.ErrorReason} ({e.ErrorCode})"))));
        }
        catch (LoadRefusedException e)
        {
            return (false, e.Message);
        }
    }

    // What is committed before the bad file arrives: generated CSVs, and for the later stages their Parquet, the
    // catalog's tables and the warehouse's rows.
    private async Task BaselineAsync(BadInputStage stage, string dataset)
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(Generated(BadInputCorpus.Customers), Generated(BadInputCorpus.Products), Generated(BadInputCorpus.Transactions)));
        if (stage is BadInputStage.Convert or BadInputStage.Crawl)
        {
            await _host.Services.ConvertAllAsync();
        }

        if (stage == BadInputStage.Crawl)
        {
            Assert.Equal(JobStatus.Succeeded, (await _host.Services.CrawlAsync()).Status);
        }

        if (stage == BadInputStage.Load)
        {
            var outcome = await _host.Get<IWarehouse>().CopyAsync(CopyParser.Parse($"COPY {dataset} FROM 's3://ecomops-lake/raw/{dataset}/' {Role} CSV IGNOREHEADER 1"), new LoadRunContext("test"));
            Assert.Equal(LoadStatus.Completed, outcome.Status);
        }
    }

    // Where the bad file lands for the stage: raw/<dataset>/ for a conversion (as if put there by another tool, past
    // the upload check), a folder of the lake's Parquet for a crawl, a prefix of its own for a COPY.
    private async Task PlaceAsync(BadInputCase c, string source)
    {
        var key = c.Stage switch
        {
            BadInputStage.Upload => null,
            BadInputStage.Convert => $"raw/{c.Dataset}/{c.File}",
            BadInputStage.Crawl => c.File == "wrong-schema.parquet" ? $"parquet/{c.Dataset}/{c.File}" : $"parquet/{Incoming}{c.File}",
            _ => Incoming + c.File,
        };
        if (key is null)
        {
            return;
        }

        await using var content = File.OpenRead(source);
        await using var write = await _host.Get<IObjectStore>().OpenWriteAsync(key);
        await content.CopyToAsync(write.Stream);
        await write.CommitAsync();
    }

    private string SourcePath(string file)
    {
        if (file != BadInputCorpus.GiantLine)
        {
            return Path.Combine(BadInputCorpus.Folder, file);
        }

        var path = _temp.Combine(file);
        using var stream = File.Create(path);
        stream.Write(Encoding.UTF8.GetBytes("CustomerID,Name,Email,Country,SignupDate\n1,"));
        var block = Encoding.ASCII.GetBytes(new string('A', 1024 * 1024));
        for (var i = 0; i < 50; i++)
        {
            stream.Write(block);
        }

        return path;
    }

    private async Task<string> SnapshotAsync(BadInputStage stage)
    {
        var text = new StringBuilder();
        var lake = _host.LakePath;
        foreach (var path in Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var key = Path.GetRelativePath(lake, path).Replace('\\', '/');
            if (!key.StartsWith("quarantine/", StringComparison.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"{key} {Hash(path)}\n");
            }
        }

        using (var duck = new DuckDb())
        {
            foreach (var dataset in Datasets)
            {
                if (await ConversionManifest.ReadAsync(_host.Get<IObjectStore>(), dataset) is { } manifest)
                {
                    var files = string.Join(", ", manifest.Files.Select(f => DuckDb.Literal(Path.Combine(lake, f.Key))));
                    foreach (var row in duck.Rows($"SELECT * FROM read_parquet([{files}]) ORDER BY ALL"))
                    {
                        text.Append(dataset).Append(": ").AppendJoin('|', row.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))).Append('\n');
                    }
                }
            }
        }

        foreach (var table in await _host.Get<ICatalog>().ListTablesAsync())
        {
            text.Append(CultureInfo.InvariantCulture, $"catalog {table.Database}.{table.Name} v{table.Version} {table.Status} {table.RecordCount} rows {string.Join(",", table.Columns.Select(col => col.Name + ":" + col.Type))}\n");
        }

        if (stage == BadInputStage.Load)
        {
            foreach (var table in await _host.Get<IWarehouse>().ListTablesAsync())
            {
                text.Append(CultureInfo.InvariantCulture, $"warehouse {table.Schema}.{table.Name} {table.Rows} rows\n");
            }
        }

        return text.ToString();
    }

    private static long Generated(string dataset) => dataset switch
    {
        BadInputCorpus.Customers => 20,
        BadInputCorpus.Products => 10,
        _ => 30,
    };

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
