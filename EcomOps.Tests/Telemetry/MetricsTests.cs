using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Core.Telemetry;
using EcomOps.Tests.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EcomOps.Tests.Telemetry;

/// <summary>The EcomOps meter's measurements as an exporter receives them, from real runs and queries.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly CoreHost _host = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measured = new();

    public MetricsTests()
    {
        // Only this host's meter: other tests' hosts measure at the same time in this process.
        var factory = _host.Get<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EcomOpsMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Runs_AreCountedStartedSucceededAndFailed_ByKind()
    {
        var recorder = _host.Services.GetServices<IHostedService>().OfType<JobMetricsRecorder>().Single();
        await recorder.StartAsync(CancellationToken.None);
        var runner = _host.Get<IJobRunner>();

        var ok = runner.Start(TestScripts.Job((_, _, _) => Task.CompletedTask));
        var bad = runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("no")));
        await runner.WaitAsync(ok.Id);
        await runner.WaitAsync(bad.Id);

        Assert.Equal(2, Sum("ecomops.jobs.started", "kind", "test"));
        Assert.Equal(1, Sum("ecomops.jobs.succeeded", "kind", "test"));
        Assert.Equal(1, Sum("ecomops.jobs.failed", "kind", "test"));
    }

    [Fact]
    public async Task ALoad_CountsTheRowsItLoaded_ByTable()
    {
        var recorder = _host.Services.GetServices<IHostedService>().OfType<JobMetricsRecorder>().Single();
        await recorder.StartAsync(CancellationToken.None);
        await _host.Get<IWarehouse>().InitAsync();
        await using (var write = await _host.Get<IObjectStore>().OpenWriteAsync("raw/transactions_data/t.csv"))
        {
            await write.Stream.WriteAsync(Encoding.UTF8.GetBytes("TransactionID,CustomerID,ProductID,Timestamp,Amount,Country\n1,10,100,2024-03-01 10:00:00,12.50,Chile\n2,11,101,2024-03-02 11:00:00,7.25,Peru\n"));
            await write.CommitAsync();
        }

        var run = _host.Get<IWarehouseService>().StartLoad(
            "COPY transactions_data FROM 's3://ecomops-lake/raw/transactions_data/' IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy' CSV IGNOREHEADER 1");
        var done = await _host.Get<IJobRunner>().WaitAsync(run.Id);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(2, Sum("ecomops.rows.loaded", "dataset", "transactions_data"));
        Assert.Equal(1, Sum("ecomops.jobs.succeeded", "kind", JobKinds.Load));
    }

    [Fact]
    public async Task EveryQuery_RecordsItsDuration_WithTargetAndOutcome()
    {
        var queries = _host.Get<IQueryService>();

        await queries.RunAsync(new QueryRunRequest("SELECT 42 AS answer"));
        await Assert.ThrowsAnyAsync<Exception>(() => queries.RunAsync(new QueryRunRequest("COPY (SELECT 1) TO 'x.csv'")));

        var durations = _measured.Where(m => m.Instrument == "ecomops.query.duration").ToList();
        Assert.Equal(["Refused", "Succeeded"], durations.Select(d => d.Tags["status"]!).Order().ToArray());
        Assert.All(durations, d => Assert.Equal("Lake", d.Tags["target"]));
        Assert.All(durations, d => Assert.True(d.Value >= 0));
    }

    private double Sum(string instrument, string tag, string value) =>
        _measured.Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault(tag) == value).Sum(m => m.Value);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        _measured.Enqueue((instrument.Name, value, copied));
    }
}
