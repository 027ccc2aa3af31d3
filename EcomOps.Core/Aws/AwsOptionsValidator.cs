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

        CheckResources(failures, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckResources(List<string> failures, AwsOptions options)
    {
        CheckName(failures, "Glue:JobName", options.Glue.JobName, "ecomops-csv-to-parquet");
        CheckName(failures, "Glue:CrawlerName", options.Glue.CrawlerName, "ecomops-parquet");
        CheckName(failures, "Glue:Database", options.Glue.Database, "ecom");
        CheckRange(failures, "Glue:PollSeconds", options.Glue.PollSeconds, 1, 300, "10");
        CheckName(failures, "Athena:Workgroup", options.Athena.Workgroup, "ecomops");
        CheckName(failures, "Athena:Catalog", options.Athena.Catalog, "AwsDataCatalog");
        CheckRange(failures, "Athena:PollMilliseconds", options.Athena.PollMilliseconds, 50, 10_000, "500");
        if (!string.IsNullOrWhiteSpace(options.Athena.OutputLocation) && !options.Athena.OutputLocation.StartsWith("s3://", StringComparison.Ordinal))
        {
            failures.Add($"EcomOps:Aws:Athena:OutputLocation '{options.Athena.OutputLocation}' is not an s3:// location; use one such as s3://my-bucket/athena-results/, or remove it for s3://<LakeBucket>/athena-results/.");
        }

        var redshift = options.Redshift;
        if (!string.IsNullOrWhiteSpace(redshift.WorkgroupName) && !string.IsNullOrWhiteSpace(redshift.ClusterIdentifier))
        {
            failures.Add("EcomOps:Aws:Redshift:WorkgroupName and EcomOps:Aws:Redshift:ClusterIdentifier are both set; set WorkgroupName for Redshift Serverless or ClusterIdentifier for a provisioned cluster, not both.");
        }

        if (!string.IsNullOrWhiteSpace(redshift.ClusterIdentifier) && string.IsNullOrWhiteSpace(redshift.DbUser) == string.IsNullOrWhiteSpace(redshift.SecretArn))
        {
            failures.Add("EcomOps:Aws:Redshift:ClusterIdentifier needs exactly one of EcomOps:Aws:Redshift:DbUser (temporary credentials) and EcomOps:Aws:Redshift:SecretArn (a Secrets Manager secret).");
        }

        if (!string.IsNullOrWhiteSpace(redshift.WorkgroupName) && !string.IsNullOrWhiteSpace(redshift.DbUser))
        {
            failures.Add("EcomOps:Aws:Redshift:DbUser is for provisioned clusters; a Serverless workgroup takes the caller's IAM identity or EcomOps:Aws:Redshift:SecretArn. Remove DbUser.");
        }

        CheckName(failures, "Redshift:Database", redshift.Database, "dev");
        CheckArn(failures, "Redshift:SecretArn", redshift.SecretArn, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecomops-redshift-AbCdEf");
        CheckArn(failures, "Redshift:CopyRoleArn", redshift.CopyRoleArn, "arn:aws:iam::123456789012:role/ecomops-redshift-copy");
        CheckRange(failures, "Redshift:PollMilliseconds", redshift.PollMilliseconds, 50, 10_000, "500");
    }

    private static void CheckName(List<string> failures, string key, string? value, string defaultValue)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
        {
            failures.Add($"EcomOps:Aws:{key} '{value}' is not a name; set the resource's name without spaces (default {defaultValue}).");
        }
    }

    private static void CheckArn(List<string> failures, string key, string? value, string example)
    {
        if (!string.IsNullOrWhiteSpace(value) && !value.StartsWith("arn:", StringComparison.Ordinal))
        {
            failures.Add($"EcomOps:Aws:{key} '{value}' is not an ARN; use one such as {example}.");
        }
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
