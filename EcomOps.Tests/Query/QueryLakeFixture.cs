using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Query;

/// <summary>The query contract tests' lake: generated, converted (transactions by month) and crawled once, on the Local backend.</summary>
[CollectionDefinition(Name)]
public sealed class QueryLakeCollection : ICollectionFixture<QueryLakeFixture>
{
    public const string Name = "query lake";
}

/// <summary>One lake and catalog the local engine, and the Athena stand-in through it, answer from.</summary>
public sealed class QueryLakeFixture : IAsyncLifetime
{
    /// <summary>Rows of transactions_data: more than three pages of Athena's 1,000 rows.</summary>
    public const int Transactions = 3_000;

    // A long time limit: the stand-in's held queries run until they are stopped, not until the local limit.
    public CoreHost Host { get; } = new(configuration: new() { ["EcomOps:Query:TimeoutSeconds"] = "120" });

    /// <summary>The local engine (DuckDB) over the lake.</summary>
    public IQueryEngine LocalEngine => Host.Get<IQueryEngine>();

    /// <summary>The Parquet folder of a dataset, for reading it without the engines.</summary>
    public string Parquet(string dataset) => Path.Combine(Host.LakePath, "parquet", dataset);

    public async Task InitializeAsync()
    {
        await Host.Get<IGenerationService>().GenerateAsync(new GenerationOptions(200, 20, Transactions));
        await Host.Services.ConvertAllAsync();
        Assert.Equal(JobStatus.Succeeded, (await Host.Services.CrawlAsync()).Status);
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }
}
