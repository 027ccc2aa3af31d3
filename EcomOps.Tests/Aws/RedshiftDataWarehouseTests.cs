using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcomOps.Core.Security;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws;

/// <summary>
/// What only the Redshift warehouse does: the Data API requests it sends (checked against redshift-data.service-2.json),
/// its target, its parameters, paging, cancellation, following a load again after a restart, and AWS's errors.
/// </summary>
public sealed class RedshiftDataWarehouseTests : IDisposable
{
    private const string Header = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";
    private const string Good1 = "1,10,100,2024-03-01 10:00:00,12.50,Chile";
    private const string Good2 = "2,10,101,2024-03-01 11:00:00,3.00,Peru";
    private const string Copy = "COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' CSV IGNOREHEADER 1";

    private readonly CoreHost _host = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private RedshiftOnLoopback Redshift(IDictionary<string, string?>? target = null, int pageSize = 3)
    {
        var redshift = new RedshiftOnLoopback(_host, target, pageSize);
        _owned.Add(redshift);
        return redshift;
    }

    [Fact]
    public async Task EveryRequest_IsOneTheDataApiModelAccepts()
    {
        var redshift = Redshift();
        var warehouse = redshift.Warehouse;
        await warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,x,100,2024-03-01 10:00:00,3.00,Peru");
        var aborted = await warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"));
        await warehouse.CopyAsync(CopyParser.Parse(Copy + " MAXERROR 1"), new LoadRunContext("test", ReplaceRows: true));
        await warehouse.LoadsAsync(new LoadFilter(LoadStatus.Aborted, "transactions_data", DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(1)));
        await warehouse.ErrorsAsync(aborted.QueryId);
        await warehouse.ListTablesAsync();
        await warehouse.QueryAsync("SELECT * FROM sys_load_history");

        var model = AwsModel.For(AwsService.RedshiftData);
        var operations = redshift.StandIn.Endpoint.Requests.Select(RedshiftDataStandIn.Operation).ToHashSet();
        Assert.Superset(new HashSet<string> { "ExecuteStatement", "BatchExecuteStatement", "DescribeStatement", "GetStatementResult" }, operations);
        foreach (var request in redshift.StandIn.Endpoint.Requests)
        {
            var operation = RedshiftDataStandIn.Operation(request);
            Assert.Equal("RedshiftData." + operation, request.Header("X-Amz-Target"));
            Assert.True(model.HasOperation(operation), operation);
            using var body = JsonDocument.Parse(request.Body);
            Assert.Empty(model.Validate(body.RootElement, model.InputShape(operation)));
            // The model's constraints the shape check leaves out: names of [0-9a-zA-Z_]+, values of at least one character.
            if (body.RootElement.TryGetProperty("Parameters", out var list))
            {
                Assert.NotEqual(0, list.GetArrayLength());
                foreach (var parameter in list.EnumerateArray())
                {
                    Assert.Matches("^[0-9a-zA-Z_]+$", parameter.GetProperty("name").GetString());
                    Assert.NotEmpty(parameter.GetProperty("value").GetString()!);
                }
            }
        }
    }

    [Fact]
    public async Task TheStandInsAnswers_AreShapedAsTheModelSays()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,x,100,2024-03-01 10:00:00,3.00,Peru");
        var outcome = await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy + " MAXERROR 1"), new LoadRunContext("test", ReplaceRows: true));
        await redshift.Warehouse.ErrorsAsync(outcome.QueryId);
        await redshift.Warehouse.QueryAsync("SELECT TransactionID, Amount, Timestamp, Country, true AS flag, 1.5::DOUBLE AS ratio, NULL AS nothing FROM transactions_data");

        var model = AwsModel.For(AwsService.RedshiftData);
        var answers = redshift.StandIn.Answers.Where(a => a.Answer.Status == 200).ToList();
        Assert.Superset(new HashSet<string> { "ExecuteStatement", "BatchExecuteStatement", "DescribeStatement", "GetStatementResult" }, answers.Select(a => a.Operation).ToHashSet());
        foreach (var (operation, answer) in answers)
        {
            using var body = JsonDocument.Parse(answer.Body);
            Assert.Empty(model.Validate(body.RootElement, model.OutputShape(operation)));
        }
    }

    public static TheoryData<string, string[], string[]> Targets() => new()
    {
        { "", ["WorkgroupName=ecomops", "Database=dev"], ["ClusterIdentifier", "DbUser", "SecretArn"] },
        { "WorkgroupName=analytics", ["WorkgroupName=analytics"], ["ClusterIdentifier", "DbUser", "SecretArn"] },
        { "WorkgroupName=analytics|SecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:rs-AbCdEf", ["WorkgroupName=analytics", "SecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:rs-AbCdEf"], ["ClusterIdentifier", "DbUser"] },
        { "ClusterIdentifier=ecomops-prod|DbUser=loader", ["ClusterIdentifier=ecomops-prod", "DbUser=loader"], ["WorkgroupName", "SecretArn"] },
        { "ClusterIdentifier=ecomops-prod|SecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:rs-AbCdEf", ["ClusterIdentifier=ecomops-prod", "SecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:rs-AbCdEf"], ["WorkgroupName", "DbUser"] },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Statements_GoToTheConfiguredWorkgroupOrCluster(string settings, string[] sent, string[] absent)
    {
        var target = settings.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(p => "EcomOps:Aws:Redshift:" + p[..p.IndexOf('=')], p => (string?)p[(p.IndexOf('=') + 1)..]);
        var redshift = Redshift(target);

        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);
        await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test", ReplaceRows: true));

        var submitted = redshift.StandIn.Submitted;
        Assert.Contains(submitted, s => s.Sqls.Count > 1);
        Assert.All(submitted, s =>
        {
            foreach (var member in sent)
            {
                Assert.Equal(member[(member.IndexOf('=') + 1)..], (string?)s.Request[member[..member.IndexOf('=')]]);
            }

            Assert.All(absent, member => Assert.False(s.Request.ContainsKey(member), $"{member} sent to {settings}"));
        });
    }

    [Fact]
    public async Task Init_CreatesATablesOwnSchemaFirst()
    {
        using var ddl = new TempDirectory();
        var path = Path.Combine(ddl.Path, "ddl.sql");
        await File.WriteAllTextAsync(path, "CREATE TABLE sales.orders (OrderID BIGINT NOT NULL, Amount DECIMAL(12,2)) DISTSTYLE AUTO;");
        using var host = new CoreHost(configuration: new() { ["EcomOps:Warehouse:DdlPath"] = path });
        using var redshift = new RedshiftOnLoopback(host);

        Assert.Equal(["sales.orders"], await redshift.Warehouse.InitAsync());

        var batch = Assert.Single(redshift.StandIn.Submitted, s => s.Sqls.Count > 1);
        Assert.Equal(["CREATE SCHEMA IF NOT EXISTS \"sales\"", "CREATE TABLE IF NOT EXISTS sales.orders (OrderID BIGINT NOT NULL, Amount DECIMAL(12,2)) DISTSTYLE AUTO"], batch.Sqls);
        var table = Assert.Single(await redshift.Warehouse.ListTablesAsync());
        Assert.Equal(("sales", "orders", 0L), (table.Schema, table.Name, table.Rows));
    }

    [Fact]
    public async Task LoadFilters_AreSqlParameters_NeverPartOfTheSql()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        var since = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        var loads = await redshift.Warehouse.LoadsAsync(new LoadFilter("aborted", "x' OR '1'='1", since, since.AddDays(1)));
        await redshift.Warehouse.ErrorsAsync(4242);

        Assert.Empty(loads);
        var filter = redshift.StandIn.Submitted.Single(s => s.Sqls[0].Contains("sys_load_history", StringComparison.Ordinal));
        Assert.Equal(
            new Dictionary<string, string> { ["status"] = "aborted", ["table"] = "x' or '1'='1", ["since"] = "2024-01-02 03:04:05.000000", ["until"] = "2024-01-03 03:04:05.000000" },
            filter.Parameters);
        Assert.DoesNotContain("'1'='1", filter.Sqls[0], StringComparison.Ordinal);
        Assert.DoesNotContain("2024-01-02", filter.Sqls[0], StringComparison.Ordinal);
        var errors = redshift.StandIn.Submitted.Single(s => s.Sqls[0].Contains("stl_load_errors", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["id"] = "4242" }, errors.Parameters);
        Assert.DoesNotContain("4242", errors.Sqls[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_AreReadPageByPage_UpToTheRowLimit()
    {
        var redshift = Redshift(pageSize: 2);
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2, "3,10,100,2024-03-01 10:00:00,1.00,Chile", "4,10,100,2024-03-01 10:00:00,1.00,Chile", "5,10,100,2024-03-01 10:00:00,1.00,Chile");
        await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"));

        var all = await redshift.Warehouse.QueryAsync("SELECT TransactionID, Amount, Timestamp FROM transactions_data ORDER BY 1");
        var first = await redshift.Warehouse.QueryAsync("SELECT TransactionID FROM transactions_data ORDER BY 1", maxRows: 3);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], all.Rows.Select(r => r[0]));
        Assert.False(all.Truncated);
        Assert.Equal(["bigint", "decimal(10,2)", "timestamp"], all.Columns.Select(c => c.Type));
        Assert.Equal((12.50m, new DateTime(2024, 3, 1, 10, 0, 0)), (all.Rows[0][1], all.Rows[0][2]));
        var statement = redshift.StandIn.Submitted.Single(s => s.Sqls[0].StartsWith("SELECT TransactionID, Amount", StringComparison.Ordinal));
        var pages = redshift.StandIn.Endpoint.Requests
            .Where(r => RedshiftDataStandIn.Operation(r) == "GetStatementResult" && r.Body.Contains(statement.Id, StringComparison.Ordinal))
            .Select(r => (string?)JsonNode.Parse(r.Body)!["NextToken"]);
        Assert.Equal([null, "2", "4"], pages);
        Assert.Equal([1L, 2L, 3L], first.Rows.Select(r => r[0]));
        Assert.True(first.Truncated);
    }

    [Fact]
    public async Task OnACluster_WhereTheStatementsQueryIdIsSTLs_TheLoadIsFoundByItsSession()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,ten,100,2024-03-01 10:00:00,3.00,Peru");
        redshift.StandIn.QueryIdOffset = 500_000;

        var outcome = await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy + " MAXERROR 1"), new LoadRunContext("test"));

        var load = Assert.Single(await redshift.Warehouse.LoadsAsync(new LoadFilter()));
        Assert.Equal((load.QueryId, LoadStatus.Completed, 1L, 1L), (outcome.QueryId, outcome.Status, outcome.LoadedRows, outcome.Errors));
        Assert.Equal([3L], (await redshift.Warehouse.ErrorsAsync(outcome.QueryId)).Select(e => e.LineNumber));
    }

    [Fact]
    public async Task CancellingALoad_CancelsItsStatementOnRedshift()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);
        redshift.StandIn.Holds = sql => sql.StartsWith("COPY", StringComparison.Ordinal);
        using var cancel = new CancellationTokenSource();
        string? remoteId = null;

        var load = redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test") { RemoteStarted = (id, _) => { remoteId = id; return Task.CompletedTask; } }, cancel.Token);
        await Eventually.UntilAsync(() => Task.FromResult(remoteId is not null && redshift.StandIn.Submitted.Any(s => s.Id == remoteId && s.Status == "STARTED")));
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => load);
        var cancelRequest = Assert.Single(redshift.StandIn.Endpoint.Requests, r => RedshiftDataStandIn.Operation(r) == "CancelStatement");
        Assert.Equal(remoteId, (string?)JsonNode.Parse(cancelRequest.Body)!["Id"]);
        Assert.Equal("ABORTED", redshift.StandIn.Submitted.Single(s => s.Id == remoteId).Status);
        Assert.Equal(0, (await redshift.Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
    }

    [Fact]
    public async Task ALoadLeftRunningWhileStopping_IsFollowedAgainByItsStatementId_ToItsOutcome()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2);
        redshift.StandIn.Holds = sql => sql.StartsWith("COPY", StringComparison.Ordinal);
        using var stop = new CancellationTokenSource();
        string? remoteId = null;
        var copy = CopyParser.Parse(Copy);
        var run = new LoadRunContext("test")
        {
            RemoteStarted = (id, _) => { remoteId = id; return Task.CompletedTask; },
            LeaveRemoteRunning = () => true,
        };

        var load = redshift.Warehouse.CopyAsync(copy, run, stop.Token);
        await Eventually.UntilAsync(() => Task.FromResult(remoteId is not null));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => load);
        Assert.DoesNotContain("CancelStatement", redshift.StandIn.Operations);
        redshift.StandIn.Release();

        var outcome = await redshift.Warehouse.ResumeCopyAsync(copy, remoteId!, new LoadRunContext("test"));

        Assert.Equal((LoadStatus.Completed, 2L), (outcome.Status, outcome.LoadedRows));
        Assert.Equal(outcome.QueryId, (await redshift.Warehouse.LoadsAsync(new LoadFilter())).Single().QueryId);
    }

    [Fact]
    public async Task ALoadRun_KeepsTheStatementId_AndHoldsTheRedshiftEngine()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2);
        using var dashboard = new CoreHost(services => services.AddSingleton<IWarehouse>(redshift.Warehouse));

        var started = dashboard.Get<IWarehouseService>().StartLoad(Copy);
        var run = await dashboard.Get<IJobRunner>().WaitAsync(started.Id);

        Assert.Equal(JobStatus.Succeeded, run.Status);
        var copy = redshift.StandIn.Submitted.Single(s => s.Sqls[0].StartsWith("COPY", StringComparison.Ordinal));
        Assert.Equal(copy.Id, run.ExternalId);
        Assert.Equal(2, run.Counts.RowsWritten);
        Assert.Contains(run.Results!, r => r.Name == "rows loaded" && r.Value == "2");
        var step = Assert.Single(run.Steps);
        Assert.Equal(JobStatus.Succeeded, step.Status);
        Assert.Equal(100.0, step.Progress.Percent);
        Assert.True(dashboard.Get<IEnumerable<IJobHandler>>().Single(h => h.Kind == JobKinds.Load).CanResume);
        Assert.Equal([JobResources.Engine("redshift")], dashboard.Get<IEnumerable<IJobHandler>>().Single(h => h.Kind == JobKinds.Load).Plan(new LoadJob(Copy)).AllResources);
    }

    [Fact]
    public async Task ALoadRun_LeftOnRedshiftWhenTheDashboardStops_IsFollowedAgainAfterTheRestart()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, Good2);
        redshift.StandIn.Holds = sql => sql.StartsWith("COPY", StringComparison.Ordinal);
        using var opsRoot = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["EcomOps:DataRoot"] = opsRoot.Path };
        var lifetime = new StoppingLifetime();
        Guid runId;
        using (var before = new CoreHost(services => services.AddSingleton<IWarehouse>(redshift.Warehouse).AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(lifetime), settings))
        {
            runId = before.Get<IWarehouseService>().StartLoad(Copy).Id;
            await Eventually.UntilAsync(async () => (await before.Get<IJobRunner>().GetAsync(runId))?.ExternalId is not null);
            lifetime.StopApplication();
        }

        Assert.DoesNotContain("CancelStatement", redshift.StandIn.Operations);
        redshift.StandIn.Release();
        using var after = new CoreHost(services => services.AddSingleton<IWarehouse>(redshift.Warehouse), settings);

        var run = await after.Get<IJobRunner>().WaitAsync(runId);

        Assert.Equal(JobStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Counts.RowsWritten);
        Assert.Single(redshift.StandIn.Submitted, s => s.Sqls[0].StartsWith("COPY", StringComparison.Ordinal));
        Assert.Equal(2, (await redshift.Warehouse.ListTablesAsync()).Single(t => t.Name == "transactions_data").Rows);
    }

    [Fact]
    public async Task TheCopy_UsesTheStatementsRole_ElseTheSetting_ElseTheDefaultRole()
    {
        var redshift = Redshift();
        var fallback = Redshift(new Dictionary<string, string?>(RedshiftOnLoopback.Cluster) { ["EcomOps:Aws:Redshift:CopyRoleArn"] = null });
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);
        var keys = CopyParser.Parse("COPY transactions_data FROM 's3://ecomops-lake/raw/wh/' ACCESS_KEY_ID 'AKIAEXAMPLE' SECRET_ACCESS_KEY 'wJalrSECRET' CSV IGNOREHEADER 1");

        await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"));
        await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy.Replace(" CSV", " IAM_ROLE 'arn:aws:iam::123456789012:role/other' CSV", StringComparison.Ordinal)), new LoadRunContext("test"));
        await redshift.Warehouse.CopyAsync(CopyParser.Parse(keys.Redacted), new LoadRunContext("test"));
        await fallback.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"));
        var refused = await Assert.ThrowsAsync<LoadRefusedException>(() => fallback.Warehouse.CopyAsync(CopyParser.Parse(keys.Redacted), new LoadRunContext("test")));

        var roles = redshift.StandIn.Submitted.Concat(fallback.StandIn.Submitted).SelectMany(s => s.Copies).Select(c => c.Authorization.ToString()).ToList();
        Assert.Equal([$"IAM_ROLE '{RedshiftOnLoopback.CopyRole}'", "IAM_ROLE 'arn:aws:iam::123456789012:role/other'", $"IAM_ROLE '{RedshiftOnLoopback.CopyRole}'", "IAM_ROLE default"], roles);
        Assert.Contains("EcomOps:Aws:Redshift:CopyRoleArn", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplacingLoad_IsOneBatch_DeleteThenCopy()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1);

        await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test", ReplaceRows: true));

        var batch = Assert.Single(redshift.StandIn.Submitted, s => s.Sqls.Any(q => q.StartsWith("COPY", StringComparison.Ordinal)));
        Assert.Equal(2, batch.Sqls.Count);
        Assert.Equal("DELETE FROM \"public\".\"transactions_data\"", batch.Sqls[0]);
        Assert.StartsWith("COPY transactions_data", batch.Sqls[1], StringComparison.Ordinal);
        Assert.DoesNotContain(redshift.StandIn.Submitted, s => s.Sqls.Count == 1 && s.Sqls[0].StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccessDenied_SaysWhatToAllow_WithTheErrorCodeAndRequestId()
    {
        var redshift = Redshift();
        redshift.StandIn.Override = (operation, _) => operation == "ExecuteStatement"
            ? LoopbackAnswer.Error(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/dash/x is not authorized to perform: redshift-data:ExecuteStatement", "req-denied-7")
            : null;

        var error = await Assert.ThrowsAsync<RedshiftStatementException>(() => redshift.Warehouse.ListTablesAsync());

        Assert.Contains("AccessDeniedException", error.Message, StringComparison.Ordinal);
        Assert.Contains("req-denied-7", error.Message, StringComparison.Ordinal);
        Assert.Contains("cluster 'ecomops-test'", error.Message, StringComparison.Ordinal);
        Assert.Contains("redshift-data:ExecuteStatement", error.Message, StringComparison.Ordinal);
        Assert.Contains("redshift:GetClusterCredentials", error.Message, StringComparison.Ordinal);
        Assert.Single(redshift.StandIn.Endpoint.Requests);
    }

    [Fact]
    public async Task AFailedStatement_SurfacesRedshiftsErrorText()
    {
        var redshift = Redshift();
        await redshift.Warehouse.InitAsync();

        var query = await Assert.ThrowsAsync<QueryFailedException>(() => redshift.Warehouse.QueryAsync("SELECT * FROM no_such_view"));
        var copy = await Assert.ThrowsAsync<LoadRefusedException>(() => redshift.Warehouse.CopyAsync(
            CopyParser.Parse("COPY transactions_data FROM 's3://ecomops-lake/raw/nothing-here/' CSV"), new LoadRunContext("test")));

        Assert.Contains("no_such_view", query.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ERROR:", query.Message, StringComparison.Ordinal);
        Assert.Contains("No files at s3://ecomops-lake/raw/nothing-here/", copy.Message, StringComparison.Ordinal);
        Assert.Contains(redshift.StandIn.Submitted.Last(s => s.Sqls[0].StartsWith("COPY", StringComparison.Ordinal)).Id, copy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnServerless_RejectedRowsComeFromSysLoadErrorDetail_WithoutTheRawLine()
    {
        var redshift = Redshift(RedshiftOnLoopback.Serverless);
        await redshift.Warehouse.InitAsync();
        await PutAsync("raw/wh/transactions.csv", Header, Good1, "2,ten,100,2024-03-01 10:00:00,3.00,Peru");

        var outcome = await redshift.Warehouse.CopyAsync(CopyParser.Parse(Copy), new LoadRunContext("test"));
        var errors = await redshift.Warehouse.ErrorsAsync(outcome.QueryId);

        Assert.Equal(LoadStatus.Aborted, outcome.Status);
        var error = Assert.Single(errors);
        Assert.Equal(("s3://ecomops-lake/raw/wh/transactions.csv", 3L, "customerid", "", ""), (error.FileName, error.LineNumber, error.ColumnName, error.RawLine, error.RawFieldValue));
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorReason));
        Assert.Contains(redshift.StandIn.Submitted, s => s.Sqls[0].Contains("FROM sys_load_error_detail", StringComparison.Ordinal));
        Assert.DoesNotContain(redshift.StandIn.Submitted, s => s.Sqls[0].Contains("stl_load_errors", StringComparison.Ordinal));
    }

    [Fact]
    public void TheAwsBackend_LoadsIntoRedshift()
    {
        using var root = new TempDirectory();
        using var services = S3BackendHost.Build(root.Path, new() { ["EcomOps:Backend"] = "Aws", ["EcomOps:S3:Region"] = "eu-west-1", ["EcomOps:Aws:Region"] = "eu-west-1" });

        var warehouse = Assert.IsType<RedshiftDataWarehouse>(Assert.IsType<CheckedWarehouse>(services.GetRequiredService<IWarehouse>()).Inner);

        Assert.Equal("Amazon Redshift (Serverless workgroup ecomops, Data API)", warehouse.Name);
        Assert.Equal(warehouse.Name, services.GetRequiredService<IWarehouseService>().WarehouseName);
    }

    private async Task PutAsync(string key, params string[] lines)
    {
        await using var write = await _host.Get<IObjectStore>().OpenWriteAsync(key);
        await write.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        await write.CommitAsync();
    }

    private sealed class StoppingLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }
}
