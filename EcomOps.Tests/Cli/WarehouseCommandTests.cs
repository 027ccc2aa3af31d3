using EcomOps.Cli;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Cli;

/// <summary><c>ecomops warehouse</c> as an operator uses it: init, a COPY with a bad row, the history, the errors, a monitoring query.</summary>
public sealed class WarehouseCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task InitCopyLoadsErrorsAndQuery_TellTheOperatorWhatLoadedAndWhatWasRejected()
    {
        var init = await RunAsync("warehouse", "init");
        Assert.True(init.Code == 0, init.Stderr);
        Assert.Equal(["created public.customer_data", "created public.catalog_data", "created public.transactions_data"], Lines(init.Stdout));
        Assert.Empty(Lines((await RunAsync("warehouse", "init")).Stdout));

        Assert.Equal(0, (await RunAsync("generate", "--customers", "100", "--products", "20", "--transactions", "400")).Code);
        var csv = Path.Combine(_dir.Combine("data"), "lake", "ecomops-lake", "raw", "transactions_data", "transactions_data.csv");
        await File.AppendAllTextAsync(csv, "9999,1,1,not-a-time,1.00,Chile\n");

        var copy = await RunAsync("warehouse", "copy", "--sql",
            "COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' IAM_ROLE default CSV IGNOREHEADER 1 MAXERROR 5");

        Assert.True(copy.Code == 0, copy.Stderr);
        Assert.Contains("rows loaded\t400", copy.Stdout);
        Assert.Contains("rows rejected\t1", copy.Stdout);
        var id = Lines(copy.Stdout).Single(l => l.StartsWith("load (query id)", StringComparison.Ordinal)).Split('\t')[1];

        var loads = await RunAsync("warehouse", "loads");
        Assert.Contains(Lines(loads.Stdout), l => l.TrimStart().StartsWith(id, StringComparison.Ordinal) && l.Contains("completed") && l.Contains("public.transactions_data") && l.Contains("400"));

        var errors = await RunAsync("warehouse", "errors", id);
        var error = Lines(errors.Stdout).Skip(1).Single().Split('\t');
        Assert.Equal(("402", "timestamp", "not-a-time"), (error[1], error[2], error[4]));

        var query = await RunAsync("warehouse", "query", "--sql", "SELECT err_code, trim(colname) AS colname FROM stl_load_errors WHERE query = pg_last_copy_id()");
        Assert.True(query.Code == 0, query.Stderr);
        Assert.Equal(["err_code,colname", $"{error[5]},timestamp"], Lines(query.Stdout));

        var over = await RunAsync("warehouse", "copy", "--sql", "COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' IAM_ROLE default CSV IGNOREHEADER 1");
        Assert.Equal(1, over.Code);
        Assert.Contains("MAXERROR 0", over.Stderr);
        Assert.Contains(Lines((await RunAsync("warehouse", "loads", "--failed")).Stdout), l => l.Contains("aborted"));

        var refused = await RunAsync("warehouse", "copy", "--sql", "COPY transactions_data FROM 's3://ecomops-lake/raw/' FORMAT AS AVRO 'auto'");
        Assert.Equal(2, refused.Code);
        Assert.Contains("AVRO", refused.Stderr);
        Assert.Equal(2, (await RunAsync("warehouse", "query", "--sql", "DELETE FROM transactions_data")).Code);
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
