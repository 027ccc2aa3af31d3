using EcomOps.Cli;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Aws;

/// <summary>The CLI on the Aws backend, every AWS service a loopback stand-in (<see cref="AwsStandIns"/>): the commands a cron job or a benchmark runs.</summary>
[Collection(S3rverCollection.Name)]
public sealed class AwsBackendCliTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private AwsStandIns _aws = default!;

    public async Task InitializeAsync()
    {
        AwsStandIns.UseS3rverCredentials();
        _aws = await AwsStandIns.StartAsync(s3rver);
    }

    public Task DisposeAsync()
    {
        _aws.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PipelineRun_ThenCatalogQueryWarehouseAndCheck_AnswerFromGlueAthenaAndRedshift()
    {
        var run = await RunAsync("pipeline", "run", "--steps", "generate,convert,crawl,load", "--customers", "50", "--products", "20", "--transactions", "300", "--seed", "9");
        Assert.True(run.Code == 0, run.Stderr);
        foreach (var step in new[] { "generate", "convert", "crawl", "load" })
        {
            Assert.Contains($"\n{step,-8}  Succeeded", "\n" + run.Stdout);
        }

        var tables = await RunAsync("catalog", "ls");
        Assert.True(tables.Code == 0, tables.Stderr);
        Assert.All(new[] { "customer_data", "catalog_data", "transactions_data" }, t => Assert.Contains(t, tables.Stdout));

        var share = await RunAsync("query", "saved", "run", "Category share");
        Assert.True(share.Code == 0, share.Stderr);
        Assert.StartsWith("category,revenue,share_percent", share.Stdout);
        Assert.Single(_aws.Athena.Started);

        var count = await RunAsync("warehouse", "query", "--sql", "SELECT count(*) AS n FROM transactions_data");
        Assert.True(count.Code == 0, count.Stderr);
        Assert.Contains("300", count.Stdout);

        var loads = await RunAsync("warehouse", "loads");
        Assert.True(loads.Code == 0, loads.Stderr);
        Assert.Contains($"s3://{_aws.Bucket}/parquet/transactions_data/", loads.Stdout);

        var check = await RunAsync("check");
        Assert.True(check.Code == 0, check.Stdout + check.Stderr);
        Assert.Equal(8, check.Stdout.Split('\n').Count(l => l.Split('\t') is [_, "Healthy", ..]));
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args, .. _aws.Settings(s3rver).Select(s => $"--{s.Key}={s.Value}")], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
