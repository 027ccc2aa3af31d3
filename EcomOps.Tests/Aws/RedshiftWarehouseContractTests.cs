using EcomOps.Core.Warehouse;
using EcomOps.Tests.Warehouse;

namespace EcomOps.Tests.Aws;

/// <summary>The warehouse contract on Amazon Redshift through the Data API (a provisioned cluster), on the loopback stand-in.</summary>
public sealed class RedshiftWarehouseContractTests : WarehouseContractTests
{
    private RedshiftOnLoopback? _redshift;

    protected override Task<IWarehouse> CreateWarehouseAsync()
    {
        _redshift = new RedshiftOnLoopback(Host);
        return Task.FromResult<IWarehouse>(_redshift.Warehouse);
    }

    public override Task DisposeAsync()
    {
        _redshift?.Dispose();
        return base.DisposeAsync();
    }
}
