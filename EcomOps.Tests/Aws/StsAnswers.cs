namespace EcomOps.Tests.Aws;

/// <summary>What STS answers a loopback stand-in gives (STS speaks the query protocol: XML, not JSON 1.1).</summary>
internal static class StsAnswers
{
    /// <summary>True for a GetCallerIdentity request.</summary>
    public static bool IsCallerIdentity(ReceivedRequest request) => request.Body.Contains("Action=GetCallerIdentity", StringComparison.Ordinal);

    /// <summary>GetCallerIdentity's answer for <paramref name="arn"/>.</summary>
    public static LoopbackAnswer CallerIdentity(string arn, string userId, string account = "123456789012", string requestId = "req-sts-1") => new(200, $"""
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult>
            <Arn>{arn}</Arn>
            <UserId>{userId}</UserId>
            <Account>{account}</Account>
          </GetCallerIdentityResult>
          <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>
        </GetCallerIdentityResponse>
        """, ContentType: "text/xml");
}
