using System.Net;
using EcomOps.Core.Aws;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws;

/// <summary>sts:GetCallerIdentity for the Settings page, through AWSSDK.SecurityToken, against a loopback STS.</summary>
public sealed class AwsIdentityTests
{
    [Fact]
    public async Task CallerIdentity_IsReadFromSts_SignedForStsInTheRegion()
    {
        using var endpoint = new AwsLoopback((_, _) => StsAnswers.CallerIdentity("arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc", "AROAEXAMPLE:i-0abc"));
        await using var services = AwsTestHost.Create(endpoint);

        var identity = await services.GetRequiredService<IAwsIdentity>().GetCallerIdentityAsync();

        Assert.Equal(new AwsCallerIdentity("123456789012", "arn:aws:sts::123456789012:assumed-role/ecomops/i-0abc", "AROAEXAMPLE:i-0abc"), identity);
        var sent = Assert.Single(endpoint.Requests);
        Assert.Contains("Action=GetCallerIdentity", sent.Body);
        Assert.Contains("/eu-west-1/sts/aws4_request", sent.Header("Authorization"));
    }

    [Fact]
    public async Task RefusedCredentials_GiveAnAwsServiceException_NamingStsAndTheCode()
    {
        using var endpoint = new AwsLoopback((_, _) => new LoopbackAnswer(403, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
              <RequestId>req-sts-denied</RequestId>
            </ErrorResponse>
            """, ContentType: "text/xml"));
        await using var services = AwsTestHost.Create(endpoint);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<IAwsIdentity>().GetCallerIdentityAsync());

        Assert.Equal("sts", error.Service);
        Assert.Equal("GetCallerIdentity", error.Operation);
        Assert.Equal("InvalidClientTokenId", error.ErrorCode);
        Assert.Equal("req-sts-denied", error.RequestId);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }
}
