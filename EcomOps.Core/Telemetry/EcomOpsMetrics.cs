using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EcomOps.Core.Telemetry;

/// <summary>
/// EcomOps' own instruments, on the meter <see cref="MeterName"/>: runs started and ended by kind, rows converted and
/// loaded, query durations, and the dashboard's open circuits. The dashboard exports them for Prometheus at
/// <c>/metrics</c>; a process that exports nothing (the CLI) pays only for the calls.
/// </summary>
public sealed class EcomOpsMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c> in an exporter's set-up.</summary>
    public const string MeterName = "EcomOps";

    private readonly Counter<long> _jobsStarted;
    private readonly Counter<long> _jobsSucceeded;
    private readonly Counter<long> _jobsFailed;
    private readonly Counter<long> _rowsConverted;
    private readonly Counter<long> _rowsLoaded;
    private readonly Histogram<double> _queryDuration;
    private readonly UpDownCounter<long> _activeCircuits;

    public EcomOpsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _jobsStarted = meter.CreateCounter<long>("ecomops.jobs.started", "{run}", "Runs that started working, by job kind.");
        _jobsSucceeded = meter.CreateCounter<long>("ecomops.jobs.succeeded", "{run}", "Runs that ended Succeeded, by job kind.");
        _jobsFailed = meter.CreateCounter<long>("ecomops.jobs.failed", "{run}", "Runs that ended Failed, by job kind.");
        _rowsConverted = meter.CreateCounter<long>("ecomops.rows.converted", "{row}", "Rows written to Parquet by conversions, by dataset.");
        _rowsLoaded = meter.CreateCounter<long>("ecomops.rows.loaded", "{row}", "Rows loaded into the warehouse by COPY, by dataset or table.");
        _queryDuration = meter.CreateHistogram<double>("ecomops.query.duration", "s", "How long queries took, by target (lake, warehouse) and outcome.");
        _activeCircuits = meter.CreateUpDownCounter<long>("ecomops.circuits.active", "{circuit}", "Dashboard connections (Blazor circuits) open now.");
    }

    public void JobStarted(string kind) => _jobsStarted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void JobSucceeded(string kind) => _jobsSucceeded.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void JobFailed(string kind) => _jobsFailed.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void RowsConverted(string? dataset, long rows) => _rowsConverted.Add(rows, new KeyValuePair<string, object?>("dataset", dataset ?? "unknown"));

    public void RowsLoaded(string? table, long rows) => _rowsLoaded.Add(rows, new KeyValuePair<string, object?>("dataset", table ?? "unknown"));

    public void QueryEnded(string target, string status, TimeSpan duration) =>
        _queryDuration.Record(duration.TotalSeconds, new TagList { { "target", target }, { "status", status } });

    public void CircuitOpened() => _activeCircuits.Add(1);

    public void CircuitClosed() => _activeCircuits.Add(-1);
}
