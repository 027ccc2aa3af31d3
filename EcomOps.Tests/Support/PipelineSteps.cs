using EcomOps.Core.Catalog;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Support;

/// <summary>The pipeline steps tests take on the way to what they test, through Core's services, each checked to succeed.</summary>
public static class PipelineSteps
{
    /// <summary>Converts the three datasets' raw CSVs, transactions_data by month unless told otherwise.</summary>
    public static async Task ConvertAllAsync(this IServiceProvider services, bool byMonth = true)
    {
        var runner = services.GetRequiredService<IJobRunner>();
        var options = new ConversionOptions(Partitioning: byMonth ? Partitioning.Month : Partitioning.None);
        foreach (var run in services.GetRequiredService<IConversionService>().StartConversion(options, ["customer_data", "catalog_data", "transactions_data"]))
        {
            var done = await runner.WaitAsync(run.Id);
            Assert.True(done.Status == JobStatus.Succeeded, $"{done.Title}: {done.Status}: {done.Error}");
        }
    }

    /// <summary>Crawls the lake (default options) and returns the finished run.</summary>
    public static async Task<JobRun> CrawlAsync(this IServiceProvider services, CrawlOptions? options = null)
    {
        var run = services.GetRequiredService<ICatalogService>().StartCrawl(options ?? new CrawlOptions());
        return await services.GetRequiredService<IJobRunner>().WaitAsync(run.Id);
    }
}
