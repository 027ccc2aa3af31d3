using System.Text;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Query;

/// <summary>Queries on the warehouse through the query service: Redshift's monitoring queries saved for it, and its runs in the history.</summary>
public sealed class WarehouseQueryTests : IDisposable
{
    private const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";

    private readonly TempDirectory _root = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    private CoreHost Host() => new(configuration: new() { ["EcomOps:DataRoot"] = _root.Path });

    /// <summary>One load of three rows, one of them rejected (line 3, productid 'x7').</summary>
    internal static async Task LoadWithARejectedRowAsync(IServiceProvider services)
    {
        var store = (IObjectStore)services.GetService(typeof(IObjectStore))!;
        await using (var write = await store.OpenWriteAsync("raw/wh/transactions.csv"))
        {
            await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', Header,
                "1,10,100,2024-03-01 10:00:00,12.50,Chile", "2,10,x7,2024-03-01 10:00:00,3.00,Peru", "3,11,101,2024-03-02 11:30:00,5.25,Chile") + "\n"));
            await write.CommitAsync();
        }

        var warehouse = (IWarehouse)services.GetService(typeof(IWarehouse))!;
        var outcome = await warehouse.CopyAsync(
            CopyParser.Parse("COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy' CSV IGNOREHEADER 1 MAXERROR 3"),
            new LoadRunContext("test"));
        Assert.Equal((LoadStatus.Completed, 2L, 1L), (outcome.Status, outcome.LoadedRows, outcome.Errors));
    }

    [Fact]
    public async Task TheMonitoringQueriesOfRedshiftsDocumentation_AreSavedForTheWarehouse_AndEachReturnsRowsAfterALoadWithARejectedRow()
    {
        using var host = Host();
        await LoadWithARejectedRowAsync(host.Services);
        var queries = host.Get<IQueryService>();

        var monitoring = (await queries.SavedAsync()).Where(q => q.Target == QueryTarget.Warehouse).ToList();

        var file = ExampleQueries.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", "redshift_monitoring.sql")));
        Assert.Equal(file.Select(q => q.Name).Order(), monitoring.Select(q => q.Name).Order());
        Assert.Equal(4, monitoring.Count);
        Assert.All(new[] { "sys_load_history", "sys_load_error_detail", "stl_load_errors" }, table => Assert.Contains(monitoring, q => q.Sql.Contains(table, StringComparison.Ordinal)));
        Assert.DoesNotContain(monitoring, q => q.Sql.Contains("ecom.", StringComparison.Ordinal));
        foreach (var query in monitoring)
        {
            var result = await queries.RunAsync(new QueryRunRequest(query.Sql, QuerySource.Saved, Target: QueryTarget.Warehouse));
            Assert.True(result.Rows.Count > 0, $"'{query.Name}' returned no rows");
        }

        var errors = await queries.RunAsync(new QueryRunRequest(monitoring.Single(q => q.Name == "Loads: error details of the last COPY").Sql, Target: QueryTarget.Warehouse));
        var row = Assert.Single(errors.Rows);
        Assert.Equal("productid", row[errors.Columns.ToList().FindIndex(c => c.Name == "column_name")]);
    }

    [Fact]
    public async Task AWarehouseRun_IsInTheHistory_WithItsTargetAndEngine_AndItsDownloadRunsOnTheWarehouseToo()
    {
        using var host = Host();
        await LoadWithARejectedRowAsync(host.Services);
        var queries = host.Get<IQueryService>();

        var result = await queries.RunAsync(new QueryRunRequest("SELECT count(*) AS n FROM transactions_data", Target: QueryTarget.Warehouse));
        await Assert.ThrowsAsync<QueryRefusedException>(() => queries.RunAsync(new QueryRunRequest("DELETE FROM transactions_data", Target: QueryTarget.Warehouse)));
        await queries.RunAsync(new QueryRunRequest("SELECT 1 AS one"));

        Assert.Equal(2L, result.Rows[0][0]);
        var history = await queries.HistoryAsync();
        Assert.Equal(
            [("Succeeded", QueryTarget.Lake), ("Refused", QueryTarget.Warehouse), ("Succeeded", QueryTarget.Warehouse)],
            history.Select(h => (h.Status, h.Target)));
        Assert.Equal(host.Get<IWarehouse>().Name, history[2].Engine);
        Assert.Equal(queries.EngineName, history[0].Engine);

        var entry = await queries.GetHistoryAsync(result.HistoryId!.Value);
        var csv = new StringWriter();
        var export = await queries.ExportAsync(new QueryRunRequest(entry!.Sql, QuerySource.Download, Target: entry.Target), new QueryCsvWriter(csv));
        Assert.Equal(1, export.Rows);
        Assert.Equal("n\r\n2\r\n", csv.ToString());
        Assert.Equal((QuerySource.Download, QueryTarget.Warehouse), (await queries.HistoryAsync(1)).Select(h => (h.Source, h.Target)).Single());
    }

    [Fact]
    public async Task ASavedQuery_KeepsItsTarget_AndTheMonitoringQueriesAreSeededOnce_EvenIntoADatabaseSeededBeforeThem()
    {
        using (var first = Host())
        {
            var queries = first.Get<IQueryService>();
            await queries.SaveAsync("Load count", "How many loads", "SELECT count(*) FROM sys_load_history", QueryTarget.Warehouse);
            Assert.Equal(QueryTarget.Warehouse, (await queries.GetSavedAsync("load count"))!.Target);
            Assert.Equal(QueryTarget.Lake, (await queries.GetSavedAsync("Revenue by weekday"))!.Target);
            Assert.True(await queries.DeleteSavedAsync("Loads: latest load errors"));
        }

        // A database from before the warehouse's queries: seeded with the lake's, without the warehouse's.
        await using (var ops = new SqliteConnection($"Data Source={Path.Combine(_root.Path, "ops.db")}"))
        {
            ops.Open();
            using var command = ops.CreateCommand();
            command.CommandText = "DELETE FROM query_meta WHERE key = 'warehouse_examples_seeded'; DELETE FROM saved_queries WHERE target = 'Warehouse' AND updated_by = 'system'";
            command.ExecuteNonQuery();
        }

        using (var upgraded = Host())
        {
            var saved = await upgraded.Get<IQueryService>().SavedAsync();
            Assert.Equal(5, saved.Count(q => q.Target == QueryTarget.Warehouse));
            Assert.Equal(QueryTarget.Warehouse, saved.Single(q => q.Name == "Load count").Target);
            Assert.True(await upgraded.Get<IQueryService>().DeleteSavedAsync("Loads: latest load errors"));
        }

        using var again = Host();
        Assert.Null(await again.Get<IQueryService>().GetSavedAsync("Loads: latest load errors"));
    }
}
