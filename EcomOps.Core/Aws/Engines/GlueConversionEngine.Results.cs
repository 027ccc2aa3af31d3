using System.Globalization;
using System.Text;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using JobRun = EcomOps.Core.Aws.Glue.JobRun;

namespace EcomOps.Core.Aws.Engines;

// What a Glue run leaves in the run history: its results lines and links, and after SUCCEEDED its Parquet and counts.
internal sealed partial class GlueConversionEngine
{
    /// <summary>Reads the manifest the script wrote and records this Glue run's files, quarantine and row counts.</summary>
    private async Task RecordOutputsAsync(GlueRunReport report, ConversionRequest request, JobRun run, CancellationToken cancellationToken)
    {
        var dataset = request.Dataset.Name;
        var manifest = await ConversionManifest.ReadAsync(lake, dataset, cancellationToken).ConfigureAwait(false);

        // With no new CSV files since the bookmark the script commits nothing and leaves the previous manifest. A full
        // refresh with no CSV files fails instead, so for one this is a manifest the script did not write.
        if (manifest is null || (run.StartedOn is { } startedOn && manifest.CreatedAt < startedOn))
        {
            report.Note(request.Mode == ConversionMode.Overwrite
                ? $"Glue reported the full refresh of {dataset} SUCCEEDED but parquet/{dataset}/_manifest.json is not from this run: check that the job runs the script of this EcomOps (ecomops aws deploy-script) and see its logs."
                : $"Glue found no CSV files under raw/{dataset}/ that arrived since the job's last successful run (its job bookmark): nothing was converted.");
            report.Context.CompleteStep(report.Step, 0);
            return;
        }

        // The script marks its own files with its run id (a GUID of its own, also naming its quarantine folder).
        var files = manifest.Files.Where(f => f.RunId == manifest.RunId).ToList();
        foreach (var file in files)
        {
            report.Context.AddOutput(new JobOutput(report.Step, file.Key, file.Bytes, file.Rows, true));
        }

        var quarantinePrefix = $"quarantine/{dataset}/{manifest.RunId:D}/";
        long rejected = 0;
        foreach (var part in (await lake.ListAsync(quarantinePrefix, cancellationToken: cancellationToken).ConfigureAwait(false)).Objects
                     .Where(o => o.Key.EndsWith(".csv", StringComparison.Ordinal)))
        {
            rejected += await CountCsvRecordsAsync(part.Key, cancellationToken).ConfigureAwait(false);
            report.Context.AddOutput(new JobOutput(report.Step, part.Key, 0, 0, true));
        }

        var written = files.Sum(f => f.Rows);
        report.Context.SetCounts(c => c with { RowsRead = written + rejected, RowsRejected = rejected });
        report.Context.CompleteStep(report.Step, written);
        report.Converted(files.Count, written, rejected, manifest.TotalRows);
    }

    /// <summary>Records in a quarantine CSV, after its header; a line break inside quotes belongs to its field.</summary>
    private async Task<long> CountCsvRecordsAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await lake.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[64 * 1024];
        long records = 0;
        bool quoted = false, pending = false;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == '\n' && !quoted)
                {
                    records++;
                    pending = false;
                    continue;
                }

                if (c is not ('\r' or '\n'))
                {
                    pending = true;
                }
            }
        }

        // A last record without a final line break counts too; the header is not a record.
        return Math.Max(0, records + (pending ? 1 : 0) - 1);
    }

    /// <summary>DPU-seconds Glue reports, else capacity × execution time (MaxCapacity, or workers × their DPUs).</summary>
    internal static double? DpuSecondsOf(JobRun run)
    {
        if (run.DPUSeconds is { } reported)
        {
            return reported;
        }

        if (run.ExecutionTime is not { } seconds)
        {
            return null;
        }

        if (run.MaxCapacity is { } capacity)
        {
            return capacity * seconds;
        }

        double? perWorker = run.WorkerType switch
        {
            "G.025X" => 0.25,
            "G.1X" => 1,
            "G.2X" or "Z.2X" => 2,
            "G.4X" => 4,
            "G.8X" => 8,
            "Standard" => 1,
            _ => null,
        };
        return run.NumberOfWorkers is { } workers && perWorker is { } dpus ? workers * dpus * seconds : null;
    }

    /// <summary>The CloudWatch console's escaping of a log group in its URL fragment: '/' is <c>$252F</c>.</summary>
    internal static string ConsoleEscape(string value) => Uri.EscapeDataString(value).Replace("%", "$25", StringComparison.Ordinal);

    /// <summary>The run's results lines, kept in one order and written whole, as <see cref="JobContext.SetResults"/> replaces them.</summary>
    private sealed class GlueRunReport(GlueConversionEngine engine, JobContext context, ConversionRequest request)
    {
        private readonly string _mode = request.Mode == ConversionMode.Overwrite
            ? $"overwrite: a full refresh, every CSV file under raw/{request.Dataset.Name}/ read (job bookmark disabled for this run) and parquet/{request.Dataset.Name}/ replaced"
            : "append: the CSV files that arrived since the job bookmark, added beside the Parquet already there";

        private readonly List<string> _notes = [];
        private string? _runId;
        private JobRun? _run;
        private string? _converted;

        public JobContext Context => context;

        public string Step => request.Dataset.Name;

        private string Region => engine.Region;

        public void Started(string runId)
        {
            _runId = runId;
            Publish();
        }

        public void Polled(JobRun run)
        {
            _run = run;
            Publish();
        }

        public void Note(string note)
        {
            _notes.Add(note);
            Publish();
        }

        public void Converted(int files, long rows, long rejected, long totalRows)
        {
            _converted = string.Create(CultureInfo.InvariantCulture, $"{files} Parquet file(s), {rows:N0} rows written, {rejected:N0} rejected; {totalRows:N0} rows in the dataset's Parquet in all");
            Publish();
        }

        public string LogGroupOf(string? logGroupName) => string.IsNullOrEmpty(logGroupName) ? "/aws-glue/jobs" : logGroupName.TrimEnd('/');

        public string OutputLogsUrl(string runId, string? logGroupName) => LogsUrl(LogGroupOf(logGroupName) + "/output", runId);

        public string ErrorLogsUrl(string runId, string? logGroupName) => LogsUrl(LogGroupOf(logGroupName) + "/error", runId);

        public string ConsoleUrl(string runId) =>
            $"https://{Region}.console.aws.amazon.com/gluestudio/home?region={Region}#/job/{Uri.EscapeDataString(engine.JobName)}/run/{Uri.EscapeDataString(runId)}";

        private string LogsUrl(string group, string runId) =>
            $"https://{Region}.console.aws.amazon.com/cloudwatch/home?region={Region}#logsV2:log-groups/log-group/{ConsoleEscape(group)}/log-events/{ConsoleEscape(runId)}";

        private void Publish()
        {
            var lines = new List<JobResult> { new("Glue job", engine.JobName), new("mode", _mode) };
            if (_runId is { } runId)
            {
                lines.Add(new("Glue run", runId));
                if (_run is { } run)
                {
                    lines.Add(new("Glue state", run.JobRunState ?? "unknown"));
                    if (run.ExecutionTime is { } seconds)
                    {
                        lines.Add(new("duration", string.Create(CultureInfo.InvariantCulture, $"{seconds} s")));
                    }

                    if (DpuSecondsOf(run) is { } dpuSeconds)
                    {
                        lines.Add(new("DPU-seconds", dpuSeconds.ToString("0.##", CultureInfo.InvariantCulture)));
                    }

                    if (!string.IsNullOrEmpty(run.ErrorMessage))
                    {
                        lines.Add(new("Glue error", run.ErrorMessage));
                    }
                }

                if (_converted is { } converted)
                {
                    lines.Add(new("converted", converted));
                }

                lines.Add(new("logs", OutputLogsUrl(runId, _run?.LogGroupName)));
                lines.Add(new("error logs", ErrorLogsUrl(runId, _run?.LogGroupName)));
                lines.Add(new("Glue console", ConsoleUrl(runId)));
            }

            lines.AddRange(_notes.Select(n => new JobResult("note", n)));
            context.SetResults(lines);
        }
    }
}

/// <summary>Glue's JobRunState values (kept as strings in the model, as AWS adds some).</summary>
internal static class GlueRunStates
{
    public const string Succeeded = "SUCCEEDED";
    public const string Stopped = "STOPPED";

    /// <summary>True for the states a run does not leave: SUCCEEDED, FAILED, STOPPED, TIMEOUT, ERROR, EXPIRED.</summary>
    public static bool IsFinal(string? state) => state is Succeeded or Stopped or "FAILED" or "TIMEOUT" or "ERROR" or "EXPIRED";
}
