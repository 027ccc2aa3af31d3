using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Security;

/// <summary>AWS credentials come only from the default chain: keys written into EcomOps' settings stop the start, named but never shown.</summary>
public sealed class SecretSettingsTests
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Theory]
    [InlineData("EcomOps:Aws:AccessKeyId", KeyId)]
    [InlineData("EcomOps:Aws:SecretAccessKey", Secret)]
    [InlineData("EcomOps:S3:SecretKey", Secret)]
    [InlineData("EcomOps:Aws:Credentials:aws_session_token", Secret)]
    [InlineData("EcomOps:S3:ServiceUrl", $"https://{KeyId}@s3.example.com")]
    [InlineData("EcomOps:Aws:Profile", KeyId)]
    public void AwsKeysInSettings_StopTheStart_NamingTheKeyAndTheDefaultChain(string key, string value)
    {
        using var host = new CoreHost(configuration: new() { [key] = value });

        var refused = Assert.IsType<OptionsValidationException>(Record.Exception(() => host.Get<IStartupValidator>().Validate()));

        Assert.Contains(key, refused.Message, StringComparison.Ordinal);
        Assert.Contains("default chain", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OrdinarySettings_StartAsBefore()
    {
        using var host = new CoreHost(configuration: new()
        {
            ["EcomOps:Aws:Profile"] = "ecomops-prod",
            ["EcomOps:Aws:Redshift:SecretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecomops-redshift-AbCdEf",
            ["EcomOps:Alerts:WebhookUrl"] = "https://hooks.slack.com/services/T0EXAMPLE1/B0EXAMPLE2/XyZ9EXAMPLEtoken12345678",
        });

        host.Get<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task Cli_WithAKeyInAnEnvironmentSetting_RefusesToStart_WithoutPrintingIt()
    {
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = await CliBinary.RunAsync(["--data-root", dir.Path, "jobs", "ls"], dir.Path,
            new Dictionary<string, string?> { ["EcomOps__Aws__SecretAccessKey"] = Secret });

        Assert.NotEqual(0, code);
        Assert.Contains("EcomOps:Aws:SecretAccessKey", stderr, StringComparison.Ordinal);
        Assert.Contains("default chain", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout + stderr, StringComparison.Ordinal);
    }
}
