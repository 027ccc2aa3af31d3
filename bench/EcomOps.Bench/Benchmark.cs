namespace EcomOps.Bench;

/// <summary>
/// One subcommand. A new benchmark (conversion, upload, query) is a class with a RunAsync like
/// <see cref="GenerationBenchmark.RunAsync"/> plus one line in <see cref="All"/>.
/// </summary>
/// <param name="RunAsync">Runs with the options after the command; returns the exit code (0 when every check passed).</param>
internal sealed record Benchmark(
    string Command,
    string Usage,
    Func<BenchArguments, BenchReport, CancellationToken, Task<int>> RunAsync)
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new(GenerationBenchmark.Command, GenerationBenchmark.Usage, GenerationBenchmark.RunAsync),
        new(ConversionBenchmark.Command, ConversionBenchmark.Usage, ConversionBenchmark.RunAsync),
        new(UploadBenchmark.Command, UploadBenchmark.Usage, UploadBenchmark.RunAsync),
        new(CrawlBenchmark.Command, CrawlBenchmark.Usage, CrawlBenchmark.RunAsync),
        new(QueryBenchmark.Command, QueryBenchmark.Usage, QueryBenchmark.RunAsync),
        new(WarehouseBenchmark.Command, WarehouseBenchmark.Usage, WarehouseBenchmark.RunAsync),
        new(PipelineBenchmark.Command, PipelineBenchmark.Usage, PipelineBenchmark.RunAsync),
        new(AwsBenchmark.Command, AwsBenchmark.Usage, AwsBenchmark.RunAsync),
    ];
}
