using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws;

/// <summary>Who the app's AWS credentials are, for the Settings page.</summary>
/// <param name="Account">The 12-digit account id.</param>
/// <param name="Arn">The caller's ARN, such as <c>arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc</c>.</param>
/// <param name="UserId">The unique id of the caller.</param>
public sealed record AwsCallerIdentity(string Account, string Arn, string UserId);

/// <summary>Asks STS who the configured credentials belong to (<c>sts:GetCallerIdentity</c>, which needs no IAM permission).</summary>
public interface IAwsIdentity
{
    /// <summary>The identity of the credentials the Aws backend signs with.</summary>
    /// <exception cref="AwsServiceException">STS refused them (expired, invalid) or could not be reached.</exception>
    Task<AwsCallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken = default);
}

/// <summary><see cref="IAwsIdentity"/> through AWSSDK.SecurityToken (STS speaks the query protocol, not JSON 1.1).</summary>
internal sealed class StsAwsIdentity(AwsCredentialSource credentials, AwsEndpointResolver endpoints, IOptions<AwsOptions> options) : IAwsIdentity
{
    public async Task<AwsCallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = endpoints.Resolve(AwsService.Sts);
        var settings = options.Value;
        var config = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = endpoint.Url.ToString(),
            AuthenticationRegion = endpoint.Region,
            Timeout = TimeSpan.FromSeconds(settings.AttemptTimeoutSeconds),
            MaxErrorRetry = settings.MaxRetryAttempts,
        };
        using var sts = new AmazonSecurityTokenServiceClient(credentials.Credentials, config);
        try
        {
            var answer = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            return new AwsCallerIdentity(answer.Account, answer.Arn, answer.UserId);
        }
        catch (AmazonSecurityTokenServiceException e)
        {
            throw new AwsServiceException(AwsService.Sts.Name, AwsOperations.StsGetCallerIdentity.Name, e.ErrorCode ?? e.StatusCode.ToString(), e.RequestId, e.StatusCode, e.Message);
        }
    }
}
