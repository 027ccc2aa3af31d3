using Microsoft.Extensions.Hosting;
using EcomOps.Core.Security;

namespace EcomOps.Core.Conversion;

/// <summary>At start-up, repairs conversions a crash interrupted, so readers see whole output again at once.</summary>
internal sealed class ConversionRecovery(IConversionService conversion, IAccess access) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var asApp = access.Use(Caller.System("start-up recovery"));
        await conversion.RecoverAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
