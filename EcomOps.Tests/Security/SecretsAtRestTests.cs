using System.Globalization;
using System.Text;
using Bunit;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using LoadsPage = EcomOps.Web.Components.Pages.Loads;

namespace EcomOps.Tests.Security;

/// <summary>
/// Loads and queries holding AWS keys, through Core and through the CLI as its own process: afterwards no file of the data
/// root (the ops database and its WAL, the warehouse file, the lake), no log line, no CLI output and no rendered page holds
/// a key, and the places that showed one show <c>***</c>.
/// </summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6EXAMPLE";
    private static readonly string[] Secrets = [KeyId, Secret, Token];
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private const string Credentials = $"CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret};token={Token}'";
    private const string CopyWithCredentials = $"COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' {Credentials} CSV IGNOREHEADER 1 TIMEFORMAT 'auto'";
    private const string CopyWithKeyParameters = $"COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}' SESSION_TOKEN '{Token}' CSV IGNOREHEADER 1 TIMEFORMAT 'auto'";

    // A source someone pasted with a key in its path: the load finds no files, and its refusal quotes the source.
    private const string CopyFromKeyedPath = $"COPY transactions_data FROM 's3://ecomops-lake/raw/shared/{KeyId}/' IAM_ROLE default CSV";

    // Statements quoting keys; DuckDB's error for the cast quotes the literal.
    private const string QueryQuotingKeys = $"SELECT 1 AS n WHERE 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}' <> ''";
    private const string QueryFailingOnKey = $"SELECT CAST('{KeyId}' AS INTEGER) AS n";

    private readonly DashboardContext _context = new();
    private readonly LogCollector _logs = new();

    public Task InitializeAsync()
    {
        _context.Services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public async Task CoreLoadsAndQueriesWithKeys_LeaveNoKeyInTheDataRootTheLogsOrTheLoadsPage()
    {
        await _context.Get<IGenerationService>().GenerateAsync(new GenerationOptions(20, 5, 50));
        await _context.Get<IWarehouse>().InitAsync();
        var jobs = _context.Get<IJobRunner>();

        // As the Loads page and the CLI start a load; and as any caller of the runner may, with the COPY as typed.
        var viaService = await jobs.WaitAsync(_context.Get<IWarehouseService>().StartLoad(CopyWithCredentials).Id);
        var viaRunner = await jobs.WaitAsync(jobs.Start(new LoadJob(CopyWithKeyParameters)).Id);
        var refused = await jobs.WaitAsync(_context.Get<IWarehouseService>().StartLoad(CopyFromKeyedPath).Id);
        Assert.Equal(JobStatus.Succeeded, viaService.Status);
        Assert.Equal(JobStatus.Succeeded, viaRunner.Status);
        Assert.Equal(JobStatus.Failed, refused.Status);
        Assert.Contains("s3://ecomops-lake/raw/shared/***/", refused.Error, StringComparison.Ordinal);

        var queries = _context.Get<IQueryService>();
        await queries.RunAsync(new QueryRunRequest(QueryQuotingKeys));
        await queries.RunAsync(new QueryRunRequest(QueryQuotingKeys, Target: QueryTarget.Warehouse));
        var lakeFailure = await Assert.ThrowsAsync<QueryFailedException>(() => queries.RunAsync(new QueryRunRequest(QueryFailingOnKey)));
        var warehouseFailure = await Assert.ThrowsAsync<QueryFailedException>(() => queries.RunAsync(new QueryRunRequest(QueryFailingOnKey, Target: QueryTarget.Warehouse)));
        await queries.SaveAsync("keys", $"uses {KeyId}", QueryQuotingKeys);

        // What people read back: the runs, the history, the saved query, the load history, the failures as shown.
        var shown = new List<string> { lakeFailure.Message, warehouseFailure.Message };
        foreach (var run in await jobs.ListAsync(new JobRunFilter()))
        {
            shown.Add(run.Title);
            shown.Add(run.Error ?? "");
            shown.Add(run.ParametersJson ?? "");
            shown.AddRange(run.Parameters.Values);
            shown.AddRange(run.Results?.Select(r => r.Value) ?? []);
        }

        var history = await queries.HistoryAsync();
        Assert.Equal(4, history.Count);
        shown.AddRange(history.Select(h => h.Sql + " " + h.Error));
        shown.Add((await queries.GetSavedAsync("keys"))!.Sql + (await queries.GetSavedAsync("keys"))!.Description);
        shown.AddRange((await _context.Get<IWarehouse>().LoadsAsync(new LoadFilter())).Select(l => l.DataSource));
        AssertNoSecret("what Core reads back", string.Join('\n', shown));
        Assert.All(history, h => Assert.Contains("***", h.Sql + h.Error, StringComparison.Ordinal));

        // The rendered Loads page, list and detail of the load that carried the keys.
        var queryId = long.Parse(viaService.Results!.Single(r => r.Name == "load (query id)").Value, CultureInfo.InvariantCulture);
        var page = _context.Render<LoadsPage>(p => p.Add(x => x.QueryId, queryId));
        page.WaitForAssertion(() => Assert.Equal("completed", page.Find(".load-detail").GetAttribute("data-status")), Slow);
        // The COPY as its run kept it: canonical, the keys' parameters named and their values masked.
        var kept = page.Find(".load-detail .load-copy").TextContent;
        Assert.Contains("SECRET_ACCESS_KEY '***'", kept, StringComparison.Ordinal);
        Assert.Contains("SESSION_TOKEN '***'", kept, StringComparison.Ordinal);
        AssertNoSecret("the Loads page", page.Markup);

        AssertNoSecret("the log", string.Join('\n', _logs.Entries.Select(e => e.Message + " " + e.Exception)));
        await _context.StopServicesAsync();
        AssertNoSecretInFiles(_context.DataRoot);
    }

    [Fact]
    public async Task CliLoadsAndQueriesWithKeys_PrintNoKey_AndLeaveNoneInTheDataRoot()
    {
        var data = Path.Combine(_context.DataRoot, "cli-data");
        var outputs = new List<string>();
        async Task<(int Code, string Stdout, string Stderr)> Cli(params string[] args)
        {
            var result = await CliBinary.RunAsync(["--data-root", data, .. args], _context.DataRoot);
            // The command's name only: its arguments hold the keys on purpose.
            outputs.Add($"ecomops {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}\n{result.Stdout}\n{result.Stderr}");
            return result;
        }

        Assert.Equal(0, (await Cli("generate", "--customers", "20", "--products", "5", "--transactions", "50")).Code);
        Assert.Equal(0, (await Cli("warehouse", "init")).Code);
        var copy = await Cli("warehouse", "copy", "--sql", CopyWithCredentials);
        Assert.True(copy.Code == 0, copy.Stderr);
        var refused = await Cli("warehouse", "copy", "--sql", CopyFromKeyedPath);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("raw/shared/***/", refused.Stderr, StringComparison.Ordinal);
        var failed = await Cli("warehouse", "query", "--sql", QueryFailingOnKey);
        Assert.NotEqual(0, failed.Code);
        Assert.Contains("'***'", failed.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await Cli("query", "--sql", QueryFailingOnKey)).Code);
        var history = await Cli("query", "history");
        Assert.Contains("CAST('***' AS INTEGER)", history.Stdout, StringComparison.Ordinal);
        var loads = await Cli("warehouse", "loads");
        Assert.Contains("s3://ecomops-lake/raw/transactions_data/", loads.Stdout, StringComparison.Ordinal);
        var jobs = await Cli("jobs", "ls");

        AssertNoSecret("the CLI's output", string.Join('\n', outputs));
        SqliteConnection.ClearAllPools();
        AssertNoSecretInFiles(data);
    }

    private static void AssertNoSecret(string where, string text)
    {
        foreach (var secret in Secrets)
        {
            var at = text.IndexOf(secret, StringComparison.Ordinal);
            Assert.True(at < 0, $"{where} holds {secret}: ...{text[Math.Max(0, at - 120)..Math.Min(text.Length, at + secret.Length + 40)]}...");
        }
    }

    // Every byte of every file: the SQLite database and its -wal, the DuckDB file and its .wal, the lake.
    private static void AssertNoSecretInFiles(string root)
    {
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Path.GetFileName(f) == "ops.db");
        Assert.Contains(files, f => Path.GetFileName(f) == "warehouse.duckdb");
        foreach (var file in files)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            foreach (var secret in Secrets)
            {
                foreach (var encoded in new[] { Encoding.UTF8.GetBytes(secret), Encoding.Unicode.GetBytes(secret) })
                {
                    Assert.True(bytes.AsSpan().IndexOf(encoded) < 0, $"{Path.GetRelativePath(root, file)} holds {secret}");
                }
            }
        }
    }
}
