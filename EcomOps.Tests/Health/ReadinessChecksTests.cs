using EcomOps.Core.Health;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcomOps.Tests.Health;

/// <summary>The readiness checks as /readyz runs them, over real data roots (the endpoint itself: OpsSignalsWalkTests).</summary>
public sealed class ReadinessChecksTests : IDisposable
{
    private readonly CoreHost _host = new();

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task NewDataRoot_OpsDatabaseAnswers_LakeAndWarehouseAreNotCreatedYet_Degraded()
    {
        var report = await ReadyAsync(_host);

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["ops-database"].Status);
        Assert.Contains("does not exist yet", report.Entries["lake"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, report.Entries["warehouse"].Status);
        Assert.Contains("does not exist yet", report.Entries["warehouse"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitialisedWarehouseAndALake_AreHealthy()
    {
        Directory.CreateDirectory(_host.LakePath);
        await _host.Get<IWarehouse>().InitAsync();

        var report = await ReadyAsync(_host);

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.All(report.Entries.Values, e => Assert.Equal(HealthStatus.Healthy, e.Status));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_host.LakePath));
    }

    [Fact]
    public async Task AWarehouseFileThatIsNotADatabase_IsUnhealthy_SayingItCannotBeOpened()
    {
        Directory.CreateDirectory(_host.LakePath);
        await File.WriteAllTextAsync(Path.Combine(_host.DataRoot, "warehouse.duckdb"), "this is not a DuckDB file, it is long enough to have a header of sorts................................");

        var report = await ReadyAsync(_host);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["warehouse"].Status);
        Assert.StartsWith($"The warehouse {Path.Combine(_host.DataRoot, "warehouse.duckdb")} cannot be opened", report.Entries["warehouse"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, report.Entries["lake"].Status);
    }

    [Fact]
    public async Task Healthz_RunsOnlyTheSelfCheck()
    {
        var report = await _host.Get<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(OpsSignals.LiveTag));

        Assert.Equal("self", Assert.Single(report.Entries).Key);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    internal static Task<HealthReport> ReadyAsync(CoreHost host) =>
        host.Get<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(OpsSignals.ReadyTag));
}

/// <summary>On the Aws backend the lake check asks the S3 bucket, here s3rver on loopback.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ReadinessTests(S3rverFixture s3rver) : IDisposable
{
    private readonly List<CoreHost> _hosts = [];

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task TheLakeBucket_Answers_Healthy()
    {
        var report = await ReadinessChecksTests.ReadyAsync(Aws(S3rverFixture.Bucket));

        Assert.Equal(HealthStatus.Healthy, report.Entries["lake"].Status);
        Assert.Contains($"s3://{S3rverFixture.Bucket}/ answers", report.Entries["lake"].Description, StringComparison.Ordinal);
        Assert.Contains("ops-database", report.Entries.Keys);
    }

    [Fact]
    public async Task ABucketThatDoesNotExist_IsUnhealthy_NamingItAndTheSettings()
    {
        var report = await ReadinessChecksTests.ReadyAsync(Aws("no-such-ecomops-bucket"));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        var lake = report.Entries["lake"];
        Assert.Equal(HealthStatus.Unhealthy, lake.Status);
        Assert.StartsWith("The S3 bucket s3://no-such-ecomops-bucket/ refused a listing: NoSuchBucket", lake.Description, StringComparison.Ordinal);
        Assert.Contains("EcomOps:LakeBucket", lake.Description, StringComparison.Ordinal);
    }

    private CoreHost Aws(string bucket)
    {
        // As S3BackendRoundTripTests: credentials come from the environment, s3rver's unless the developer set their own.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
        }

        var host = new CoreHost(configuration: new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = bucket,
            ["EcomOps:S3:ServiceUrl"] = s3rver.ServiceUrl,
            ["EcomOps:S3:ForcePathStyle"] = "true",
            ["EcomOps:S3:DisableChunkedEncoding"] = "true",
        });
        _hosts.Add(host);
        return host;
    }
}
