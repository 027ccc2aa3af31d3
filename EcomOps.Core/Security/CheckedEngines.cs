using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;

namespace EcomOps.Core.Security;

// The warehouse and the catalog are backend engines, but pages and the CLI read them directly (the Loads page's
// history, the Catalog page's tables), so each is registered behind one of these: the backend's implementation stays
// free of access rules, and every way in is checked the same on Local and Aws.

/// <summary><see cref="IWarehouse"/> with each call checked against the caller's role.</summary>
internal sealed class CheckedWarehouse(IWarehouse inner, IAccess access) : IWarehouse
{
    public string Name => inner.Name;

    public string? RemoteEngine => inner.RemoteEngine;

    public bool CanResume => inner.CanResume;

    /// <summary>The backend's warehouse itself, for code that needs its concrete type (tests' stand-ins).</summary>
    public IWarehouse Inner => inner;

    public Task<IReadOnlyList<string>> InitAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.InitWarehouse);
        return inner.InitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<WarehouseTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.ListTablesAsync(cancellationToken);
    }

    public Task<LoadOutcome> CopyAsync(CopyStatement copy, LoadRunContext run, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Load);
        return inner.CopyAsync(copy, run, cancellationToken);
    }

    public Task<LoadOutcome> ResumeCopyAsync(CopyStatement copy, string remoteId, LoadRunContext run, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.Load);
        return inner.ResumeCopyAsync(copy, remoteId, run, cancellationToken);
    }

    public Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync(LoadFilter filter, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.LoadsAsync(filter, cancellationToken);
    }

    public Task<LoadHistoryEntry?> GetLoadAsync(long queryId, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.GetLoadAsync(queryId, cancellationToken);
    }

    public Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(long queryId, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.ErrorsAsync(queryId, cancellationToken);
    }

    public Task<QueryResult> QueryAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.RunQuery);
        return inner.QueryAsync(sql, maxRows, cancellationToken);
    }
}

/// <summary><see cref="ICatalog"/> readable by anyone with the Viewer role.</summary>
internal sealed class CheckedCatalog(ICatalog inner, IAccess access) : ICatalog
{
    public ICatalog Inner => inner;

    public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.ListDatabasesAsync(cancellationToken);
    }

    public Task<IReadOnlyList<CatalogTable>> ListTablesAsync(string? database = null, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.ListTablesAsync(database, cancellationToken);
    }

    public Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.GetTableAsync(database, table, cancellationToken);
    }

    public Task<IReadOnlyList<CatalogPartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.GetPartitionsAsync(database, table, cancellationToken);
    }

    public Task<IReadOnlyList<TableVersion>> GetVersionsAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        access.Demand(CoreAction.View);
        return inner.GetVersionsAsync(database, table, cancellationToken);
    }
}
