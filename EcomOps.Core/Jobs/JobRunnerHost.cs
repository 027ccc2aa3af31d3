using Microsoft.Extensions.Hosting;

namespace EcomOps.Core.Jobs;

/// <summary>
/// Starts the job runner with the host (runs left by a stopped process are settled before the first page
/// asks) and stops it with the host, while logging still works: local runs end Interrupted, remote ones are
/// left to be re-attached.
/// </summary>
internal sealed class JobRunnerHost(JobRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runner.DisposeAsync().AsTask();
}
