using EcomOps.Cli;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Cli;

/// <summary><c>ecomops query saved|history</c> with the warehouse's saved queries: they run on the warehouse, and the history says so.</summary>
public sealed class QueryCommandTargetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private string DataRoot => _dir.Combine("data");

    [Fact]
    public async Task SavedMonitoringQuery_RunsOnTheWarehouse_AndQueryHistoryShowsItsTarget()
    {
        var lake = Path.Combine(DataRoot, "lake", "ecomops-lake", "raw", "wh");
        Directory.CreateDirectory(lake);
        await File.WriteAllTextAsync(Path.Combine(lake, "transactions.csv"),
            "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,10,100,2024-03-01 10:00:00,12.50,Chile\n2,10,x7,2024-03-01 10:00:00,3.00,Peru\n");
        var copy = await RunAsync("warehouse", "copy", "--sql", "COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' IAM_ROLE 'arn:aws:iam::123456789012:role/r' CSV IGNOREHEADER 1 MAXERROR 3");
        Assert.True(copy.Code == 0, copy.Stderr);

        var list = await RunAsync("query", "saved", "ls", "--search", "loads:");
        var run = await RunAsync("query", "saved", "run", "Loads: latest load errors");
        await RunAsync("query", "--sql", "SELECT 1 AS one");
        var direct = await RunAsync("warehouse", "query", "--sql", "SELECT count(*) AS n FROM transactions_data");
        var history = await RunAsync("query", "history");

        Assert.Contains("Loads: latest load errors\tWarehouse\t", list.Stdout);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("productid", run.Stdout);
        Assert.Equal(0, history.Code);
        Assert.True(direct.Code == 0, direct.Stderr);
        Assert.True(direct.Stdout.ReplaceLineEndings("\n").StartsWith("n\n1\n", StringComparison.Ordinal), direct.Stdout);
        var lines = history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ON", lines[0]);
        Assert.Contains("Warehouse", lines[1]);
        Assert.Contains("transactions_data", lines[1]);
        Assert.Contains("Lake", lines[2]);
        Assert.Contains("Warehouse", lines[3]);
        Assert.Contains("SELECT query, substring(filename", lines[3]);
    }

    [Fact]
    public async Task QueryHistory_ShowsControlAndBidiCharactersAsCodePoints_SoTheTerminalPrintsWhatWasTyped()
    {
        // An ANSI "clear screen" and a right-to-left override: the gate refuses the query, and the history keeps it as typed.
        var hostile = "SELECT 1 AS one -- \u001b[2J \u202Eeno";
        var refused = await RunAsync("query", "--sql", hostile);
        var history = await RunAsync("query", "history");

        Assert.NotEqual(0, refused.Code);
        Assert.Equal(0, history.Code);
        Assert.DoesNotContain('\u001b', history.Stdout + refused.Stderr);
        Assert.DoesNotContain('\u202E', history.Stdout + refused.Stderr);
        Assert.Contains("Refused", history.Stdout, StringComparison.Ordinal);
        Assert.Contains(@"SELECT 1 AS one -- \u001B[2J \u202Eeno", history.Stdout, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", DataRoot, .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
