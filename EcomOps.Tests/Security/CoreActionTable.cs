using System.Text;
using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Health;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Overview;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Security;

/// <summary>One way into Core: the interface member, the action it is, and a call of it with harmless arguments.</summary>
public sealed record CoreCall(string Member, CoreAction Action, Func<CoreHost, Task> Invoke)
{
    public override string ToString() => Member;
}

/// <summary>
/// Every member of every interface pages and the CLI call, each with the action it needs. <see cref="Exempt"/> lists
/// what is not an action, with why; <see cref="RolesMatrixTests.EveryMemberOfCoresInterfaces_IsInTheTable"/> makes a
/// new member fail until it is in one or the other.
/// </summary>
public static class CoreActionTable
{
    public static IReadOnlyList<Type> Interfaces { get; } =
    [
        typeof(ILakeService), typeof(IConversionService), typeof(ICatalogService), typeof(IGenerationService),
        typeof(IWarehouseService), typeof(IPipelineService), typeof(IQueryService), typeof(IOverviewService),
        typeof(IBackendChecks), typeof(IJobRunner), typeof(IWarehouse), typeof(ICatalog),
    ];

    public static IReadOnlyDictionary<string, string> Exempt { get; } = new Dictionary<string, string>
    {
        ["ICatalogService.StarterQuery"] = "builds SQL from the table it is given; reads nothing",
        ["ICatalogService.Compare"] = "compares the two versions it is given; reads nothing",
        ["IPipelineService.NextOccurrences"] = "computes times from the cron text it is given; reads nothing",
        ["IQueryService.EngineNameFor"] = "the engine's display name",
        ["ILakeService.CheckUploadBatch"] = "checks the count and sizes of the requests it is given; reads and writes nothing",
        ["IJobRunner.Subscribe"] = "the app's own monitors subscribe with nobody signed in; pages read what they show through the checked reads",
    };

    private static readonly GenerationOptions Tiny = new(Customers: 5, Products: 5, Transactions: 5);
    private const string Csv = "CustomerID,Name,Email,Country,SignupDate\n1,Ada,ada@example.com,UK,2024-01-02\n";
    private const string Copy = "COPY customer_data FROM 's3://ecomops-lake/raw/customer_data/' IAM_ROLE default FORMAT AS CSV IGNOREHEADER 1";

    public static IReadOnlyList<CoreCall> Calls { get; } =
    [
        new("ILakeService.BrowseAsync", CoreAction.View, h => h.Get<ILakeService>().BrowseAsync()),
        new("ILakeService.CheckUploadAsync", CoreAction.Upload, h => h.Get<ILakeService>().CheckUploadAsync(new UploadRequest("c.csv", "customer_data"), Stream(Csv))),
        new("ILakeService.UploadAsync", CoreAction.Upload, h => h.Get<ILakeService>().UploadAsync(new UploadRequest("c.csv", "customer_data", Overwrite: true), Stream(Csv))),
        new("ILakeService.StartUpload", CoreAction.Upload, h => Task.FromResult(h.Get<ILakeService>().StartUpload(new UploadRequest("c.csv", "customer_data", Overwrite: true), "/nonexistent/c.csv"))),
        new("ILakeService.StartBrowserUpload", CoreAction.Upload, h => Task.FromResult(h.Get<ILakeService>().StartBrowserUpload(new UploadRequest("c.csv", "customer_data", Overwrite: true)))),
        new("ILakeService.PreviewAsync", CoreAction.View, h => h.Get<ILakeService>().PreviewAsync("raw/none.csv")),
        new("ILakeService.OpenDownloadAsync", CoreAction.View, h => h.Get<ILakeService>().OpenDownloadAsync("raw/none.csv")),
        new("ILakeService.DeleteAsync", CoreAction.DeleteObject, h => h.Get<ILakeService>().DeleteAsync("raw/none.csv")),
        new("IConversionService.StartConversion", CoreAction.Convert, h => Task.FromResult(h.Get<IConversionService>().StartConversion(new ConversionOptions(), ["customer_data"]))),
        new("IConversionService.RecoverAsync", CoreAction.Convert, h => h.Get<IConversionService>().RecoverAsync()),
        new("ICatalogService.StartCrawl", CoreAction.Crawl, h => Task.FromResult(h.Get<ICatalogService>().StartCrawl(new CrawlOptions()))),
        new("ICatalogService.SampleAsync", CoreAction.View, h => h.Get<ICatalogService>().SampleAsync("ecom", "none")),
        new("IGenerationService.PreviewAsync", CoreAction.View, h => h.Get<IGenerationService>().PreviewAsync(Tiny, 2)),
        new("IGenerationService.GenerateAsync", CoreAction.Generate, h => h.Get<IGenerationService>().GenerateAsync(Tiny)),
        new("IGenerationService.StartGeneration", CoreAction.Generate, h => Task.FromResult(h.Get<IGenerationService>().StartGeneration(Tiny))),
        new("IWarehouseService.StartLoad", CoreAction.Load, h => Task.FromResult(h.Get<IWarehouseService>().StartLoad(Copy))),
        new("IPipelineService.StartAsync", CoreAction.RunPipeline, h => h.Get<IPipelineService>().StartAsync(new PipelineOptions([PipelineStep.Generate], Tiny))),
        new("IPipelineService.GetAsync", CoreAction.View, h => h.Get<IPipelineService>().GetAsync(Guid.NewGuid())),
        new("IPipelineService.ListAsync", CoreAction.View, h => h.Get<IPipelineService>().ListAsync(new PipelineRunFilter())),
        new("IPipelineService.RetryAsync", CoreAction.RunPipeline, h => h.Get<IPipelineService>().RetryAsync(Guid.NewGuid())),
        new("IPipelineService.CancelAsync", CoreAction.CancelRun, h => h.Get<IPipelineService>().CancelAsync(Guid.NewGuid())),
        new("IPipelineService.ListPipelinesAsync", CoreAction.View, h => h.Get<IPipelineService>().ListPipelinesAsync()),
        new("IPipelineService.GetPipelineAsync", CoreAction.View, h => h.Get<IPipelineService>().GetPipelineAsync(Guid.NewGuid())),
        new("IPipelineService.CreatePipelineAsync", CoreAction.ManagePipelines, h => h.Get<IPipelineService>().CreatePipelineAsync(new SavedPipelineRequest("nightly", new PipelineOptions([PipelineStep.Generate], Tiny)))),
        new("IPipelineService.UpdatePipelineAsync", CoreAction.ManagePipelines, h => h.Get<IPipelineService>().UpdatePipelineAsync(Guid.NewGuid(), new SavedPipelineRequest("nightly", new PipelineOptions()))),
        new("IPipelineService.DeletePipelineAsync", CoreAction.ManagePipelines, h => h.Get<IPipelineService>().DeletePipelineAsync(Guid.NewGuid())),
        new("IPipelineService.StartPipelineAsync", CoreAction.RunPipeline, h => h.Get<IPipelineService>().StartPipelineAsync(Guid.NewGuid())),
        new("IQueryService.RunAsync", CoreAction.RunQuery, h => h.Get<IQueryService>().RunAsync(new QueryRunRequest("SELECT 1 AS one"))),
        new("IQueryService.ExportAsync", CoreAction.RunQuery, h => h.Get<IQueryService>().ExportAsync(new QueryRunRequest("SELECT 1 AS one"), new QueryCsvWriter(new StringWriter()))),
        new("IQueryService.HistoryAsync", CoreAction.View, h => h.Get<IQueryService>().HistoryAsync()),
        new("IQueryService.GetHistoryAsync", CoreAction.View, h => h.Get<IQueryService>().GetHistoryAsync(Guid.NewGuid())),
        new("IQueryService.SavedAsync", CoreAction.View, h => h.Get<IQueryService>().SavedAsync()),
        new("IQueryService.GetSavedAsync", CoreAction.View, h => h.Get<IQueryService>().GetSavedAsync("none")),
        new("IQueryService.SaveAsync", CoreAction.SaveQuery, h => h.Get<IQueryService>().SaveAsync("mine", "", "SELECT 1 AS one")),
        new("IQueryService.DeleteSavedAsync", CoreAction.DeleteSavedQuery, h => h.Get<IQueryService>().DeleteSavedAsync("none")),
        new("IOverviewService.GetKpisAsync", CoreAction.View, h => h.Get<IOverviewService>().GetKpisAsync()),
        new("IOverviewService.RecentFailuresAsync", CoreAction.View, h => h.Get<IOverviewService>().RecentFailuresAsync()),
        new("IOverviewService.RowsLoadedPerDayAsync", CoreAction.View, h => h.Get<IOverviewService>().RowsLoadedPerDayAsync()),
        new("IOverviewService.JobDurationsAsync", CoreAction.View, h => h.Get<IOverviewService>().JobDurationsAsync(DateTimeOffset.UtcNow.AddDays(-1))),
        new("IOverviewService.ReconcileAsync", CoreAction.View, h => h.Get<IOverviewService>().ReconcileAsync()),
        new("IOverviewService.LineageAsync", CoreAction.View, h => h.Get<IOverviewService>().LineageAsync("customer_data")),
        new("IBackendChecks.RunAsync", CoreAction.CheckBackend, h => h.Get<IBackendChecks>().RunAsync(h.Get<IBackendChecks>().Checks[0].Name)),
        new("IJobRunner.Start", CoreAction.Generate, h => Task.FromResult(h.Get<IJobRunner>().Start(new GenerationJob(Tiny, null)))),
        new("IJobRunner.RetryAsync", CoreAction.RetryRun, h => h.Get<IJobRunner>().RetryAsync(Guid.NewGuid())),
        new("IJobRunner.GetAsync", CoreAction.View, h => h.Get<IJobRunner>().GetAsync(Guid.NewGuid())),
        new("IJobRunner.ListAsync", CoreAction.View, h => h.Get<IJobRunner>().ListAsync(JobRunFilter.All)),
        new("IJobRunner.CancelAsync", CoreAction.CancelRun, h => h.Get<IJobRunner>().CancelAsync(Guid.NewGuid())),
        new("IJobRunner.WatchAsync", CoreAction.View, async h => { await foreach (var _ in h.Get<IJobRunner>().WatchAsync(Guid.NewGuid())) { } }),
        new("IJobRunner.WaitAsync", CoreAction.View, h => h.Get<IJobRunner>().WaitAsync(Guid.NewGuid())),
        new("IWarehouse.InitAsync", CoreAction.InitWarehouse, h => h.Get<IWarehouse>().InitAsync()),
        new("IWarehouse.ListTablesAsync", CoreAction.View, h => h.Get<IWarehouse>().ListTablesAsync()),
        new("IWarehouse.CopyAsync", CoreAction.Load, h => h.Get<IWarehouse>().CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"))),
        new("IWarehouse.ResumeCopyAsync", CoreAction.Load, h => h.Get<IWarehouse>().ResumeCopyAsync(CopyParser.Parse(Copy), "id", new LoadRunContext("test"))),
        new("IWarehouse.LoadsAsync", CoreAction.View, h => h.Get<IWarehouse>().LoadsAsync(new LoadFilter())),
        new("IWarehouse.GetLoadAsync", CoreAction.View, h => h.Get<IWarehouse>().GetLoadAsync(1)),
        new("IWarehouse.ErrorsAsync", CoreAction.View, h => h.Get<IWarehouse>().ErrorsAsync(1)),
        new("IWarehouse.QueryAsync", CoreAction.RunQuery, h => h.Get<IWarehouse>().QueryAsync("SELECT 1 AS one")),
        new("ICatalog.ListDatabasesAsync", CoreAction.View, h => h.Get<ICatalog>().ListDatabasesAsync()),
        new("ICatalog.ListTablesAsync", CoreAction.View, h => h.Get<ICatalog>().ListTablesAsync()),
        new("ICatalog.GetTableAsync", CoreAction.View, h => h.Get<ICatalog>().GetTableAsync("ecom", "none")),
        new("ICatalog.GetPartitionsAsync", CoreAction.View, h => h.Get<ICatalog>().GetPartitionsAsync("ecom", "none")),
        new("ICatalog.GetVersionsAsync", CoreAction.View, h => h.Get<ICatalog>().GetVersionsAsync("ecom", "none")),
    ];

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));
}
