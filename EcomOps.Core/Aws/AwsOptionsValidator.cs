using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws;

/// <summary>Start-up checks of <see cref="AwsOptions"/> (when the backend is Aws) whose messages name the key to set.</summary>
internal sealed partial class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Region) && !RegionName().IsMatch(options.Region))
        {
            failures.Add($"EcomOps:Aws:Region '{options.Region}' is not an AWS region name; use one such as eu-west-1, or remove it to take the region from the AWS chain (AWS_REGION, the profile).");
        }

        CheckEndpoint(failures, "Glue", options.Endpoints.Glue);
        CheckEndpoint(failures, "Athena", options.Endpoints.Athena);
        CheckEndpoint(failures, "RedshiftData", options.Endpoints.RedshiftData);
        CheckEndpoint(failures, "Sts", options.Endpoints.Sts);
        CheckRange(failures, "AttemptTimeoutSeconds", options.AttemptTimeoutSeconds, 1, 300, "30");
        CheckRange(failures, "TotalTimeoutSeconds", options.TotalTimeoutSeconds, 1, 900, "120");
        CheckRange(failures, "MaxRetryAttempts", options.MaxRetryAttempts, 0, 10, "4");
        CheckRange(failures, "RetryBaseDelayMilliseconds", options.RetryBaseDelayMilliseconds, 1, 60_000, "200");
        CheckRange(failures, "RetryMaxDelaySeconds", options.RetryMaxDelaySeconds, 1, 300, "20");
        if (options.TotalTimeoutSeconds < options.AttemptTimeoutSeconds)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"EcomOps:Aws:TotalTimeoutSeconds {options.TotalTimeoutSeconds} is shorter than EcomOps:Aws:AttemptTimeoutSeconds {options.AttemptTimeoutSeconds}, so no attempt could run to its own time-out; raise TotalTimeoutSeconds."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckEndpoint(List<string> failures, string service, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)
            && !(Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"EcomOps:Aws:Endpoints:{service} '{value}' is not an http or https URL; use one such as https://vpce-0123.{service.ToLowerInvariant()}.eu-west-1.vpce.amazonaws.com, or remove it for the public endpoint.");
        }
    }

    private static void CheckRange(List<string> failures, string key, int value, int min, int max, string defaultValue)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"EcomOps:Aws:{key} {value} is out of range; use {min} to {max} (default {defaultValue})."));
        }
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();
}
