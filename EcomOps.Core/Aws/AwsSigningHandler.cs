using Amazon;
using Amazon.Runtime.Signing;

namespace EcomOps.Core.Aws;

/// <summary>
/// Signs each request with SigV4 through AWSSDK.Core's public signer, for the service and region set on the message by
/// <see cref="AwsJsonClient"/>. Sits inside the retry handler, so every attempt is signed afresh. (AWSSDK.Core's own
/// <c>SigV4SigningHandler</c> creates its inner handler in its constructor, which IHttpClientFactory's pipeline refuses.)
/// </summary>
internal sealed class AwsSigningHandler(AwsCredentialSource credentials) : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<string> Service = new("EcomOps.Aws.SigningService");
    internal static readonly HttpRequestOptionsKey<string> Region = new("EcomOps.Aws.SigningRegion");

    /// <summary>The headers the signer owns: dropped before signing so a retried message does not carry the previous attempt's.</summary>
    private static readonly string[] SignerHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(Service, out var service) || !request.Options.TryGetValue(Region, out var region))
        {
            throw new InvalidOperationException("An AWS request reached the signer without a signing service and region.");
        }

        foreach (var name in SignerHeaders)
        {
            request.Headers.Remove(name);
        }

        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = request.RequestUri! };
        // Everything sent is signed (except the transport's own headers), so a proxy cannot alter it unnoticed.
        foreach (var header in request.Headers)
        {
            signing.Headers[header.Key] = string.Join(",", header.Value.Select(v => v.Trim()));
        }

        if (request.Content is not null)
        {
            signing.Content = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            foreach (var header in request.Content.Headers)
            {
                signing.Headers[header.Key] = string.Join(",", header.Value.Select(v => v.Trim()));
            }
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials.Credentials,
            Region = RegionEndpoint.GetBySystemName(region),
            Service = service,
        };
        var signed = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in signed.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
