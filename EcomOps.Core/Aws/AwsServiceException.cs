using System.Net;

namespace EcomOps.Core.Aws;

/// <summary>
/// An error answer from an AWS service (JSON 1.1 <c>__type</c> and <c>message</c>), with what is needed to act on it
/// or to quote it to AWS support: the service, the operation, the error code and the request id.
/// </summary>
public sealed class AwsServiceException : Exception
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "InternalServerException", "InternalFailure", "InternalServiceException", "InternalServiceError", "ServiceUnavailable",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    };

    /// <summary>Creates the exception; the message names the service, operation, code and request id.</summary>
    public AwsServiceException(string service, string operation, string errorCode, string? requestId, HttpStatusCode statusCode, string? serviceMessage)
        : base(Describe(service, operation, errorCode, requestId, statusCode, serviceMessage))
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        RequestId = requestId;
        StatusCode = statusCode;
        ServiceMessage = Security.SecretRedactor.Redact(serviceMessage);
    }

    /// <summary>The service's name as in IAM actions, such as <c>glue</c>.</summary>
    public string Service { get; }

    /// <summary>The operation, such as <c>StartJobRun</c>.</summary>
    public string Operation { get; }

    /// <summary>The error code without its namespace, such as <c>EntityNotFoundException</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The <c>x-amzn-RequestId</c> AWS answered with, when there was one.</summary>
    public string? RequestId { get; }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The service's own message, as sent.</summary>
    public string? ServiceMessage { get; }

    /// <summary>The service asked to slow down (throttling codes or HTTP 429).</summary>
    public bool IsThrottling => StatusCode == HttpStatusCode.TooManyRequests || ThrottlingCodes.Contains(ErrorCode);

    /// <summary>The same request may succeed later: throttling, a 5xx answer or a transient service error.</summary>
    public bool IsRetryable => IsThrottling || (int)StatusCode >= 500 || TransientCodes.Contains(ErrorCode);

    private static string Describe(string service, string operation, string errorCode, string? requestId, HttpStatusCode statusCode, string? serviceMessage) =>
        $"{service}:{operation} failed with {errorCode} (HTTP {(int)statusCode}, request id {requestId ?? "none"}): {Security.SecretRedactor.Redact(serviceMessage) ?? "no message"}";
}
