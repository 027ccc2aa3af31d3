using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Query;

/// <summary>
/// sql/athena_queries.sql on the sample data: every query runs as written, and the answers are checked against
/// figures computed here from the sample CSVs, not by the same SQL.
/// </summary>
public sealed class AthenaQueriesTests : IAsyncLifetime
{
    private readonly CoreHost _host = new();
    private Dictionary<string, string> _queries = [];
    private List<Transaction> _transactions = [];
    private Dictionary<long, (string Name, string Category, int Stock)> _products = [];

    public async Task InitializeAsync()
    {
        // The sample data, converted (transactions by month) and crawled, as a new user's first steps leave it.
        foreach (var dataset in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(_host.LakePath, "raw", dataset)).FullName;
            File.Copy(Path.Combine(RepoPaths.SampleData, dataset + ".csv"), Path.Combine(folder, dataset + ".csv"));
        }

        await _host.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await _host.Services.CrawlAsync()).Status);
        _queries = ExampleQueries.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "sql", "athena_queries.sql"))).ToDictionary(q => q.Name, q => q.Sql);
        // Countries and product names may hold commas inside quotes: the files are read with the real CSV reader.
        using (var transactions = CsvHelper.CsvReader.Create(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.SampleData, "transactions_data.csv")), CsvHelper.CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture }))
        {
            while (transactions.Read())
            {
                _transactions.Add(new Transaction(
                    long.Parse(transactions.GetString(1), CultureInfo.InvariantCulture),
                    long.Parse(transactions.GetString(2), CultureInfo.InvariantCulture),
                    DateTime.ParseExact(transactions.GetString(3), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    decimal.Parse(transactions.GetString(4), CultureInfo.InvariantCulture),
                    transactions.GetString(5)));
            }
        }

        using var reader = CsvHelper.CsvReader.Create(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.SampleData, "catalog_data.csv")), CsvHelper.CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture });
        while (reader.Read())
        {
            _products[long.Parse(reader.GetString(0), CultureInfo.InvariantCulture)] = (reader.GetString(1), reader.GetString(2), int.Parse(reader.GetString(4), CultureInfo.InvariantCulture));
        }
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryQuery_RunsAsWritten_AndReturnsRows()
    {
        Assert.True(_queries.Count >= 10, $"sql/athena_queries.sql has {_queries.Count} queries; it should have at least ten");
        foreach (var (name, sql) in _queries)
        {
            var result = await RunAsync(name);
            Assert.True(result.Rows.Count > 0, $"'{name}' returned no rows:\n{sql}");
        }
    }

    [Fact]
    public async Task RevenueByCountryAndMonth_AddsUpToEveryTransaction()
    {
        var result = await RunAsync("Revenue by country and month");

        Assert.Equal(_transactions.Sum(t => t.Amount), result.Rows.Sum(r => (decimal)r[3]!));
        var expected = _transactions.GroupBy(t => (t.Country, t.At.Year, t.At.Month)).Count();
        Assert.Equal(expected, result.Rows.Count);
    }

    [Fact]
    public async Task TopProducts_AreTheProductsWithTheMostRevenue()
    {
        var result = await RunAsync("Top products by revenue");

        var expected = _transactions.GroupBy(t => t.ProductId)
            .Select(g => (Id: g.Key, Revenue: g.Sum(t => t.Amount)))
            .OrderByDescending(x => x.Revenue).ThenBy(x => x.Id)
            .Take(20)
            .ToList();
        Assert.Equal(expected.Select(e => (e.Id, e.Revenue, _products[e.Id].Name)), result.Rows.Select(r => ((long)r[0]!, (decimal)r[3]!, (string)r[1]!)));
    }

    [Fact]
    public async Task AverageOrderValue_IsRevenueOverOrders()
    {
        var row = Assert.Single((await RunAsync("Average order value")).Rows);

        Assert.Equal(_transactions.Count, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(_transactions.Select(t => t.CustomerId).Distinct().Count(), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round((double)_transactions.Sum(t => t.Amount) / _transactions.Count, 2), (double)row[3]!, 6);
    }

    [Fact]
    public async Task RepeatPurchaseRate_CountsBuyersWithMoreThanOneOrder()
    {
        var row = Assert.Single((await RunAsync("Repeat-purchase rate")).Rows);

        var orders = _transactions.GroupBy(t => t.CustomerId).Select(g => g.Count()).ToList();
        Assert.Equal(orders.Count, Convert.ToInt64(row[0], CultureInfo.InvariantCulture));
        Assert.Equal(orders.Count(o => o > 1), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RevenueByWeekday_NumbersMondayOne()
    {
        var result = await RunAsync("Revenue by weekday");

        var expected = _transactions.GroupBy(t => t.At.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.At.DayOfWeek)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.First().At.DayOfWeek.ToString(), (long)g.Count(), g.Sum(t => t.Amount)));
        Assert.Equal(expected, result.Rows.Select(r => (Convert.ToInt32(r[0], CultureInfo.InvariantCulture), (string)r[1]!, Convert.ToInt64(r[2], CultureInfo.InvariantCulture), (decimal)r[3]!)));
    }

    [Fact]
    public async Task OneMonthsRevenue_IsThatMonthsTransactions()
    {
        var result = await RunAsync("One month's revenue from its partition");

        Assert.Equal(_transactions.Where(t => t.At is { Year: 2025, Month: 6 }).Sum(t => t.Amount), result.Rows.Sum(r => (decimal)r[1]!));
    }

    [Fact]
    public async Task ABuilderQuery_RunsOnTheLocalEngine_AndGivesTheRevenueByCountry()
    {
        var table = (await _host.Get<ICatalog>().GetTableAsync("ecom", "transactions_data"))!;
        var spec = new QuerySpec(new QueryTable("ecom", "transactions_data"))
        {
            Columns = ["country"],
            Filters = [QueryFilter.Equal("year", "2025")],
            Aggregates = [QueryAggregate.Sum("amount", "revenue")],
            OrderBy = [new QueryOrder("revenue", Descending: true), new QueryOrder("country", Descending: false)],
            Limit = 1_000,
        };

        var result = await _host.Get<IQueryEngine>().RunAsync(QuerySqlBuilder.ToSql(spec, table));

        var expected = _transactions.Where(t => t.At.Year == 2025).GroupBy(t => t.Country)
            .Select(g => (Country: g.Key, Revenue: g.Sum(t => t.Amount)))
            .OrderByDescending(x => x.Revenue).ThenBy(x => x.Country, StringComparer.Ordinal);
        Assert.Equal(expected, result.Rows.Select(r => ((string)r[0]!, (decimal)r[1]!)));
    }

    private Task<QueryResult> RunAsync(string name) =>
        _host.Get<IQueryEngine>().RunAsync(_queries.TryGetValue(name, out var sql) ? sql : throw new KeyNotFoundException($"sql/athena_queries.sql has no query named '{name}'."));

    private sealed record Transaction(long CustomerId, long ProductId, DateTime At, decimal Amount, string Country);
}
