using Microsoft.Extensions.Options;

namespace EcomOps.Core.Alerts;

/// <summary>Settings of the <c>EcomOps:Alerts</c> section: where failed runs are posted, validated at start-up.</summary>
public sealed class AlertOptions
{
    public const string Section = "EcomOps:Alerts";

    /// <summary>
    /// <c>EcomOps:Alerts:WebhookUrl</c>: an http or https URL that receives a JSON POST for each failed run (a Slack or
    /// Teams incoming webhook, or your own). Default none: failed runs show in the dashboard only.
    /// </summary>
    public string? WebhookUrl { get; set; }

    /// <summary><c>EcomOps:Alerts:TimeoutSeconds</c>: how long one POST may take, 1-300 seconds. Default 10.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// <c>EcomOps:Alerts:Retries</c>: POSTs tried again after a failed one (a network error, a timeout, a 5xx or 429
    /// answer), 0-10, waiting 1 s, 2 s, 4 s, ... between them. Default 3.
    /// </summary>
    public int Retries { get; set; } = 3;

    /// <summary>
    /// <c>EcomOps:Alerts:DashboardUrl</c>: the dashboard's address as operators reach it, such as
    /// <c>https://ecomops.example.com</c>, to make the alert's link absolute. Default none: the link is a path.
    /// </summary>
    public string? DashboardUrl { get; set; }

    /// <summary>The wait before the first retry; doubled for each next one. Not a setting: tests shorten it.</summary>
    internal TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Start-up checks of <see cref="AlertOptions"/> whose messages name the key to set.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.WebhookUrl) && !IsHttpUrl(options.WebhookUrl))
        {
            // The URL can carry the webhook's token: the message shows it masked.
            failures.Add($"EcomOps:Alerts:WebhookUrl '{Security.SecretRedactor.Redact(options.WebhookUrl)}' is not an absolute http or https URL; set one such as https://hooks.example.com/ecomops, or leave it empty to post no alerts.");
        }

        if (!string.IsNullOrWhiteSpace(options.DashboardUrl) && !IsHttpUrl(options.DashboardUrl))
        {
            failures.Add($"EcomOps:Alerts:DashboardUrl '{options.DashboardUrl}' is not an absolute http or https URL; set the dashboard's address, such as https://ecomops.example.com, or leave it empty.");
        }

        if (options.TimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"EcomOps:Alerts:TimeoutSeconds is {options.TimeoutSeconds}; set 1-300 seconds (default 10).");
        }

        if (options.Retries is < 0 or > 10)
        {
            failures.Add($"EcomOps:Alerts:Retries is {options.Retries}; set 0-10 (default 3).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
