using EcomOps.Core.Query;

namespace EcomOps.Core.Warehouse;

/// <summary>The Aws backend's warehouse until Amazon Redshift's (through the Data API) arrives with the Aws backend issue: it says so.</summary>
internal sealed class RedshiftNotYetWarehouse : IWarehouse
{
    private const string Message = "Loads on the Aws backend run on Amazon Redshift through the Data API, which is not built yet (the Aws backend issue). Use EcomOps:Backend=Local to load the local DuckDB warehouse.";

    public string Name => "Amazon Redshift (not yet)";

    public Task<IReadOnlyList<string>> InitAsync(CancellationToken cancellationToken = default) => throw new LoadRefusedException(Message);

    public Task<IReadOnlyList<WarehouseTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<WarehouseTableInfo>>([]);

    public Task<LoadOutcome> CopyAsync(CopyStatement copy, LoadRunContext run, CancellationToken cancellationToken = default) => throw new LoadRefusedException(Message);

    public Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync(LoadFilter filter, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<LoadHistoryEntry>>([]);

    public Task<LoadHistoryEntry?> GetLoadAsync(long queryId, CancellationToken cancellationToken = default) => Task.FromResult<LoadHistoryEntry?>(null);

    public Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(long queryId, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<LoadErrorEntry>>([]);

    public Task<QueryResult> QueryAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default) => throw new QueryFailedException(Message);
}
