using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Pipeline;

/// <summary>Pipeline runs through Core's real services: the job runner, the lake, the converter, the crawler and the DuckDB warehouse.</summary>
public sealed class PipelineRunTests : IDisposable
{
    private static readonly string[] Datasets = ["customer_data", "catalog_data", "transactions_data"];

    private readonly CoreHost _host = new();
    private readonly TempDirectory _sources = new();

    public void Dispose()
    {
        _host.Dispose();
        _sources.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IPipelineService Pipelines => _host.Get<IPipelineService>();

    private IJobRunner Runner => _host.Get<IJobRunner>();

    [Fact]
    public async Task WholeChain_OnTheSampleData_LoadsEveryCsvRow_AndTheWarehouseAnswersAsTheCsvsDo()
    {
        var run = await Pipelines.StartAsync(new PipelineOptions(
            Steps: [PipelineStep.Upload, PipelineStep.Convert, PipelineStep.Crawl, PipelineStep.Load],
            SourceFolder: RepoPaths.SampleData));

        var final = await Runner.WaitAsync(run.Id);

        Assert.True(final.Status == JobStatus.Succeeded, final.Error);
        var done = (await Pipelines.GetAsync(run.Id))!;
        Assert.Equal(["upload", "convert", "crawl", "load"], done.Steps.Select(s => s.Name));
        Assert.All(done.Steps, s => Assert.Equal(PipelineStepStatus.Succeeded, s.Status));
        Assert.All(done.Steps, s => Assert.True(s.Duration(DateTimeOffset.UtcNow) >= TimeSpan.Zero));
        Assert.Equal([3, 3, 1, 3], done.Steps.Select(s => s.ChildRunIds.Count));

        // Each step is a run of its own kind in the run history, a child of the pipeline's run.
        var children = await Runner.ListAsync(new JobRunFilter(ParentId: run.Id));
        Assert.Equal(10, children.Count);
        Assert.All(children, c => Assert.Equal(JobStatus.Succeeded, c.Status));
        Assert.Equal(
            done.Steps.SelectMany(s => s.ChildRunIds).Order(),
            children.Select(c => c.Id).Order());
        Assert.Equal(["convert", "crawl", "load", "upload"], children.Select(c => c.Kind).Distinct().Order());

        var tables = await _host.Get<IWarehouse>().ListTablesAsync();
        foreach (var dataset in Datasets)
        {
            var csvRows = File.ReadLines(Path.Combine(RepoPaths.SampleData, dataset + ".csv")).Count() - 1;
            Assert.Equal(csvRows, tables.Single(t => t.Name == dataset).Rows);
        }

        Assert.Equal(Datasets.Order(), (await _host.Get<ICatalog>().ListTablesAsync("ecom")).Select(t => t.Name).Order());

        var result = await _host.Get<IWarehouse>().QueryAsync("""
            SELECT p.Category, SUM(t.Amount) AS revenue, COUNT(*) AS sales
            FROM transactions_data t JOIN catalog_data p ON p.ProductID = t.ProductID
            GROUP BY p.Category ORDER BY p.Category
            """);
        var fromWarehouse = result.Rows.Select(r => ((string)r[0]!, Convert.ToDecimal(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture)));
        Assert.Equal(RevenueByCategoryFromCsvs(RepoPaths.SampleData), fromWarehouse);
    }

    [Fact]
    public async Task StepThatFails_ThenRetried_CompletesWithoutRunningTheSucceededStepsAgain()
    {
        // The bad amount is past the rows the upload checks, so the upload takes it and the conversion refuses it.
        CopySampleData(badAmountOnLine: 5_000);
        var options = new PipelineOptions(
            Steps: [PipelineStep.Convert, PipelineStep.Crawl, PipelineStep.Load],
            SourceFolder: _sources.Path,
            Conversion: new ConversionOptions(Partitioning: Partitioning.Month, MaxErrors: 0));
        var first = await Pipelines.StartAsync(options);
        Assert.Equal(JobStatus.Failed, (await Runner.WaitAsync(first.Id)).Status);

        var failed = (await Pipelines.GetAsync(first.Id))!;
        Assert.Equal(
            [PipelineStepStatus.Succeeded, PipelineStepStatus.Failed, PipelineStepStatus.Skipped, PipelineStepStatus.Skipped],
            failed.Steps.Select(s => s.Status));
        Assert.Equal(PipelineStep.Convert, failed.FailedStep!.Step);
        Assert.Contains("transactions_data", failed.FailedStep.Error);
        Assert.Contains($"ecomops pipeline retry {first.Id}", failed.Error);
        Assert.Empty(await _host.Get<IWarehouse>().LoadsAsync(new LoadFilter()));

        // The user fixes the file in the lake, then retries.
        await using (var fixedFile = File.OpenRead(Path.Combine(RepoPaths.SampleData, "transactions_data.csv")))
        {
            await _host.Get<ILakeService>().UploadAsync(new UploadRequest("transactions_data.csv", "transactions_data", Overwrite: true), fixedFile);
        }

        var retry = await Pipelines.RetryAsync(first.Id);
        var final = await Runner.WaitAsync(retry.Id);

        Assert.True(final.Status == JobStatus.Succeeded, final.Error);
        Assert.Equal(first.Id, final.RetryOf);
        var done = (await Pipelines.GetAsync(retry.Id))!;
        Assert.Equal(first.Id, done.RetryOf);
        Assert.Equal(
            [PipelineStepStatus.Reused, PipelineStepStatus.Succeeded, PipelineStepStatus.Succeeded, PipelineStepStatus.Succeeded],
            done.Steps.Select(s => s.Status));
        var upload = done.Steps[0];
        Assert.Equal(failed.Steps[0].ChildRunIds, upload.ChildRunIds);
        Assert.Equal(first.Id, upload.ReusedFrom);
        Assert.DoesNotContain(done.Steps[1].ChildRunIds, failed.Steps[1].ChildRunIds.Contains);

        // No upload ran again: the three of the first run are all there are.
        Assert.Equal(3, (await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Upload))).Count);
        Assert.Empty(await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Upload, ParentId: retry.Id)));
        var tables = await _host.Get<IWarehouse>().ListTablesAsync();
        Assert.Equal(10_000, tables.Single(t => t.Name == "transactions_data").Rows);

        // The failure the retry fixed is marked, and hidden when asked.
        var all = await Pipelines.ListAsync(new PipelineRunFilter());
        Assert.Equal([retry.Id, first.Id], all.Select(r => r.Id));
        Assert.True(all.Single(r => r.Id == first.Id).FixedByRetry);
        Assert.True((await Pipelines.GetAsync(first.Id))!.FixedByRetry);
        Assert.False(done.FixedByRetry);
        Assert.Equal([retry.Id], (await Pipelines.ListAsync(new PipelineRunFilter(HideFixedFailures: true))).Select(r => r.Id));
        Assert.Equal([first.Id], (await Pipelines.ListAsync(new PipelineRunFilter(Status: JobStatus.Failed))).Select(r => r.Id));

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => Pipelines.RetryAsync(retry.Id));
        Assert.Contains("succeeded", again.Message);
    }

    [Fact]
    public async Task Cancel_MidRun_StopsTheRunningStep_AndSkipsTheRest()
    {
        var generating = new TaskCompletionSource<JobRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Runner.Subscribe(r =>
        {
            if (r is { Kind: JobKinds.Generate, Status: JobStatus.Running, ParentId: not null })
            {
                generating.TrySetResult(r);
            }
        });

        // Big enough that it is still generating when the cancel arrives.
        var run = await Pipelines.StartAsync(new PipelineOptions(
            Steps: [PipelineStep.Generate, PipelineStep.Convert, PipelineStep.Crawl],
            Generation: new GenerationOptions(Transactions: 100_000_000)));
        var child = await generating.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(run.Id, child.ParentId);

        // The pipeline records its step as running just after the child run says so.
        await Eventually.UntilAsync(async () => (await Pipelines.GetAsync(run.Id))!.Steps[0].Status != PipelineStepStatus.Pending);
        var live = (await Pipelines.GetAsync(run.Id))!;
        Assert.Equal(PipelineStepStatus.Running, live.Steps[0].Status);
        Assert.Equal(PipelineStepStatus.Running, PipelineStepRun.StatusOf([child]));

        Assert.True(await Pipelines.CancelAsync(run.Id));
        var final = await Runner.WaitAsync(run.Id);

        Assert.Equal(JobStatus.Cancelled, final.Status);
        Assert.Equal(JobStatus.Cancelled, (await Runner.GetAsync(child.Id))!.Status);
        var cancelled = (await Pipelines.GetAsync(run.Id))!;
        Assert.Equal([PipelineStepStatus.Cancelled, PipelineStepStatus.Skipped, PipelineStepStatus.Skipped], cancelled.Steps.Select(s => s.Status));
        Assert.NotNull(cancelled.Steps[0].EndedAt);
        Assert.Equal([child.Id], (await Runner.ListAsync(new JobRunFilter(ParentId: run.Id))).Select(c => c.Id));

        // A cancelled generation leaves the lake as it was: empty here.
        Assert.False(File.Exists(Path.Combine(_host.LakePath, "raw", "transactions_data", "transactions_data.csv")));
        Assert.False(await Pipelines.CancelAsync(run.Id));
    }

    [Fact]
    public async Task FinishedRun_IsReadBackFromTheOpsDatabase_ByAnotherProcessOnTheSameDataRoot()
    {
        var run = await Pipelines.StartAsync(new PipelineOptions(Steps: [PipelineStep.Crawl], Crawl: new CrawlOptions(Database: "nightly")));
        Assert.Equal(JobStatus.Succeeded, (await Runner.WaitAsync(run.Id)).Status);

        // The CLI beside the dashboard: its own services and job runner over the same ops database.
        using var other = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = _host.DataRoot });
        var read = Assert.Single(await other.Get<IPipelineService>().ListAsync(new PipelineRunFilter()));

        Assert.Equal((run.Id, JobStatus.Succeeded, TestCallers.ProcessUser), (read.Id, read.Status, read.StartedBy));
        var crawl = Assert.Single(read.Steps);
        Assert.Equal((PipelineStep.Crawl, PipelineStepStatus.Succeeded), (crawl.Step, crawl.Status));
        Assert.Equal("nightly", read.Options.EffectiveCrawl.Database);
        Assert.Equal(JobKinds.Crawl, (await other.Get<IJobRunner>().GetAsync(crawl.ChildRunIds.Single()))!.Kind);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => other.Get<IPipelineService>().RetryAsync(run.Id));
        Assert.Contains("there is no failed step to retry from", refused.Message);
    }

    [Theory]
    [InlineData("upload", "give a source folder")]
    [InlineData("orders", "Unknown dataset 'orders'")]
    [InlineData("customers", "Customers must be between 1 and")]
    [InlineData("maxerror", "applies to CSV loads only")]
    public async Task BadOptions_AreRefusedWithWhatToDo_AndStartNothing(string problem, string message)
    {
        var options = problem switch
        {
            "upload" => new PipelineOptions(Steps: [PipelineStep.Upload, PipelineStep.Convert]),
            "orders" => new PipelineOptions(Steps: [PipelineStep.Convert], Datasets: ["orders"]),
            "customers" => new PipelineOptions(Generation: new GenerationOptions(Customers: 0)),
            _ => new PipelineOptions(Steps: [PipelineStep.Load], Load: new PipelineLoadOptions(MaxErrors: 5)),
        };

        var error = await Assert.ThrowsAsync<PipelineOptionsException>(() => Pipelines.StartAsync(options));

        Assert.Contains(message, error.Message);
        Assert.Empty(await Runner.ListAsync(JobRunFilter.All));
    }

    [Fact]
    public async Task LoadStep_FromTheRawCsvs_IntoANamedTable_FailsWithTheWarehousesReason_WhenTheTableIsMissing()
    {
        CopySampleData();
        var run = await Pipelines.StartAsync(new PipelineOptions(
            Steps: [PipelineStep.Load],
            SourceFolder: _sources.Path,
            Datasets: ["customer_data"],
            Load: new PipelineLoadOptions(PipelineLoadFormat.Csv, new Dictionary<string, string> { ["customer_data"] = "customers_missing" })));

        Assert.Equal(JobStatus.Failed, (await Runner.WaitAsync(run.Id)).Status);

        var failed = (await Pipelines.GetAsync(run.Id))!;
        Assert.Equal([PipelineStepStatus.Succeeded, PipelineStepStatus.Failed], failed.Steps.Select(s => s.Status));
        Assert.Contains("customers_missing", failed.Steps[1].Error);
        var load = await Runner.GetAsync(failed.Steps[1].ChildRunIds.Single());
        Assert.Contains("FROM 's3://ecomops-lake/raw/customer_data/'", load!.Parameters["copy"]);
        Assert.Contains("IGNOREHEADER 1", load.Parameters["copy"]);
    }

    private void CopySampleData(int? badAmountOnLine = null)
    {
        foreach (var dataset in Datasets)
        {
            var lines = File.ReadAllLines(Path.Combine(RepoPaths.SampleData, dataset + ".csv"));
            if (dataset == "transactions_data" && badAmountOnLine is { } line)
            {
                var fields = lines[line - 1].Split(',');
                fields[4] = "12.5x";
                lines[line - 1] = string.Join(',', fields);
            }

            File.WriteAllLines(_sources.Combine(dataset + ".csv"), lines);
        }
    }

    /// <summary>Revenue and sales per category, computed from the CSVs alone: what the warehouse must answer.</summary>
    private static List<(string Category, decimal Revenue, long Sales)> RevenueByCategoryFromCsvs(string folder)
    {
        // Neither file quotes the fields read here (ids, amounts, categories): the columns are counted from the
        // end of catalog rows, whose product names come first.
        var category = File.ReadLines(Path.Combine(folder, "catalog_data.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => f[^3]);
        return File.ReadLines(Path.Combine(folder, "transactions_data.csv")).Skip(1)
            .Select(l => l.Split(','))
            .GroupBy(f => category[long.Parse(f[2], CultureInfo.InvariantCulture)], f => decimal.Parse(f[4], CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(), (long)g.Count()))
            .ToList();
    }
}
