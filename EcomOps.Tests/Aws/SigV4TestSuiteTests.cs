using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Aws;

/// <summary>
/// The signer the AWS client uses (AWSSDK.Core's AWSSigV4Signer) against AWS's SigV4 test suite in
/// tools/aws-models/sigv4-testsuite. The SDK always signs x-amz-content-sha256 too, so the expected signature is
/// recomputed from the suite's canonical request with that header added; the recomputation is itself checked
/// against the suite's own string-to-sign and signature first.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    public static TheoryData<string> Cases() =>
    [
        "get-vanilla", "get-vanilla-query", "get-vanilla-empty-query-key", "get-vanilla-query-order-key-case",
        "get-vanilla-query-unreserved", "get-vanilla-with-session-token", "post-vanilla", "post-vanilla-query",
        "post-vanilla-empty-query-value", "post-header-key-case", "post-header-key-sort", "post-header-value-case",
        "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Signer_MatchesTheSuite_WithContentSha256Signed(string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "tools", "aws-models", "sigv4-testsuite", name);
        var canonical = File.ReadAllText(Path.Combine(folder, $"{name}.creq"));
        var expectedAuthorization = File.ReadAllText(Path.Combine(folder, $"{name}.authz")).Trim();
        // The test's own SigV4 arithmetic reproduces the suite before it judges the SDK.
        Assert.Equal(File.ReadAllText(Path.Combine(folder, $"{name}.sts")), StringToSign(canonical));
        Assert.EndsWith($"Signature={Signature(StringToSign(canonical))}", expectedAuthorization, StringComparison.Ordinal);

        var (request, token) = ParseRequest(File.ReadAllText(Path.Combine(folder, $"{name}.req")));
        // The suite gives the session token only in the canonical request.
        token ??= canonical.Split('\n').FirstOrDefault(l => l.StartsWith("x-amz-security-token:", StringComparison.Ordinal))?["x-amz-security-token:".Length..];
        AWSCredentials credentials = token is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, token);
        var signed = await AWSSigV4Signer.SignAsync(request, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.USEast1,
            Service = "service",
            SignedAt = SignedAt,
        });

        var withSha = WithContentSha256(canonical);
        var signedHeaders = withSha.Split('\n')[^2];
        Assert.Equal($"AWS4-HMAC-SHA256 Credential={AccessKey}/{Scope}, SignedHeaders={signedHeaders}, Signature={Signature(StringToSign(withSha))}", Header(signed, "Authorization"));
        Assert.Equal("20150830T123600Z", Header(signed, "X-Amz-Date"));
        Assert.Equal(canonical.Split('\n')[^1], Header(signed, "X-Amz-Content-Sha256"));
        if (token is not null)
        {
            Assert.Equal(token, Header(signed, "X-Amz-Security-Token"));
        }
    }

    private static string Header(AWSSigningResult result, string name) =>
        result.Headers.Single(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static (AWSSigningRequest Request, string? Token) ParseRequest(string text)
    {
        var blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blank < 0 ? text : text[..blank];
        var body = blank < 0 ? null : text[(blank + 2)..];
        var lines = head.Split('\n');
        var first = lines[0].Split(' ');
        string host = "";
        string? token = null;
        var headers = new List<(string, string)>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (key, value) = (line[..colon], line[(colon + 1)..].Trim());
            if (key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                host = value;
            }
            else if (key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase))
            {
                // The signer adds the token from the session credentials.
                token = value;
            }
            else if (!key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add((key, value));
            }
        }

        var request = new AWSSigningRequest
        {
            HttpMethod = new HttpMethod(first[0]),
            RequestUri = new Uri($"https://{host}{string.Join(' ', first[1..^1])}"),
            Content = body is null ? null : Encoding.UTF8.GetBytes(body),
        };
        foreach (var (key, value) in headers)
        {
            request.Headers[key] = value;
        }

        return (request, token);
    }

    /// <summary>The suite's canonical request with <c>x-amz-content-sha256</c> (the payload hash) among the signed headers.</summary>
    private static string WithContentSha256(string canonical)
    {
        var lines = canonical.Split('\n').ToList();
        var blank = lines.IndexOf("", 3);
        var headers = lines.GetRange(3, blank - 3);
        headers.Add($"x-amz-content-sha256:{lines[^1]}");
        headers.Sort((a, b) => string.CompareOrdinal(a[..a.IndexOf(':', StringComparison.Ordinal)], b[..b.IndexOf(':', StringComparison.Ordinal)]));
        var signed = lines[blank + 1].Split(';').Append("x-amz-content-sha256").Order(StringComparer.Ordinal);
        return string.Join('\n', lines.Take(3).Concat(headers).Append("").Append(string.Join(';', signed)).Append(lines[^1]));
    }

    private static string StringToSign(string canonical) =>
        $"AWS4-HMAC-SHA256\n20150830T123600Z\n{Scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";

    private static string Signature(string stringToSign)
    {
        var key = Encoding.UTF8.GetBytes($"AWS4{SecretKey}");
        foreach (var part in new[] { "20150830", "us-east-1", "service", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
