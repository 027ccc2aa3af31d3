using EcomOps.Core;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Aws;

/// <summary>The EcomOps:Aws settings: checked at start-up with messages naming the key, and the endpoints they give.</summary>
public sealed class AwsOptionsTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("Region", "Ireland", "EcomOps:Aws:Region 'Ireland'")]
    [InlineData("Endpoints:Glue", "glue.local", "EcomOps:Aws:Endpoints:Glue 'glue.local'")]
    [InlineData("Endpoints:RedshiftData", "ftp://127.0.0.1/", "EcomOps:Aws:Endpoints:RedshiftData")]
    [InlineData("AttemptTimeoutSeconds", "0", "EcomOps:Aws:AttemptTimeoutSeconds 0 is out of range; use 1 to 300 (default 30).")]
    [InlineData("MaxRetryAttempts", "11", "EcomOps:Aws:MaxRetryAttempts 11 is out of range; use 0 to 10 (default 4).")]
    [InlineData("TotalTimeoutSeconds", "10", "EcomOps:Aws:TotalTimeoutSeconds 10 is shorter than EcomOps:Aws:AttemptTimeoutSeconds 30")]
    [InlineData("Glue:JobName", " ", "EcomOps:Aws:Glue:JobName ' ' is not a name")]
    [InlineData("Glue:PollSeconds", "0", "EcomOps:Aws:Glue:PollSeconds 0 is out of range; use 1 to 300 (default 10).")]
    [InlineData("Athena:OutputLocation", "/tmp/results", "EcomOps:Aws:Athena:OutputLocation '/tmp/results' is not an s3:// location")]
    [InlineData("Redshift:CopyRoleArn", "ecomops-copy", "EcomOps:Aws:Redshift:CopyRoleArn 'ecomops-copy' is not an ARN")]
    [InlineData("Redshift:ClusterIdentifier", "ecomops-dc2", "EcomOps:Aws:Redshift:ClusterIdentifier needs exactly one of EcomOps:Aws:Redshift:DbUser")]
    public void BadAwsSettings_FailAtStartUp_NamingTheKey(string key, string value, string message)
    {
        using var services = S3BackendHost.Build(_root.Path, new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:S3:Region"] = "eu-west-1",
            [$"EcomOps:Aws:{key}"] = value,
        });

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void BackendAws_RegistersTheTypedClients_WithPublicRegionalEndpoints()
    {
        using var services = S3BackendHost.Build(_root.Path, new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:S3:Region"] = "eu-west-1",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Endpoints:Athena"] = "https://vpce-0abc.athena.eu-west-1.vpce.amazonaws.com",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(services.GetRequiredService<GlueClient>());
        Assert.NotNull(services.GetRequiredService<AthenaClient>());
        Assert.NotNull(services.GetRequiredService<RedshiftDataClient>());
        Assert.NotNull(services.GetRequiredService<IAwsIdentity>());
        var endpoints = services.GetRequiredService<AwsEndpointResolver>();
        Assert.Equal(new Uri("https://glue.eu-west-1.amazonaws.com/"), endpoints.Resolve(AwsService.Glue).Url);
        Assert.Equal(new Uri("https://redshift-data.eu-west-1.amazonaws.com/"), endpoints.Resolve(AwsService.RedshiftData).Url);
        Assert.Equal(new Uri("https://vpce-0abc.athena.eu-west-1.vpce.amazonaws.com"), endpoints.Resolve(AwsService.Athena).Url);
        Assert.Equal("eu-west-1", endpoints.Resolve(AwsService.Athena).Region);
    }

    [Fact]
    public void ChinaRegion_UsesTheChinaDnsSuffix()
    {
        var endpoints = new AwsEndpointResolver(Options.Create(new AwsOptions { Region = "cn-north-1" }));

        Assert.Equal(new Uri("https://athena.cn-north-1.amazonaws.com.cn/"), endpoints.Resolve(AwsService.Athena).Url);
    }

    [Fact]
    public void BackendLocal_DoesNotCheckTheAwsSettings()
    {
        using var services = S3BackendHost.Build(_root.Path, new() { ["EcomOps:Backend"] = "Local", ["EcomOps:Aws:Region"] = "Ireland" });

        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
