using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Alerts;

/// <summary>
/// Posts alerts to <c>EcomOps:Alerts:WebhookUrl</c> as JSON, with a time limit per POST and retries with exponential
/// back-off. Never throws: a webhook that is down is logged, and the run it reports on is long finished.
/// </summary>
internal sealed class AlertWebhook(IHttpClientFactory clients, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertWebhook> logger)
{
    internal const string ClientName = "EcomOps.Alerts.Webhook";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.WebhookUrl);

    /// <summary>Posts the alert; true when the webhook accepted it (a 2xx answer).</summary>
    public async Task<bool> SendAsync(RunAlert alert, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!Enabled)
        {
            return false;
        }

        var url = new Uri(settings.WebhookUrl!, UriKind.Absolute);
        var message = Message(alert, settings.DashboardUrl);
        var delay = settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt > settings.Retries;
            string failure;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
                try
                {
                    using var client = clients.CreateClient(ClientName);
                    using var response = await client.PostAsJsonAsync(url, message, Json, timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        logger.LogInformation("Alert for run {RunId} posted to the webhook {Webhook} (attempt {Attempt})", alert.RunId, Redacted(url), attempt);
                        return true;
                    }

                    failure = string.Create(CultureInfo.InvariantCulture, $"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
                    if (!IsTransient(response.StatusCode))
                    {
                        // A 4xx other than 429 is the same however often it is asked: the URL or the payload is wrong.
                        last = true;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning("Alert for run {RunId} not posted to the webhook {Webhook}: EcomOps is stopping", alert.RunId, Redacted(url));
                    return false;
                }
                catch (OperationCanceledException)
                {
                    failure = string.Create(CultureInfo.InvariantCulture, $"no answer within {settings.TimeoutSeconds} s (EcomOps:Alerts:TimeoutSeconds)");
                }
                catch (HttpRequestException e)
                {
                    failure = Security.SecretRedactor.Redact(e.Message);
                }
            }

            if (last)
            {
                logger.LogError("Alert for run {RunId} could not be posted to the webhook {Webhook} after {Attempts} attempt(s): {Failure}", alert.RunId, Redacted(url), attempt, failure);
                return false;
            }

            logger.LogWarning("Alert for run {RunId}: the webhook {Webhook} failed (attempt {Attempt}): {Failure}; trying again in {Delay}", alert.RunId, Redacted(url), attempt, failure, delay);
            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay *= 2;
        }
    }

    /// <summary>The JSON body: the alert's fields, and <c>text</c> for chat webhooks (Slack, Teams, Mattermost) that show only that.</summary>
    internal static AlertMessage Message(RunAlert alert, string? dashboardUrl)
    {
        var link = string.IsNullOrWhiteSpace(dashboardUrl) ? alert.Link : dashboardUrl.TrimEnd('/') + alert.Link;
        // Runs are redacted when recorded; masked again here since the payload leaves for another system.
        return new AlertMessage(
            Security.SecretRedactor.Redact($"EcomOps: {alert.Summary} {link}"),
            alert.RunId,
            alert.Kind,
            Security.SecretRedactor.Redact(alert.Title),
            alert.Step,
            Security.SecretRedactor.Redact(alert.Target),
            Security.SecretRedactor.Redact(alert.Error),
            alert.At,
            link,
            alert.ParentId);
    }

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    // Webhook URLs carry their secret in the path or query (Slack's do): logs name the host only.
    private static string Redacted(Uri url) => url.GetLeftPart(UriPartial.Authority);
}

/// <summary>What the webhook receives for a failed run.</summary>
internal sealed record AlertMessage(
    string Text,
    Guid RunId,
    string Kind,
    string Title,
    string? Step,
    string? Target,
    string Error,
    DateTimeOffset At,
    string Link,
    Guid? ParentRunId);
