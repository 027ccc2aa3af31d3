using System.Text;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Warehouse;

/// <summary>COPY into the local warehouse as ops staff would run it: what loads, what is rejected and why, and what is recorded.</summary>
public sealed class LocalWarehouseTests : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";

    private readonly CoreHost _host = new();

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IWarehouse Warehouse => _host.Get<IWarehouse>();

    [Fact]
    public async Task Init_CreatesTheDdlsTables_AndTheLoadTables_OnlyOnce()
    {
        var created = await Warehouse.InitAsync();

        Assert.Equal(["public.customer_data", "public.catalog_data", "public.transactions_data"], created);
        Assert.Empty(await Warehouse.InitAsync());
        var tables = await Warehouse.ListTablesAsync();
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], tables.Select(t => t.Name).Order());
        Assert.All(tables, t => Assert.Equal(0, t.Rows));
        Assert.True(File.Exists(Path.Combine(_host.DataRoot, "warehouse.duckdb")));
    }

    [Fact]
    public async Task CsvCopy_LoadsEveryRow_AndTheHistorySaysCompleted()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(300, 40, 2_500));

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' {Role} CSV IGNOREHEADER 1 TIMEFORMAT 'auto'");

        Assert.Equal((LoadStatus.Completed, 2_500L, 0L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Equal(2_500, (await Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
        var load = Assert.Single(await Warehouse.LoadsAsync(new LoadFilter()));
        Assert.Equal((outcome.QueryId, LoadStatus.Completed, "public.transactions_data", "csv", 2_500L), (load.QueryId, load.Status, load.TableName, load.FileFormat, load.LoadedRows));
        Assert.Equal("s3://ecomops-lake/raw/transactions_data/", load.DataSource);
        Assert.True(load.LoadedBytes > 0 && load.EndTime >= load.StartTime);
    }

    [Fact]
    public async Task BadRowsUnderMaxError_AreSkipped_AndEachIsRecordedWithItsLineColumnValueAndReason()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv",
            Header,
            "1,10,100,2024-03-01 10:00:00,12.50,Chile",
            "2,10,x7,2024-03-01 10:00:00,3.00,Peru",
            "3,11,100,2024-02-30 10:00:00,4.00,Peru",
            "4,12,101,2024-03-02 11:30:00,5.25,Chile");

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 5");

        Assert.Equal((LoadStatus.Completed, 2L, 2L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        var errors = await Warehouse.ErrorsAsync(outcome.QueryId);
        Assert.Equal([(3L, "productid", "x7"), (4L, "timestamp", "2024-02-30 10:00:00")], errors.Select(e => (e.LineNumber, e.ColumnName, e.RawFieldValue)));
        Assert.All(errors, e => Assert.Equal("s3://ecomops-lake/raw/wh/transactions.csv", e.FileName));
        Assert.Equal("2,10,x7,2024-03-01 10:00:00,3.00,Peru", errors[0].RawLine);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ErrorReason)));
        Assert.Equal(2, (await Warehouse.LoadsAsync(new LoadFilter())).Single().ErrorCount);
    }

    [Fact]
    public async Task MoreBadRowsThanMaxError_LoadNothing_AndTheHistorySaysAbortedWithTheCount()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(300, 40, 500));
        Assert.Equal(LoadStatus.Completed, (await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' {Role} CSV IGNOREHEADER 1")).Status);
        await PutAsync("raw/wh/transactions.csv",
            Header,
            "9001,10,100,2024-03-01 10:00:00,12.50,Chile",
            "9002,ten,100,2024-03-01 10:00:00,3.00,Peru",
            "9003,11,100,2024-03-01 10:00:00,4.00,Peru,extra",
            "9004,12,101,2024-03-02 11:30:00,5.25,Chile");

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 1");

        Assert.Equal((LoadStatus.Aborted, 0L, 2L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Contains("MAXERROR 1", outcome.Message);
        Assert.Equal(500, (await Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
        var aborted = Assert.Single(await Warehouse.LoadsAsync(new LoadFilter(FailedOnly: true)));
        Assert.Equal((LoadStatus.Aborted, 2L, 0L), (aborted.Status, aborted.ErrorCount, aborted.LoadedRows));
        Assert.Equal([1202], (await Warehouse.ErrorsAsync(outcome.QueryId)).Where(e => e.LineNumber == 4).Select(e => e.ErrorCode));
    }

    [Fact]
    public async Task ParquetCopy_LoadsTheConvertedDatasets_ByPosition()
    {
        await _host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(300, 40, 2_000));
        await _host.Services.ConvertAllAsync();

        var customers = await CopyAsync($"COPY customer_data FROM 's3://ecomops-lake/parquet/customer_data/' {Role} FORMAT AS PARQUET");
        var transactions = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/parquet/transactions_data/' {Role} FORMAT AS PARQUET");

        Assert.Equal((LoadStatus.Completed, 300L), (customers.Status, customers.LoadedRows));
        Assert.True(transactions.Status == LoadStatus.Completed, transactions.Message);
        Assert.Equal(2_000L, transactions.LoadedRows);
        Assert.True(transactions.Files > 1, "transactions are partitioned by month: one file a month");
        var loads = await Warehouse.LoadsAsync(new LoadFilter(Table: "transactions_data"));
        Assert.Equal("parquet", Assert.Single(loads).FileFormat);
    }

    [Fact]
    public async Task NoLoad_ChecksEveryRow_AndLoadsNothing()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,10,x7,2024-03-01 10:00:00,3.00,Peru");

        var outcome = await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 10 NOLOAD");

        Assert.True(outcome.NoLoad);
        Assert.Equal((0L, 1L), (outcome.LoadedRows, outcome.Errors));
        Assert.Contains("1 rows would load", outcome.Message);
        Assert.Equal(0, (await Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
    }

    [Fact]
    public async Task LoadingTheSameFilesTwice_Warns_OrIsRefusedByTheSetting()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile");
        var copy = $"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1";
        Assert.DoesNotContain((await CopyAsync(copy)).Warnings, w => w.Contains("before", StringComparison.Ordinal));

        var again = await CopyAsync(copy);

        Assert.Contains(again.Warnings, w => w.Contains("loaded into public.transactions_data before", StringComparison.Ordinal));
        using var strict = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = _host.DataRoot, ["EcomOps:Warehouse:RefuseDuplicateLoads"] = "true" });
        var refused = await Assert.ThrowsAsync<LoadRefusedException>(() => strict.Get<IWarehouse>().CopyAsync(CopyParser.Parse(copy), new LoadRunContext("test")));
        Assert.Contains("RefuseDuplicateLoads", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("COPY no_such_table FROM 's3://ecomops-lake/raw/transactions_data/' CSV", "has no table public.no_such_table")]
    [InlineData("COPY transactions_data FROM 's3://ecomops-lake/raw/nothing-here/' CSV", "No files at s3://ecomops-lake/raw/nothing-here/")]
    [InlineData("COPY transactions_data FROM 's3://another-bucket/raw/' CSV", "is not in the lake")]
    [InlineData("COPY transactions_data (transactionid, nope) FROM 's3://ecomops-lake/raw/' CSV", "Column 'nope'")]
    public async Task ACopyThatCannotRun_IsRefusedWithWhatToChange_AndNothingIsRecorded(string copy, string expected)
    {
        await Warehouse.InitAsync();

        var error = await Assert.ThrowsAsync<LoadRefusedException>(() => CopyAsync(copy));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(await Warehouse.LoadsAsync(new LoadFilter()));
    }

    [Fact]
    public async Task ALoad_IsARun_WithItsCountsAndLoadId_AndAnAbortedOneFailsTheRun()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,x,100,2024-03-01 10:00:00,1.00,Peru");
        var loads = _host.Get<IWarehouseService>();
        var runner = _host.Get<IJobRunner>();

        var good = await runner.WaitAsync(loads.StartLoad($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 1").Id);
        var bad = await runner.WaitAsync(loads.StartLoad($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1").Id);

        Assert.Equal(JobStatus.Succeeded, good.Status);
        Assert.Equal((1L, 1L), (good.Counts.RowsWritten, good.Counts.RowsRejected));
        Assert.Contains(good.Results!, r => r.Name == "rows loaded" && r.Value == "1");
        Assert.Equal(JobStatus.Failed, bad.Status);
        Assert.Contains("MAXERROR 0", bad.Error);
        Assert.Throws<CopyParseException>(() => loads.StartLoad("COPY transactions_data FROM 's3://ecomops-lake/raw/' FORMAT AS JSON 'auto'"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" NOLOAD")]
    public async Task ALoadRun_EndsItsStepWithEveryByteRead_AsTheProgressBarShowsIt(string noLoad)
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,10,101,2024-03-01 10:00:00,1.00,Peru");

        var run = await _host.Get<IJobRunner>().WaitAsync(
            _host.Get<IWarehouseService>().StartLoad($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1{noLoad}").Id);

        var step = Assert.Single(run.Steps);
        Assert.Equal((JobStatus.Succeeded, JobUnits.Bytes), (step.Status, step.Unit));
        Assert.True(step.Progress.Total > 0);
        Assert.Equal(step.Progress.Total, step.Progress.Done);
        Assert.Equal(100, step.Progress.Percent);
    }

    [Fact]
    public async Task Credentials_AreNeverStoredWithTheRun()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile");
        var run = _host.Get<IWarehouseService>().StartLoad(
            "COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' CREDENTIALS 'aws_access_key_id=AKIAEXAMPLEKEY;aws_secret_access_key=wJalrXUtnFEMIsecretEXAMPLE' CSV IGNOREHEADER 1");

        var finished = await _host.Get<IJobRunner>().WaitAsync(run.Id);

        Assert.Equal(JobStatus.Succeeded, finished.Status);
        using var ops = new SqliteConnection($"Data Source={Path.Combine(_host.DataRoot, "ops.db")}");
        ops.Open();
        using var command = ops.CreateCommand();
        command.CommandText = "SELECT group_concat(coalesce(parameters_json, '') || ' ' || coalesce(results, '') || ' ' || coalesce(parameters, ''), ' ') FROM job_runs";
        var stored = Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
        Assert.DoesNotContain("wJalrXUtnFEMIsecretEXAMPLE", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEKEY", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMonitoringQueriesOfRedshiftExamples_RunUnchanged_AndSeeTheLoadsAndTheirErrors()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,10,x7,2024-03-01 10:00:00,3.00,Peru");
        await CopyAsync($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1 MAXERROR 3");
        var queries = File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", "redshift_examples.sql"))
            .Split(';')
            .Select(q => string.Join('\n', q.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(q => q.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(queries.Count >= 2, "redshift_examples.sql holds the monitoring queries");

        foreach (var query in queries)
        {
            var result = await Warehouse.QueryAsync(query);
            Assert.NotEmpty(result.Rows);
        }

        var last = await Warehouse.QueryAsync("SELECT line_number, trim(colname) AS colname, err_code FROM stl_load_errors WHERE query = pg_last_copy_id()");
        Assert.Equal([3L, "productid"], Assert.Single(last.Rows).Take(2));
        Assert.Equal(1, (await Warehouse.QueryAsync("SELECT count(*) FROM transactions_data")).Rows[0][0] is long n ? n : -1);
    }

    [Theory]
    [InlineData("DELETE FROM transactions_data")]
    [InlineData("SELECT 1; DROP TABLE transactions_data")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')")]
    [InlineData("COPY transactions_data TO '/tmp/out.csv'")]
    public async Task AWarehouseQuery_ChangesNothing_AndReachesNoFile(string sql)
    {
        await Warehouse.InitAsync();

        await Assert.ThrowsAsync<EcomOps.Core.Query.QueryRefusedException>(() => Warehouse.QueryAsync(sql));

        Assert.Equal(3, (await Warehouse.ListTablesAsync()).Count);
    }

    [Fact]
    public async Task AReplacingLoad_LeavesTheFilesRowsOnly_AndOneThatAborts_LeavesTheOldRows()
    {
        await Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,10,100,2024-03-01 10:00:00,3.00,Peru");
        var copy = CopyParser.Parse($"COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' {Role} CSV IGNOREHEADER 1");
        await CopyAsync(copy.Redacted);

        var replaced = await Warehouse.CopyAsync(copy, new LoadRunContext("test", ReplaceRows: true));

        Assert.Equal((LoadStatus.Completed, 2L), (replaced.Status, replaced.LoadedRows));
        Assert.Empty(replaced.Warnings);
        Assert.Equal(2, (await Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);

        await PutAsync("raw/wh/transactions.csv", Header, "3,10,100,2024-03-01 10:00:00,12.50,Chile", "4,10,x,2024-03-01 10:00:00,3.00,Peru");
        var aborted = await Warehouse.CopyAsync(copy, new LoadRunContext("test", ReplaceRows: true));

        Assert.Equal(LoadStatus.Aborted, aborted.Status);
        var ids = await Warehouse.QueryAsync("SELECT TransactionID FROM transactions_data ORDER BY 1");
        Assert.Equal([1L, 2L], ids.Rows.Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    private Task<LoadOutcome> CopyAsync(string copy) => Warehouse.CopyAsync(CopyParser.Parse(copy), new LoadRunContext("test"));

    private async Task PutAsync(string key, params string[] lines)
    {
        await using var write = await _host.Get<IObjectStore>().OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        await write.CommitAsync();
    }
}
