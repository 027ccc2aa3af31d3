using System.Diagnostics;
using System.Globalization;
using System.Text;
using EcomOps.Cli;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Cli;

/// <summary>
/// A load killed mid-COPY (SIGKILL, no cleanup) leaves the table as it was; the next process to open the warehouse
/// marks the dead load aborted, and COPY works again.
/// </summary>
public sealed class WarehouseCrashTests : IDisposable
{
    private const string Role = "IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy'";
    private const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";
    private const int FirstBatch = 1_000;
    // About 4 s of loading here: the last kill comes 1.5 s after the first rows, plus however late a busy test process sees them.
    private const int BigRows = 4_000_000;

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string DataRoot => _root.Path;

    private string Lake(params string[] parts) => _root.Lake(parts);

    [Fact]
    public async Task KilledMidLoad_LeavesTheTableAsBefore_TheLoadIsAbortedOnNextOpen_AndCopyWorksAgain()
    {
        WriteCsv(Lake("raw", "first", "transactions.csv"), 1, FirstBatch);
        WriteCsv(Lake("raw", "big", "transactions.csv"), 1_000_000, BigRows);
        WriteCsv(Lake("raw", "after", "transactions.csv"), 5_000_000, 10);
        var first = await RunAsync("warehouse", "copy", "--sql", Copy("first"));
        Assert.True(first.Code == 0, first.Stderr);

        // The dashboard: up before the kills and still up after them, so it initialized the warehouse only once.
        using var dashboard = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
        Assert.Single(await dashboard.Get<IWarehouse>().LoadsAsync(new LoadFilter()));

        // Killed as soon as rows are being appended, a little later, and later still: each leaves the table as it was.
        foreach (var delay in new[] { 0, 600, 1500 })
        {
            var progress = await KillMidLoadAsync(TimeSpan.FromMilliseconds(delay));

            // The monitoring query the dashboard runs first, then a restart (a new process through Core's services).
            var running = await dashboard.Get<IWarehouse>().QueryAsync("SELECT count(*) FROM sys_load_history WHERE status = 'running'");
            Assert.True(0L.Equals(running.Rows[0][0]), $"killed at '{progress}': the dashboard sees {running.Rows[0][0]} loads running");
            using var restarted = new CoreHost(configuration: new() { ["EcomOps:DataRoot"] = DataRoot });
            foreach (var warehouse in new[] { dashboard.Get<IWarehouse>(), restarted.Get<IWarehouse>() })
            {
                var table = (await warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data");
                Assert.True(FirstBatch == table.Rows, $"killed at '{progress}': the table has {table.Rows} rows, not the first batch's {FirstBatch}");
                var killed = (await warehouse.LoadsAsync(new LoadFilter()))[0];
                Assert.True(killed.Status == LoadStatus.Aborted, $"killed at '{progress}': the load's line says {killed.Status}");
                Assert.Equal(("s3://ecomops-lake/raw/big/", 0L), (killed.DataSource, killed.LoadedRows));
            }
        }

        // A new COPY works, from the CLI and from the dashboard's process.
        var after = await RunAsync("warehouse", "copy", "--sql", Copy("after"));
        Assert.True(after.Code == 0, after.Stderr);
        var again = await dashboard.Get<IWarehouse>().CopyAsync(CopyParser.Parse(Copy("first")), new LoadRunContext("test"));
        Assert.Equal((LoadStatus.Completed, (long)FirstBatch), (again.Status, again.LoadedRows));
        var loads = await dashboard.Get<IWarehouse>().LoadsAsync(new LoadFilter());
        Assert.Equal(FirstBatch + 10 + FirstBatch, (await dashboard.Get<IWarehouse>().ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
        Assert.Equal(
            [LoadStatus.Completed, LoadStatus.Completed, LoadStatus.Aborted, LoadStatus.Aborted, LoadStatus.Aborted, LoadStatus.Completed],
            loads.Select(l => l.Status));
    }

    private static string Copy(string folder) => $"COPY transactions_data FROM 's3://ecomops-lake/raw/{folder}/' {Role} CSV IGNOREHEADER 1 TIMEFORMAT 'auto'";

    // Starts the load in its own process, waits until rows are going in (the run's progress on stderr), waits the delay, kills it.
    private async Task<string> KillMidLoadAsync(TimeSpan delay)
    {
        using var process = CliBinary.Start(["--data-root", DataRoot, "warehouse", "copy", "--sql", Copy("big")]);
        var loading = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (stderr)
            {
                stderr.AppendLine(line);
            }

            // The load step begins with the first rows appended, after the running line is committed.
            if (line.StartsWith($"{LoadJobHandler.LoadStep}:", StringComparison.Ordinal) && line.Contains("(Running)", StringComparison.Ordinal))
            {
                loading.TrySetResult(line);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var line = await loading.Task.WaitAsync(TimeSpan.FromSeconds(90));
            await Task.Delay(delay);
            Assert.False(process.HasExited, $"the load finished before it could be killed ({delay.TotalMilliseconds} ms after '{line}'); give it more rows. {stderr}");
            return string.Create(CultureInfo.InvariantCulture, $"{line} + {delay.TotalMilliseconds} ms");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static void WriteCsv(string path, long firstId, int rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(Header);
        writer.Write('\n');
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (var i = 0; i < rows; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{firstId + i},{i % 5000},{i % 700},{start.AddSeconds(i * 13L):yyyy-MM-dd HH:mm:ss},{i % 10_000 / 100m:0.00},{(i % 3 == 0 ? "Chile" : "Peru")}\n"));
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
