using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.Timeout;

namespace EcomOps.Core.Aws;

/// <summary>
/// Sends AWS JSON 1.1 requests (Glue, Athena, Redshift Data API): <c>POST /</c> with <c>X-Amz-Target</c>, signed with
/// SigV4 by AWSSDK.Core's signer (<see cref="AwsSigningHandler"/>), retried on throttling and 5xx by the HTTP client's resilience pipeline (see
/// <see cref="AwsClientRegistration"/>). Error answers become <see cref="AwsServiceException"/>. Logs operation,
/// status, request id and duration; never headers, bodies or credentials.
/// </summary>
public sealed partial class AwsJsonClient
{
    /// <summary>The named <see cref="HttpClient"/> that carries the signing and retry handlers.</summary>
    public const string HttpClientName = "EcomOps.Aws";

    internal static readonly MediaTypeHeaderValue ContentType = new("application/x-amz-json-1.1");

    private readonly IHttpClientFactory _httpClients;
    private readonly AwsEndpointResolver _endpoints;
    private readonly ILogger _logger;

    /// <summary>Creates the client over the named HTTP client <see cref="HttpClientName"/>.</summary>
    public AwsJsonClient(IHttpClientFactory httpClients, AwsEndpointResolver endpoints, ILogger<AwsJsonClient>? logger = null)
    {
        _httpClients = httpClients;
        _endpoints = endpoints;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Calls <paramref name="operation"/> with <paramref name="request"/> and parses the answer.</summary>
    /// <exception cref="AwsServiceException">AWS answered an error (after retries, when it was retryable).</exception>
    /// <exception cref="TimeoutException">No answer within <c>EcomOps:Aws:AttemptTimeoutSeconds</c> / <c>TotalTimeoutSeconds</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(AwsOperation operation, TRequest request, CancellationToken cancellationToken = default)
    {
        var endpoint = _endpoints.Resolve(operation.Service);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint.Url);
        message.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options));
        message.Content.Headers.ContentType = ContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", operation.Target);
        // One HttpClient for all services: the signing handler signs for the service and region set on each message.
        message.Options.Set(AwsSigningHandler.Service, operation.Service.Name);
        message.Options.Set(AwsSigningHandler.Region, endpoint.Region);

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _httpClients.CreateClient(HttpClientName).SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            LogUnanswered(operation.Action, endpoint.Url, e.Message);
            throw new TimeoutException(
                $"{operation.Action} at {endpoint.Url} did not answer in time (EcomOps:Aws:AttemptTimeoutSeconds per attempt, EcomOps:Aws:TotalTimeoutSeconds in all).", e);
        }
        catch (HttpRequestException e)
        {
            LogUnanswered(operation.Action, endpoint.Url, e.Message);
            throw new HttpRequestException(
                $"{operation.Action} could not reach {endpoint.Url}: {e.Message} Check the network, or EcomOps:Aws:Endpoints:{operation.Service.SettingsKey} if it is overridden.", e, e.StatusCode);
        }

        using (response)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!response.IsSuccessStatusCode)
            {
                var error = await AwsErrors.ReadAsync(operation, response, cancellationToken).ConfigureAwait(false);
                LogFailed(operation.Action, (int)error.StatusCode, error.ErrorCode, error.RequestId, elapsed.TotalMilliseconds);
                throw error;
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            LogSucceeded(operation.Action, (int)response.StatusCode, AwsErrors.RequestId(response), elapsed.TotalMilliseconds);
            // Operations with an empty output shape (StartCrawler, StopQueryExecution) may answer with no body at all.
            return JsonSerializer.Deserialize<TResponse>(body.Length == 0 ? "{}"u8 : body, AwsJson.Options)
                ?? throw new InvalidDataException($"{operation.Action} answered 'null' instead of a JSON object.");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Action} answered {Status} (request id {RequestId}) in {ElapsedMs:F0} ms")]
    private partial void LogSucceeded(string action, int status, string? requestId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} failed with {Status} {ErrorCode} (request id {RequestId}) after {ElapsedMs:F0} ms")]
    private partial void LogFailed(string action, int status, string errorCode, string? requestId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} at {Endpoint} got no answer: {Reason}")]
    private partial void LogUnanswered(string action, Uri endpoint, string reason);
}

/// <summary>Reads AWS JSON 1.1 error answers.</summary>
internal static class AwsErrors
{
    /// <summary>The request id AWS stamps on every answer.</summary>
    public static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var values) || response.Headers.TryGetValues("x-amz-request-id", out values)
            ? values.FirstOrDefault()
            : null;

    public static async Task<AwsServiceException> ReadAsync(AwsOperation operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = Text(document.RootElement, "__type") ?? Text(document.RootElement, "code") ?? Text(document.RootElement, "Code");
                message = Text(document.RootElement, "message") ?? Text(document.RootElement, "Message") ?? Text(document.RootElement, "errorMessage");
            }
        }
        catch (JsonException)
        {
            // A proxy or load balancer answered (HTML, plain text): keep the start of it as the message.
            message = body.Length > 300 ? body[..300] : body;
        }

        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types))
        {
            code = types.FirstOrDefault() ?? code;
        }

        return new AwsServiceException(operation.Service.Name, operation.Name, NormalizeCode(code, response.StatusCode), RequestId(response), response.StatusCode, message);
    }

    /// <summary><c>com.amazonaws.glue#EntityNotFoundException</c> and <c>ThrottlingException:http://...</c> become the bare code.</summary>
    internal static string NormalizeCode(string? code, HttpStatusCode status)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return status.ToString();
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        var colon = code.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? code[..colon] : code;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
