using Microsoft.Extensions.Options;

namespace EcomOps.Core.Storage;

/// <summary>Start-up checks of <see cref="S3StoreOptions"/> (when the backend is Aws) whose messages name the key to set.</summary>
internal sealed class S3StoreOptionsValidator : IValidateOptions<S3StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, S3StoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Region) && string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            failures.Add("EcomOps:S3:Region is not set; set it to the lake bucket's region (such as eu-west-1), or set EcomOps:S3:ServiceUrl for an S3-compatible endpoint.");
        }

        if (!string.IsNullOrWhiteSpace(options.ServiceUrl)
            && !(Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"EcomOps:S3:ServiceUrl '{options.ServiceUrl}' is not an http or https URL; use one such as http://127.0.0.1:4568, or remove it for Amazon S3.");
        }

        if (!Enum.IsDefined(options.Encryption))
        {
            failures.Add($"EcomOps:S3:Encryption '{options.Encryption}' is not one of BucketDefault, SseS3, SseKms.");
        }
        else if (options.Encryption == S3Encryption.SseKms && string.IsNullOrWhiteSpace(options.KmsKeyId))
        {
            failures.Add("EcomOps:S3:KmsKeyId is required when EcomOps:S3:Encryption is SseKms; set it to the KMS key id or ARN.");
        }
        else if (options.Encryption != S3Encryption.SseKms && !string.IsNullOrWhiteSpace(options.KmsKeyId))
        {
            failures.Add($"EcomOps:S3:KmsKeyId is set but EcomOps:S3:Encryption is {options.Encryption}, so the key would not be used; set Encryption to SseKms or remove KmsKeyId.");
        }

        if (options.PartSizeMB is < 5 or > 512)
        {
            failures.Add($"EcomOps:S3:PartSizeMB {options.PartSizeMB} is out of range; use 5 to 512 (MiB per multipart upload part, default 8).");
        }

        if (options.ListPageSize is < 1 or > 1000)
        {
            failures.Add($"EcomOps:S3:ListPageSize {options.ListPageSize} is out of range; use 1 to 1000 (default 1000).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
