using EcomOps.Cli;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Cli;

public sealed class PipelineCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task PipelineRun_GeneratesConvertsCrawlsAndLoads_AndPipelineLsListsTheRunWithItsSteps()
    {
        var run = await RunAsync("pipeline", "run", "--steps", "generate,convert,crawl,load", "--customers", "100", "--products", "20", "--transactions", "3000", "--seed", "5");

        Assert.True(run.Code == 0, run.Stderr);
        foreach (var step in new[] { "generate", "convert", "crawl", "load" })
        {
            Assert.Contains($"\n{step,-8}  Succeeded", "\n" + run.Stdout);
            Assert.Contains($"pipeline: {step} succeeded", run.Stderr);
        }

        Assert.Contains("  generate transactions_data: 3,000 / 3,000 rows", run.Stderr);
        var id = run.Stdout.Split("pipeline run ")[1][..36];
        Assert.Contains($"pipeline run {id} Succeeded", run.Stdout);

        var count = await RunAsync("warehouse", "query", "--sql", "SELECT count(*) AS n FROM transactions_data");
        Assert.Contains("3000", count.Stdout);

        var ls = await RunAsync("pipeline", "ls");
        Assert.Equal(0, ls.Code);
        var line = Assert.Single(ls.Stdout.Split('\n'), l => l.StartsWith(id[..8], StringComparison.Ordinal));
        Assert.Contains("Succeeded", line);
        Assert.EndsWith("generate:Succeeded convert:Succeeded crawl:Succeeded load:Succeeded", line.TrimEnd());

        // The pipeline and its steps are runs of the shared history.
        var jobs = await RunAsync("jobs", "ls", "--kind", "pipeline");
        Assert.Contains(id[..8], jobs.Stdout);
    }

    [Fact]
    public async Task PipelineRetry_OfAFailedRun_RunsFromTheFailedStep_AndReusesTheUpload()
    {
        var sources = _dir.Combine("sources");
        Directory.CreateDirectory(sources);
        foreach (var dataset in new[] { "customer_data", "catalog_data", "transactions_data" })
        {
            File.Copy(Path.Combine(RepoPaths.SampleData, dataset + ".csv"), Path.Combine(sources, dataset + ".csv"));
        }

        // A bad amount past the rows the upload checks: the conversion, allowed no bad rows, refuses it.
        var lines = File.ReadAllLines(Path.Combine(sources, "transactions_data.csv"));
        var fields = lines[3_000].Split(',');
        fields[4] = "lots";
        lines[3_000] = string.Join(',', fields);
        File.WriteAllLines(Path.Combine(sources, "transactions_data.csv"), lines);

        var failed = await RunAsync("pipeline", "run", "--steps", "convert,load", "--source", sources, "--max-errors", "0");

        Assert.Equal(1, failed.Code);
        Assert.Contains($"\n{"upload",-8}  Succeeded", "\n" + failed.Stdout);
        Assert.Contains($"\n{"convert",-8}  Failed", "\n" + failed.Stdout);
        Assert.Contains($"\n{"load",-8}  Skipped", "\n" + failed.Stdout);
        var id = failed.Stdout.Split("pipeline run ")[1][..36];
        Assert.Contains($"ecomops pipeline retry {id}", failed.Stderr);
        Assert.Contains("pipeline: convert failed", failed.Stderr);
        Assert.Contains("pipeline: load skipped", failed.Stderr);

        var fix = await RunAsync("lake", "upload", Path.Combine(RepoPaths.SampleData, "transactions_data.csv"), "--dataset", "transactions_data", "--overwrite");
        Assert.True(fix.Code == 0, fix.Stderr);
        var retry = await RunAsync("pipeline", "retry", id[..8]);

        Assert.True(retry.Code == 0, retry.Stderr);
        Assert.Contains($"Retrying {id} from step convert", retry.Stderr);
        Assert.Contains($"from pipeline run {id[..8]}", Assert.Single(retry.Stdout.Split('\n'), l => l.StartsWith("upload ", StringComparison.Ordinal)));
        Assert.Contains($"\n{"upload",-8}  Reused", "\n" + retry.Stdout);
        Assert.DoesNotContain("  upload ", retry.Stderr);
        Assert.Contains("pipeline: upload reused", retry.Stderr);
        Assert.DoesNotContain("pipeline: upload running", retry.Stderr);
        Assert.Contains($"\n{"load",-8}  Succeeded", "\n" + retry.Stdout);
        Assert.Contains("10000", (await RunAsync("warehouse", "query", "--sql", "SELECT count(*) AS n FROM transactions_data")).Stdout);

        var ls = await RunAsync("pipeline", "ls");
        Assert.Contains("(fixed by a retry)", Assert.Single(ls.Stdout.Split('\n'), l => l.StartsWith(id[..8], StringComparison.Ordinal)));
        var hidden = await RunAsync("pipeline", "ls", "--hide-fixed");
        Assert.DoesNotContain(hidden.Stdout.Split('\n'), l => l.StartsWith(id[..8], StringComparison.Ordinal));

        var retried = retry.Stdout.Split("pipeline run ")[^1][..36];
        var again = await RunAsync("pipeline", "retry", retried);
        Assert.Equal(2, again.Code);
        Assert.Contains("there is no failed step to retry from", again.Stderr);
    }

    [Theory]
    [InlineData("--steps: unknown step 'sing'", "run", "--steps", "generate,sing")]
    [InlineData("--customers applies to the generate step; add generate to --steps", "run", "--steps", "convert", "--customers", "5")]
    [InlineData("give a source folder", "run", "--steps", "upload,convert")]
    [InlineData("Unknown dataset 'orders'", "run", "--steps", "convert", "--datasets", "orders")]
    [InlineData("Transactions must be between 1 and", "run", "--transactions", "0")]
    [InlineData("--partition-by takes month or none; got 'day'", "run", "--partition-by", "day")]
    [InlineData("no pipeline run 'deadbeef'", "retry", "deadbeef")]
    public async Task Pipeline_BadInput_ExitsWith2_SayingWhatIsWrong_AndStartsNothing(string message, params string[] args)
    {
        var (code, _, stderr) = await RunAsync(["pipeline", .. args]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Contains("No runs match.", (await RunAsync("jobs", "ls")).Stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
