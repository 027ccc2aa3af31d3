using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Storage;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>The one-click pipeline on the Aws backend, its convert step on the Glue job's stand-in.</summary>
[Collection(S3rverCollection.Name)]
public sealed class GluePipelineTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private GlueStandIn _glue = default!;
    private CoreHost _host = default!;

    public async Task InitializeAsync()
    {
        var bucket = await s3rver.CreateBucketAsync();
        _glue = new GlueStandIn(s3rver, bucket);
        _host = GlueCoreHost.Create(s3rver, bucket, _glue, _root.Path);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        _glue.Dispose();
        SqliteConnection.ClearAllPools();
        _root.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PipelineRunTwice_ConvertsEveryDatasetBothTimes_ByOverwrite_WithoutDoublingTheParquet()
    {
        var generation = new GenerationOptions(Customers: 40, Products: 15, Transactions: 120, Seed: 5);
        var options = new PipelineOptions(Steps: [PipelineStep.Generate, PipelineStep.Convert], Generation: generation);

        var first = await RunAsync(options);
        var second = await RunAsync(options);

        Assert.True(first.Status == JobStatus.Succeeded, first.Error);
        Assert.True(second.Status == JobStatus.Succeeded, second.Error);
        Assert.Equal(6, _glue.Started.Count);
        Assert.Empty(_glue.Violations);
        var lake = _host.Get<IObjectStore>();
        var rows = new Dictionary<string, long>();
        foreach (var dataset in DatasetRegistry.All)
        {
            var manifest = (await ConversionManifest.ReadAsync(lake, dataset.Name))!;
            Assert.Equal("overwrite", manifest.Mode);
            rows[dataset.Name] = manifest.TotalRows;
        }

        Assert.Equal(new Dictionary<string, long> { ["customer_data"] = 40, ["catalog_data"] = 15, ["transactions_data"] = 120 }, rows);
    }

    private async Task<JobRun> RunAsync(PipelineOptions options)
    {
        var run = await _host.Get<IPipelineService>().StartAsync(options);
        return await _host.Get<IJobRunner>().WaitAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(120));
    }
}
