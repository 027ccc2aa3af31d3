using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using EcomOps.Core.Security;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Creates the warehouse's tables at the dashboard's first start (as <c>ecomops warehouse init</c> does), so the
/// Loads page and warehouse queries find them. In the background: a busy file (a CLI load) never holds up the start.
/// </summary>
internal sealed class WarehouseInitializer(IWarehouse warehouse, IAccess access, ILogger<WarehouseInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var asApp = access.Use(Caller.System("start-up"));
        try
        {
            await warehouse.InitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before it was done: the next start, or the first load, does it.
        }
        catch (Exception e) when (e is IOException or LoadRefusedException or FormatException or DuckDB.NET.Data.DuckDBException)
        {
            logger.LogWarning(e, "The warehouse could not be set up at start-up; the first load or ecomops warehouse init will try again");
        }
    }
}
