using System.Text;
using EcomOps.Cli;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Security;

/// <summary>The CLI's ways in (ecomops query --sql / --file / saved run, ecomops warehouse query): the same gate, the same messages.</summary>
public sealed class SqlEscapeCliTests : IDisposable
{
    // One attempt per family; the matrix (SqlEscapeMatrixTests) holds them all, through the service the CLI calls.
    private static readonly string[] Sample =
    [
        "read_csv", "FROM a quoted path", "COPY table TO", "ATTACH a file", "INSTALL", "SET external access", "DROP TABLE", "CREATE SECRET",
        "duckdb_settings", "query()", "two statements", "-- comment with a line separator", "backslash before a quote", "fullwidth semicolon",
        "zero-width space", "NUL before a second statement", "UNLOAD (Redshift)",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task QueryAndWarehouseQuery_RefuseEachAttempt_WithExitCode2AndTheRule_AndWriteNothing()
    {
        Assert.Equal(0, (await RunAsync("generate", "--customers", "50", "--products", "10", "--transactions", "200")).Code);
        Assert.Equal(0, (await RunAsync("convert", "--all")).Code);
        Assert.Equal(0, (await RunAsync("crawl")).Code);
        Assert.Equal(0, (await RunAsync("warehouse", "init")).Code);
        var canary = _dir.Combine("canary.csv");
        var file = _dir.Combine("attempt.sql");

        foreach (var name in Sample)
        {
            var attempt = SqlEscapeAttempts.All.Single(a => a.Name == name);
            var sql = SqlEscapeAttempts.Fill(attempt, canary, _dir.Combine("data", "lake"));
            await File.WriteAllTextAsync(file, sql);
            var expected = $"refused: {QueryRules.Title(attempt.Rule)}: ";

            foreach (var args in new[] { ["query", "--sql", sql], ["query", "--file", file], new[] { "warehouse", "query", "--sql", sql } })
            {
                var (code, stdout, stderr) = await RunAsync(args);
                Assert.True(code == 2 && stderr.StartsWith(expected, StringComparison.Ordinal), $"{name} via {args[0]} {args[1]}: exit {code}, {stderr}");
                Assert.Contains(attempt.Names, stderr, StringComparison.Ordinal);
                Assert.Equal("", stdout);
            }
        }

        Assert.False(File.Exists(canary));

        // A file an editor saved with a byte order mark: the mark is the file's encoding, not part of the query.
        await File.WriteAllTextAsync(file, "SELECT count(*) AS n FROM ecom.customer_data", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var bom = await RunAsync("query", "--file", file);
        Assert.True(bom.Code == 0, bom.Stderr);
        Assert.Equal("n\n50", bom.Stdout.ReplaceLineEndings("\n").Trim());
        var count = await RunAsync("warehouse", "query", "--sql", "SELECT count(*) AS n FROM transactions_data");
        Assert.Equal("n\n0", count.Stdout.ReplaceLineEndings("\n").Trim());
        var history = await RunAsync("query", "history", "--limit", "200");
        Assert.Equal(Sample.Length * 3, history.Stdout.Split('\n').Count(l => l.Contains("Refused", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnAttemptSavedThroughTheDashboard_IsRefusedWhenTheCliRunsIt()
    {
        var dataRoot = _dir.Combine("data");
        using (var host = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = dataRoot }))
        {
            await host.Get<IQueryService>().SaveAsync("Innocent totals", "looks fine", "SELECT 1 AS n; DROP TABLE transactions_data", QueryTarget.Warehouse);
        }

        SqliteConnection.ClearAllPools();
        var (code, stdout, stderr) = await RunAsync("query", "saved", "run", "innocent totals");

        Assert.Equal(2, code);
        Assert.StartsWith($"refused: {QueryRules.Title(QueryRule.OneStatement)}: a second statement starts at line 1, column 16", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
