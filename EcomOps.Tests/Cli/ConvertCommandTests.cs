using System.Diagnostics;
using EcomOps.Cli;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Cli;

public sealed class ConvertCommandTests : IDisposable
{
    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Lake(params string[] parts) => _root.Lake(parts);

    [Fact]
    public async Task ConvertAll_WritesParquetThatDuckDbReads_AndTheRunsAreInJobsLs()
    {
        Assert.Equal(0, (await RunAsync("generate", "--customers", "100", "--products", "20", "--transactions", "3000")).Code);

        var convert = await RunAsync("convert", "--all", "--partition-by", "month", "--compression", "zstd");

        Assert.True(convert.Code == 0, convert.Stderr);
        Assert.Contains("transactions_data\tSucceeded\t3000 rows read\t3000 written\t0 rejected", convert.Stdout);
        using var duck = new DuckDb();
        Assert.Equal(3000, duck.Long($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Lake("parquet", "transactions_data") + "/**/*.parquet")}, hive_partitioning = true)"));
        Assert.Equal(100, duck.Long($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Lake("parquet", "customer_data") + "/*.parquet")})"));

        var ls = await RunAsync("jobs", "ls", "--kind", "convert");
        Assert.Equal(3, ls.Stdout.Split('\n').Count(l => l.Contains("Succeeded", StringComparison.Ordinal)));
        var id = ls.Stdout.Split('\n')[1][..8];
        var show = await RunAsync("jobs", "show", id);
        Assert.Contains("Parameter:   compression = zstd", show.Stdout);
        Assert.Contains($"Started by:  {Environment.UserName}", show.Stdout);
    }

    [Fact]
    public async Task Convert_WithTooManyBadRows_Fails_CommitsNothing_AndPointsAtTheQuarantine()
    {
        Directory.CreateDirectory(Lake("raw", "customer_data"));
        await File.WriteAllBytesAsync(Lake("raw", "customer_data", "bad.csv"), CsvCorpus.Lines(
            CsvCorpus.CustomersHeader, "1,a,a@x.com,c,2024-01-01", "2,b,b@x.com,c,bad", "3,c,c@x.com,c,worse"));

        var (code, _, stderr) = await RunAsync("convert", "--dataset", "customer_data", "--max-errors", "1");

        Assert.Equal(1, code);
        Assert.Contains("rejected rows are in quarantine/customer_data/", stderr);
        Assert.False(Directory.Exists(Lake("parquet", "customer_data")));
    }

    [Theory]
    [InlineData("error: give either --dataset NAME or --all.")]
    [InlineData("Unknown dataset 'orders'", "--dataset", "orders")]
    [InlineData("--partition-by takes 'month'; got 'day'", "--all", "--partition-by", "day")]
    [InlineData("Partitioning by month applies to transactions_data only", "--dataset", "catalog_data", "--partition-by", "month")]
    public async Task Convert_BadOptions_ExitWith2(string message, params string[] options)
    {
        var (code, _, stderr) = await RunAsync(["convert", .. options]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task JobsCancel_OfAFinishedOrUnknownRun_SaysSo()
    {
        var unknown = await RunAsync("jobs", "cancel", "deadbeef");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no run 'deadbeef'", unknown.Stderr);

        await RunAsync("generate", "--customers", "5", "--products", "5", "--transactions", "5");
        var id = (await RunAsync("jobs", "ls")).Stdout.Split('\n')[1][..8];
        var finished = await RunAsync("jobs", "cancel", id);
        Assert.Equal(2, finished.Code);
        Assert.Contains("has already finished (Succeeded)", finished.Stderr);
    }

    [Fact]
    public async Task KilledMidConversion_PreviousOutputStaysReadable_AndTheRunIsInterruptedAfterRestart()
    {
        // A complete previous output, then a much larger input whose conversion is killed halfway.
        Assert.Equal(0, (await RunAsync("generate", "--customers", "50", "--products", "10", "--transactions", "1000")).Code);
        Assert.Equal(0, (await RunAsync("convert", "--dataset", "transactions_data")).Code);
        Assert.Equal(0, (await RunAsync("generate", "--customers", "50", "--products", "10", "--transactions", "6000000")).Code);
        var before = Directory.EnumerateFiles(Lake("parquet", "transactions_data"), "*", SearchOption.AllDirectories).Order().ToList();

        await KillMidConversionAsync();

        Assert.Equal(before, Directory.EnumerateFiles(Lake("parquet", "transactions_data"), "*", SearchOption.AllDirectories).Order().ToList());
        using (var duck = new DuckDb())
        {
            Assert.Equal(1000, duck.Long($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Lake("parquet", "transactions_data") + "/**/*.parquet")})"));
        }

        // The restart: a runner on the same data root finds the dead process's run and the staging it left.
        using var restarted = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
        var run = (await restarted.Get<IJobRunner>().ListAsync(new JobRunFilter(Kind: JobKinds.Convert))).First();
        Assert.Equal(JobStatus.Interrupted, run.Status);
        Assert.Equal(Environment.UserName, run.StartedBy);
        await restarted.Get<IConversionService>().RecoverAsync();
        _ = restarted.Get<EcomOps.Core.Storage.IObjectStore>();
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(DataRoot, "lake", ".staging")));
        Assert.False(Directory.Exists(Lake("_staging")) && Directory.EnumerateFiles(Lake("_staging"), "*", SearchOption.AllDirectories).Any());
        Assert.Equal(before, Directory.EnumerateFiles(Lake("parquet", "transactions_data"), "*", SearchOption.AllDirectories).Order().ToList());
    }

    private async Task KillMidConversionAsync()
    {
        var cliBin = AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}EcomOps.Tests{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}EcomOps.Cli{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(cliBin, "ecomops.dll"), "--data-root", DataRoot, "convert", "--dataset", "transactions_data" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var writing = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            // A progress line with bytes read means parts are being written to staging.
            if (e.Data is { } line && line.StartsWith("transactions_data:", StringComparison.Ordinal) && line.Contains("(Running)", StringComparison.Ordinal) && !line.StartsWith("transactions_data: 0 ", StringComparison.Ordinal))
            {
                writing.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await writing.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // Kill mid-run: once Parquet is being written to staging (the first row group is out), before any commit.
            var staging = Path.Combine(DataRoot, "lake", ".staging");
            for (var i = 0; i < 600 && !process.HasExited && !Directory.EnumerateFiles(staging).Any(); i++)
            {
                await Task.Delay(50);
            }

            Assert.False(process.HasExited, "the conversion finished before it could be killed; give it more rows");
            Assert.NotEmpty(Directory.EnumerateFiles(staging));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", DataRoot, .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
