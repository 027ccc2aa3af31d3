using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws;

/// <summary>Where one service is called and for which region its requests are signed.</summary>
/// <param name="Service">The service.</param>
/// <param name="Url">The endpoint, from <c>EcomOps:Aws:Endpoints:&lt;service&gt;</c> or the public regional one.</param>
/// <param name="Region">The signing region.</param>
public sealed record AwsServiceEndpoint(AwsService Service, Uri Url, string Region);

/// <summary>Resolves each service's endpoint and region from <see cref="AwsOptions"/>, else from the AWS chain (once).</summary>
public sealed class AwsEndpointResolver
{
    private readonly AwsOptions _options;
    private readonly Lazy<string?> _chainRegion;

    /// <summary>Creates the resolver over the <c>EcomOps:Aws</c> settings.</summary>
    public AwsEndpointResolver(IOptions<AwsOptions> options)
    {
        _options = options.Value;
        _chainRegion = new Lazy<string?>(() => RegionFromChain(_options.Profile), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The region requests are signed for: <c>EcomOps:Aws:Region</c>, else the profile's, else the AWS chain's.</summary>
    /// <exception cref="InvalidOperationException">No region anywhere; the message names the setting.</exception>
    public string Region =>
        (string.IsNullOrWhiteSpace(_options.Region) ? _chainRegion.Value : _options.Region)
        ?? throw new InvalidOperationException(
            "No AWS region is configured: set EcomOps:Aws:Region (such as eu-west-1), or AWS_REGION, or a region in the AWS profile.");

    /// <summary>For people (the Settings page): <see cref="Region"/>, or what to set when there is none.</summary>
    public string RegionOrHint => (string.IsNullOrWhiteSpace(_options.Region) ? _chainRegion.Value : _options.Region) ?? "no region: set EcomOps:Aws:Region";

    /// <summary>The endpoint and signing region of <paramref name="service"/>.</summary>
    public AwsServiceEndpoint Resolve(AwsService service)
    {
        var region = Region;
        var configured = service.SettingsKey switch
        {
            "Glue" => _options.Endpoints.Glue,
            "Athena" => _options.Endpoints.Athena,
            "RedshiftData" => _options.Endpoints.RedshiftData,
            "Sts" => _options.Endpoints.Sts,
            _ => null,
        };
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new AwsServiceEndpoint(service, new Uri(configured, UriKind.Absolute), region);
        }

        // The China partition is the one commercial partition with another DNS suffix; others need an endpoint override.
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new AwsServiceEndpoint(service, new Uri($"https://{service.EndpointPrefix}.{region}.{suffix}/"), region);
    }

    private static string? RegionFromChain(string? profile)
    {
        if (!string.IsNullOrWhiteSpace(profile)
            && new CredentialProfileStoreChain().TryGetProfile(profile, out var named) && named.Region is not null)
        {
            return named.Region.SystemName;
        }

        return FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
    }
}

/// <summary>
/// The credentials AWS requests are signed with: the AWS default chain (environment, profile, SSO, container and
/// instance roles) or the profile <c>EcomOps:Aws:Profile</c>, resolved at the first request rather than at start-up,
/// so a host without AWS access still starts and the error surfaces on the call that needs it.
/// </summary>
public sealed class AwsCredentialSource
{
    private readonly Lazy<AWSCredentials> _credentials;

    /// <summary>Credentials from the default chain, or from <paramref name="profile"/> when set.</summary>
    public AwsCredentialSource(string? profile)
    {
        _credentials = new Lazy<AWSCredentials>(() => Resolve(profile), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>Fixed credentials (tests, or a host that resolves its own).</summary>
    public AwsCredentialSource(AWSCredentials credentials)
    {
        _credentials = new Lazy<AWSCredentials>(credentials);
    }

    /// <summary>A view of the source the SigV4 handler resolves on each request (refreshing credentials refresh themselves).</summary>
    public AWSCredentials Credentials => new Deferred(this);

    private static AWSCredentials Resolve(string? profile)
    {
        if (string.IsNullOrWhiteSpace(profile))
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }

        return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var credentials)
            ? credentials
            : throw new InvalidOperationException(
                $"EcomOps:Aws:Profile '{profile}' is not in the AWS config or credentials files (~/.aws/config, ~/.aws/credentials); set an existing profile or remove the setting to use the default chain.");
    }

    private sealed class Deferred(AwsCredentialSource source) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => source._credentials.Value.GetCredentials();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => source._credentials.Value.GetCredentialsAsync();
    }
}
