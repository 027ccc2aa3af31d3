using System.Text;
using EcomOps.Core;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Storage;

/// <summary>EcomOps:Backend=Aws puts the lake on S3, with the EcomOps:S3 settings checked at start-up.</summary>
public sealed class S3BackendRegistrationTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("Region=", "EcomOps:S3:Region")]
    [InlineData("Region=|ServiceUrl=not a url", "EcomOps:S3:ServiceUrl")]
    [InlineData("ServiceUrl=ftp://127.0.0.1/", "EcomOps:S3:ServiceUrl")]
    [InlineData("Encryption=SseKms", "EcomOps:S3:KmsKeyId")]
    [InlineData("KmsKeyId=alias/ecomops", "EcomOps:S3:KmsKeyId")]
    [InlineData("PartSizeMB=4", "EcomOps:S3:PartSizeMB")]
    [InlineData("PartSizeMB=513", "EcomOps:S3:PartSizeMB")]
    [InlineData("ListPageSize=0", "EcomOps:S3:ListPageSize")]
    [InlineData("ListPageSize=1001", "EcomOps:S3:ListPageSize")]
    public void BadS3Settings_FailAtStartUp_NamingTheKey(string settings, string key)
    {
        using var services = Build(Aws(settings));

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Contains(key, error.Message);
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IObjectStore>());
    }

    [Fact]
    public void PartSizeOutOfRange_TheMessageGivesTheRealDefault()
    {
        using var services = Build(Aws("PartSizeMB=4"));

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Equal(8, new S3StoreOptions().PartSizeMB);
        Assert.Contains("EcomOps:S3:PartSizeMB 4 is out of range; use 5 to 512 (MiB per multipart upload part, default 8).", error.Message);
    }

    [Fact]
    public void BackendAws_WithARegion_GivesAnS3StoreOnTheLakeBucket()
    {
        using var services = Build(Aws("LakeBucket=my-lake"));

        services.GetRequiredService<IStartupValidator>().Validate();
        var store = Assert.IsType<S3ObjectStore>(services.GetRequiredService<IObjectStore>());

        Assert.Equal("s3://my-lake", store.DisplayName);
    }

    [Fact]
    public void BackendLocal_IgnoresTheS3Settings()
    {
        using var services = Build(new() { ["EcomOps:Backend"] = "Local", ["EcomOps:S3:PartSizeMB"] = "1" });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<LocalObjectStore>(services.GetRequiredService<IObjectStore>());
    }

    /// <summary>Backend=Aws with a region, plus "Name=value|..." overrides of EcomOps:S3 (LakeBucket goes to EcomOps).</summary>
    private static Dictionary<string, string?> Aws(string overrides)
    {
        var settings = new Dictionary<string, string?> { ["EcomOps:Backend"] = "Aws", ["EcomOps:S3:Region"] = "eu-west-1" };
        foreach (var pair in overrides.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            settings[name == "LakeBucket" ? "EcomOps:LakeBucket" : $"EcomOps:S3:{name}"] = value;
        }

        return settings;
    }

    private ServiceProvider Build(Dictionary<string, string?> settings) => S3BackendHost.Build(_root.Path, settings);
}

/// <summary>The Aws backend's lake, as AddEcomOpsCore builds it, against s3rver.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3BackendRoundTripTests(S3rverFixture s3rver) : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task BackendAws_PointedAtS3rver_GivesAStoreThatRoundTrips()
    {
        // Credentials come only from the AWS default chain, whose first source is the environment. Set to
        // s3rver's (its only account) for this test process when nothing else is set; a developer's own
        // AWS_ACCESS_KEY_ID is left alone, and then s3rver refuses it with the store's credentials message.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
        }

        using var services = S3BackendHost.Build(_root.Path, new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = S3rverFixture.Bucket,
            ["EcomOps:S3:ServiceUrl"] = s3rver.ServiceUrl,
            ["EcomOps:S3:ForcePathStyle"] = "true",
            ["EcomOps:S3:DisableChunkedEncoding"] = "true",
        });
        services.GetRequiredService<IStartupValidator>().Validate();
        var lake = services.GetRequiredService<IObjectStore>();
        var key = $"raw/di/{Guid.NewGuid():N}.csv";
        var text = "CustomerID,Name\n1,Ådne Østergård\n";

        await using (var write = await lake.OpenWriteAsync(key))
        {
            await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
            await write.CommitAsync();
        }

        await using (var read = await lake.OpenReadAsync(key))
        using (var reader = new StreamReader(read, Encoding.UTF8))
        {
            Assert.Equal(text, await reader.ReadToEndAsync());
        }

        Assert.IsType<S3ObjectStore>(lake);
        Assert.Contains(key, (await lake.ListAsync("raw/di/")).Objects.Select(o => o.Key));
        await lake.DeleteAsync(key);
        Assert.Null(await lake.HeadAsync(key));
    }
}

internal static class S3BackendHost
{
    /// <summary>Core's services as the app registers them, over a temporary data root.</summary>
    public static ServiceProvider Build(string dataRoot, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["EcomOps:DataRoot"] = dataRoot, ["EcomOps:SeedSampleData"] = "false" })
            .AddInMemoryCollection(settings)
            .Build();
        return new ServiceCollection().AddLogging().AddEcomOpsCore(configuration).BuildServiceProvider();
    }
}
