using EcomOps.Core.Aws.Athena;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws.Engines;

/// <summary>What the Settings page shows of the Athena workgroup the Aws backend's queries run in.</summary>
/// <param name="Name">The workgroup, <c>EcomOps:Aws:Athena:Workgroup</c>.</param>
/// <param name="State"><c>ENABLED</c> or <c>DISABLED</c> (a disabled workgroup refuses every query).</param>
/// <param name="Enforced">The workgroup's settings override the client's (EnforceWorkGroupConfiguration): its result location wins.</param>
/// <param name="OutputLocation">The workgroup's result location, when it has one.</param>
/// <param name="BytesScannedCutoffPerQuery">Athena cancels a query scanning more bytes than this; null when there is no limit.</param>
/// <param name="EngineVersion">The Athena engine version it runs, such as <c>Athena engine version 3</c>.</param>
public sealed record AthenaWorkgroupInfo(string Name, string State, bool Enforced, string? OutputLocation, long? BytesScannedCutoffPerQuery, string? EngineVersion);

/// <summary>Reads the configured Athena workgroup (GetWorkGroup), for the Settings page's check of the Aws backend.</summary>
public interface IAthenaWorkgroupCheck
{
    /// <summary>The workgroup's state and the configuration its queries run under.</summary>
    /// <exception cref="AwsServiceException">Athena refused (the message names the error code and request id), for example a workgroup that does not exist.</exception>
    Task<AthenaWorkgroupInfo> GetAsync(CancellationToken cancellationToken = default);
}

internal sealed class AthenaWorkgroupCheck(AthenaClient athena, IOptions<AwsOptions> aws) : IAthenaWorkgroupCheck
{
    public async Task<AthenaWorkgroupInfo> GetAsync(CancellationToken cancellationToken = default)
    {
        var name = aws.Value.Athena.Workgroup;
        var workgroup = (await athena.GetWorkGroupAsync(new GetWorkGroupRequest(name), cancellationToken).ConfigureAwait(false)).WorkGroup
            ?? throw new InvalidOperationException($"Athena's GetWorkGroup answered nothing for workgroup '{name}' (EcomOps:Aws:Athena:Workgroup).");
        var configuration = workgroup.Configuration;
        return new AthenaWorkgroupInfo(
            workgroup.Name,
            workgroup.State ?? "UNKNOWN",
            configuration?.EnforceWorkGroupConfiguration ?? false,
            configuration?.ResultConfiguration?.OutputLocation,
            configuration?.BytesScannedCutoffPerQuery,
            configuration?.EngineVersion?.EffectiveEngineVersion ?? configuration?.EngineVersion?.SelectedEngineVersion);
    }
}
