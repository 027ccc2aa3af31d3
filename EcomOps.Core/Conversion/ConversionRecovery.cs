using Microsoft.Extensions.Hosting;

namespace EcomOps.Core.Conversion;

/// <summary>At start-up, repairs conversions a crash interrupted, so readers see whole output again at once.</summary>
internal sealed class ConversionRecovery(IConversionService conversion) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => conversion.RecoverAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
