using EcomOps.Core.Overview;
using EcomOps.Core.Catalog;
using EcomOps.Core.Generation;
using EcomOps.Core.Health;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcomOps.Tests.Aws;

/// <summary>
/// The whole product through Core's services on the Aws backend, every AWS service a loopback stand-in
/// (<see cref="AwsStandIns"/>): the pipeline runs, Athena answers the saved query and Redshift holds the rows exactly as
/// the Local backend does from the same seed, and every service check of the Settings page is healthy.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class AwsBackendPipelineTests(S3rverFixture s3rver) : IAsyncLifetime
{
    private static readonly GenerationOptions Sample = new(Customers: 60, Products: 25, Transactions: 400, Seed: 17);

    private readonly TempDirectory _sources = new();
    private readonly TempDirectory _localSources = new();
    private AwsStandIns _aws = default!;
    private CoreHost _host = default!;
    private CoreHost _local = default!;

    public async Task InitializeAsync()
    {
        AwsStandIns.UseS3rverCredentials();
        _aws = await AwsStandIns.StartAsync(s3rver);
        _host = new CoreHost(configuration: _aws.Settings(s3rver).ToDictionary(s => s.Key, s => (string?)s.Value));
        _local = new CoreHost();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        _local.Dispose();
        _aws.Dispose();
        _sources.Dispose();
        _localSources.Dispose();
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task WholePipeline_OnAws_Succeeds_AndAthenaAndRedshiftAnswerAsTheLocalBackendDoes_AndEveryCheckIsHealthy()
    {
        var onAws = await RunPipelineAsync(_host, _sources.Path);
        var onLocal = await RunPipelineAsync(_local, _localSources.Path);

        Assert.True(onAws.Status == JobStatus.Succeeded, onAws.Error);
        Assert.True(onLocal.Status == JobStatus.Succeeded, onLocal.Error);
        var steps = (await _host.Get<IPipelineService>().GetAsync(onAws.Id))!.Steps;
        Assert.Equal(["generate", "upload", "convert", "crawl", "load"], steps.Select(s => s.Name));
        Assert.All(steps, s => Assert.Equal(PipelineStepStatus.Succeeded, s.Status));

        // The run went to the services: three Glue job runs, the crawl's tables in the Data Catalog, and the loads' COPYs on the Data API.
        Assert.Equal(3, _aws.Glue.Started.Count);
        Assert.Equal(["catalog_data", "customer_data", "transactions_data"], (await _host.Get<ICatalog>().ListTablesAsync("ecom")).Select(t => t.Name).Order());
        var copies = _aws.Redshift.Submitted.SelectMany(s => s.Sqls).Where(sql => sql.TrimStart().StartsWith("COPY", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(3, copies.Count);
        // The pipeline's COPY says IAM_ROLE default; Redshift is sent the role the settings name.
        Assert.All(copies, sql => Assert.Contains($"IAM_ROLE '{RedshiftOnLoopback.CopyRole}'", sql, StringComparison.Ordinal));

        var (awsShare, awsEngine) = await CategoryShareAsync(_host);
        var (localShare, _) = await CategoryShareAsync(_local);
        Assert.StartsWith("Amazon Athena", awsEngine, StringComparison.Ordinal);
        Assert.Equal(localShare.Columns.Select(c => c.Name), awsShare.Columns.Select(c => c.Name));
        Assert.NotEmpty(awsShare.Rows);
        Assert.Equal(localShare.Rows, awsShare.Rows);
        Assert.Single(_aws.Athena.Started);

        Assert.Equal(await RowCountsAsync(_local), await RowCountsAsync(_host));
        Assert.Equal(Sample.Transactions, (await RowCountsAsync(_host))["transactions_data"]);

        // The Overview's reconciliation finds every figure on Aws as locally: the Glue job keeps EcomOps' run id in its
        // manifest, so the conversion run (and what it quarantined) is found.
        var reconciliation = await _host.Get<IOverviewService>().ReconcileAsync();
        Assert.False(reconciliation.HasMismatch, string.Join("; ", reconciliation.Datasets.SelectMany(d => d.Mismatches)));
        Assert.All(reconciliation.Datasets, d => Assert.True(
            d.RawCsv.Known && d.Parquet.Known && d.Catalog.Known && d.Warehouse.Known && d.Quarantined.Known,
            $"{d.Dataset}: {string.Join(" | ", new[] { d.RawCsv, d.Parquet, d.Catalog, d.Warehouse, d.Quarantined }.Where(f => !f.Known).Select(f => f.Source))}"));

        var checks = _host.Get<IBackendChecks>();
        foreach (var check in checks.Checks)
        {
            var result = await checks.RunAsync(check.Name);
            Assert.True(result.Status == HealthStatus.Healthy, $"{check.Name}: {result.Status}: {result.Description}");
        }

        Assert.Contains(checks.Checks, c => c.Name == "redshift");
        Assert.Empty(_aws.Violations);
    }

    [Fact]
    public async Task PipelineRunAgain_InReplaceMode_Succeeds_AndTheTablesHoldOneRunsRows()
    {
        var first = await RunPipelineAsync(_host, _sources.Path);
        var second = await RunPipelineAsync(_host, _sources.Path);

        Assert.True(first.Status == JobStatus.Succeeded, first.Error);
        Assert.True(second.Status == JobStatus.Succeeded, second.Error);
        var counts = await RowCountsAsync(_host);
        Assert.Equal(Sample.Customers, counts["customer_data"]);
        Assert.Equal(Sample.Products, counts["catalog_data"]);
        Assert.Equal(Sample.Transactions, counts["transactions_data"]);

        // Athena reads the second run's Parquet, not both runs' files.
        var (share, _) = await CategoryShareAsync(_host);
        var revenue = share.Rows.Sum(r => Convert.ToDecimal(r[1], System.Globalization.CultureInfo.InvariantCulture));
        var total = await _host.Get<IQueryService>().RunAsync(new QueryRunRequest("SELECT sum(amount) AS revenue, count(*) AS sales FROM ecom.transactions_data"));
        Assert.Equal(Convert.ToDecimal(total.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture), revenue);
        Assert.Equal(Sample.Transactions, Convert.ToInt64(total.Rows[0][1], System.Globalization.CultureInfo.InvariantCulture));
    }

    // Generated into a folder outside the lake, then uploaded: every step of the chain runs.
    private static async Task<JobRun> RunPipelineAsync(CoreHost host, string sources)
    {
        var run = await host.Get<IPipelineService>().StartAsync(new PipelineOptions(
            Steps: [PipelineStep.Generate, PipelineStep.Upload, PipelineStep.Convert, PipelineStep.Crawl, PipelineStep.Load],
            Generation: Sample,
            SourceFolder: sources));
        return await host.Get<IJobRunner>().WaitAsync(run.Id).WaitAsync(TimeSpan.FromMinutes(3));
    }

    private static async Task<(QueryResult Result, string Engine)> CategoryShareAsync(CoreHost host)
    {
        var queries = host.Get<IQueryService>();
        var saved = (await queries.GetSavedAsync("Category share"))!;
        var result = await queries.RunAsync(new QueryRunRequest(saved.Sql, QuerySource.Saved, Target: saved.Target));
        return (result, queries.EngineNameFor(saved.Target));
    }

    private static async Task<Dictionary<string, long>> RowCountsAsync(CoreHost host) =>
        (await host.Get<IWarehouse>().ListTablesAsync()).ToDictionary(t => t.Name, t => t.Rows);
}
