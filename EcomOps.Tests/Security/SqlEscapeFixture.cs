using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Aws;
using EcomOps.Tests.Query;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Security;

[CollectionDefinition(Name)]
public sealed class SqlEscapeCollection : ICollectionFixture<SqlEscapeFixture>
{
    public const string Name = "sql escape";
}

/// <summary>Which backend answers: Local (DuckDB, the local warehouse) or Aws (Athena and Redshift's Data API, at stand-ins on loopback).</summary>
public enum SqlBackend
{
    Local,
    Aws,
}

/// <summary>
/// One lake (generated, converted, crawled) and one warehouse (a load of two rows and a rejected one), answered on the
/// Local backend directly and on the Aws backend through the Athena and Redshift Data stand-ins over the same data, so a
/// change made through either would show in <see cref="SnapshotAsync"/>.
/// </summary>
public sealed class SqlEscapeFixture : IAsyncLifetime
{
    // One analyst runs every attempt several ways, far more than the per-user limit of a minute allows (this is its maximum).
    private const string Unlimited = "100000";

    public CoreHost Local { get; } = new(configuration: new() { ["EcomOps:Query:TimeoutSeconds"] = "120", ["EcomOps:Limits:QueriesPerMinute"] = Unlimited });

    internal AthenaStandIn Athena { get; private set; } = null!;

    internal RedshiftDataStandIn Redshift { get; private set; } = null!;

    public CoreHost Aws { get; private set; } = null!;

    /// <summary>Where a statement that wrote a file (COPY TO, EXPORT DATABASE, ATTACH) would have put it.</summary>
    public TempDirectory Canary { get; } = new();

    public string CanaryFile => Canary.Combine("escaped.csv");

    /// <summary>The name the history records for <see cref="Analyst"/>.</summary>
    public const string AnalystName = "ana";

    public IQueryService Queries(SqlBackend backend) => Host(backend).Get<IQueryService>();

    /// <summary>Makes an Analyst the caller on <paramref name="backend"/> until disposed.</summary>
    public IDisposable Analyst(SqlBackend backend) => Host(backend).As(AnalystName, Role.Analyst);

    private CoreHost Host(SqlBackend backend) => backend == SqlBackend.Local ? Local : Aws;

    public async Task InitializeAsync()
    {
        await Local.Get<IGenerationService>().GenerateAsync(new GenerationOptions(50, 10, 300));
        await Local.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await Local.Services.CrawlAsync()).Status);
        await WarehouseQueryTests.LoadWithARejectedRowAsync(Local.Services);

        Athena = new AthenaStandIn(Local.Get<IQueryEngine>());
        Redshift = new RedshiftDataStandIn(Local.Get<LocalWarehouse>(), pageSize: 100);
        Aws = AthenaTestHost.Create(Athena, new()
        {
            ["EcomOps:Aws:Endpoints:RedshiftData"] = Redshift.Endpoint.Url,
            ["EcomOps:Aws:Redshift:WorkgroupName"] = "ecomops-test",
            ["EcomOps:Aws:Redshift:Database"] = "dev",
            ["EcomOps:Aws:Redshift:PollMilliseconds"] = "50",
            ["EcomOps:Aws:Redshift:CopyRoleArn"] = RedshiftOnLoopback.CopyRole,
            ["EcomOps:Limits:QueriesPerMinute"] = Unlimited,
        });
    }

    /// <summary>
    /// What a refused statement must leave as it was: the warehouse's tables and rows, the lake's objects, the catalog,
    /// the canary folder, and the requests the stand-ins received (none may arrive for a refused statement).
    /// </summary>
    public async Task<SqlWorld> SnapshotAsync()
    {
        var warehouse = Local.Get<IWarehouse>();
        var rows = await warehouse.QueryAsync("SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM transactions_data");
        var tables = await warehouse.QueryAsync("SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2");
        var lake = await Local.Get<IObjectStore>().ListAsync();
        var catalog = await Local.Get<ICatalog>().ListTablesAsync();
        return new SqlWorld(
            string.Create(CultureInfo.InvariantCulture, $"{rows.Rows[0][0]} rows, total {rows.Rows[0][1]}"),
            string.Join(", ", tables.Rows.Select(r => $"{r[0]}.{r[1]}")),
            string.Join(", ", lake.Objects.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}:{o.Size}"))),
            string.Join(", ", catalog.Select(t => $"{t.FullName}:{t.Columns.Count}")),
            string.Join(", ", Directory.EnumerateFileSystemEntries(Canary.Path, "*", SearchOption.AllDirectories)),
            Athena.Operations.Count,
            Redshift.Operations.Count);
    }

    public Task DisposeAsync()
    {
        Aws?.Dispose();
        Athena?.Dispose();
        Redshift?.Dispose();
        Local.Dispose();
        Canary.Dispose();
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }
}

/// <summary>The state a refused statement must not change; compared whole, so a difference shows what changed.</summary>
public sealed record SqlWorld(string WarehouseRows, string WarehouseTables, string LakeObjects, string CatalogTables, string CanaryFiles, int AthenaRequests, int RedshiftRequests);
