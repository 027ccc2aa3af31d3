using EcomOps.Cli;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Cli;

public sealed class CatalogCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Crawl_PrintsALinePerTable_ThenCatalogLsAndShowDescribeThem()
    {
        Assert.Equal(0, (await RunAsync("generate", "--customers", "100", "--products", "20", "--transactions", "3000")).Code);
        Assert.Equal(0, (await RunAsync("convert", "--all", "--partition-by", "month")).Code);

        var crawl = await RunAsync("crawl");

        Assert.True(crawl.Code == 0, crawl.Stderr);
        var lines = crawl.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ecom.catalog_data", "ecom.customer_data", "ecom.transactions_data"], lines.Select(l => l.Split('\t')[0]));
        Assert.Contains("created, 3,000 rows", lines[2]);
        Assert.Contains("tables created: 3", crawl.Stderr);

        var ls = await RunAsync("catalog", "ls");
        var transactions = ls.Stdout.Split('\n').Single(l => l.StartsWith("ecom.transactions_data", StringComparison.Ordinal));
        Assert.Contains("parquet", transactions);
        Assert.Contains("3,000", transactions);

        var show = await RunAsync("catalog", "show", "transactions_data", "--versions");
        Assert.Equal(0, show.Code);
        Assert.Contains("amount                    decimal(10,2)", show.Stdout);
        Assert.Contains("year                      string            partition key", show.Stdout);
        Assert.Contains("year=2024/month=", show.Stdout);
        Assert.Contains("Version 1", show.Stdout);
        Assert.Contains("  created", show.Stdout);

        // Crawled again with nothing changed: unchanged, still version 1.
        var again = await RunAsync("crawl", "--policy", "log", "--on-delete", "deprecate");
        Assert.Contains("unchanged, 3,000 rows", again.Stdout.Split('\n').Single(l => l.StartsWith("ecom.transactions_data", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Query_PrintsCsvWithAHeader_StatisticsOnStderr_AndRefusesWhatIsNotAQuery()
    {
        Assert.Equal(0, (await RunAsync("generate", "--customers", "100", "--products", "20", "--transactions", "3000")).Code);
        Assert.Equal(0, (await RunAsync("convert", "--all", "--partition-by", "month")).Code);
        Assert.Equal(0, (await RunAsync("crawl")).Code);

        var query = await RunAsync("query", "--sql", "SELECT year, count(*) AS orders FROM ecom.transactions_data GROUP BY year ORDER BY year");

        Assert.True(query.Code == 0, query.Stderr);
        var lines = query.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("year,orders", lines[0]);
        Assert.Equal(3_000, lines.Skip(1).Sum(l => long.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("rows in", query.Stderr);

        var refused = await RunAsync("query", "--sql", "SELECT 1; ATTACH 'x.db'");
        Assert.Equal(2, refused.Code);
        Assert.Contains("refused:", refused.Stderr);
        Assert.Equal("", refused.Stdout);
    }

    [Fact]
    public async Task CatalogShow_OfAnUnknownTable_SaysWhichTablesThereAre_AndExitsWith2()
    {
        var empty = await RunAsync("catalog", "show", "orders");
        Assert.Equal(2, empty.Code);
        Assert.Contains("The catalog is empty: run 'ecomops crawl'", empty.Stderr);

        var crawl = await RunAsync("crawl");
        Assert.Equal(0, crawl.Code);
        Assert.Contains("No tables: nothing to crawl under parquet/", crawl.Stderr);
    }

    [Fact]
    public async Task Crawl_WithABadIncludePath_ExitsWith2_AndSaysWhy()
    {
        var crawl = await RunAsync("crawl", "--path", "../etc");

        Assert.Equal(2, crawl.Code);
        Assert.Contains("Include path '../etc/' is not a lake prefix", crawl.Stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
