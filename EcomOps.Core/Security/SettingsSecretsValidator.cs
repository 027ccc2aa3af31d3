using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Security;

/// <summary>
/// Refuses, at start-up, AWS credentials written into EcomOps' own settings (<c>EcomOps:*</c> in appsettings, environment
/// variables <c>EcomOps__*</c> or the command line). EcomOps takes credentials only from the AWS default chain, so keys put
/// there would be ignored silently while sitting in a settings file; the start fails instead, saying where to put them.
/// </summary>
/// <remarks>
/// A setting is refused when its name is an AWS credential's (<c>AccessKeyId</c>, <c>AccessKey</c>, <c>SecretAccessKey</c>,
/// <c>SecretKey</c>, <c>SessionToken</c>, with or without <c>Aws</c> and underscores) or its value holds an AWS access key
/// id. The message names the key, never the value. Other secrets that belong in settings, such as a webhook URL, are not
/// refused: they are masked wherever they would be shown or logged.
/// </remarks>
internal sealed partial class SettingsSecretsValidator(IConfiguration configuration) : IValidateOptions<EcomOpsOptions>
{
    private const string DefaultChain =
        "EcomOps reads AWS credentials only from the AWS default chain: remove it and use the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY " +
        "(and AWS_SESSION_TOKEN) environment variables, a profile (EcomOps:Aws:Profile or AWS_PROFILE, with aws configure or aws sso login), " +
        "or the instance, container or task role.";

    public ValidateOptionsResult Validate(string? name, EcomOpsOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, value) in configuration.GetSection(EcomOpsOptions.Section).AsEnumerable())
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            var last = key[(key.LastIndexOf(':') + 1)..];
            if (CredentialName().IsMatch(last))
            {
                failures.Add($"{key} is set: AWS credentials do not belong in EcomOps' settings. {DefaultChain}");
            }
            else if (AccessKeyId().IsMatch(value))
            {
                failures.Add($"{key} holds an AWS access key id: AWS credentials do not belong in EcomOps' settings. {DefaultChain}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^(aws_?)?(access_?key(_?id)?|secret_?(access_?)?key|session_?token|security_?token)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialName();

    [GeneratedRegex(@"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyId();
}
