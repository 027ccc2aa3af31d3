using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Ops;

/// <summary>Run history in the ops database's <c>job_runs</c> table.</summary>
internal sealed class SqliteJobHistory(OpsDatabase database) : IJobHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Identifies this process, so a restart can tell its own dead runs from another live process's.
    private static readonly int OwnerPid = Environment.ProcessId;
    private static readonly string OwnerStarted = ProcessStart(Process.GetCurrentProcess());

    public void Save(JobRun run)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO job_runs (id, kind, title, dataset, parameters, started_by, status, queued_at, started_at, ended_at, duration_ms,
                                  rows_read, rows_written, rows_rejected, bytes_read, bytes_written, error, steps, outputs, owner_pid, owner_started)
            VALUES ($id, $kind, $title, $dataset, $parameters, $started_by, $status, $queued_at, $started_at, $ended_at, $duration_ms,
                    $rows_read, $rows_written, $rows_rejected, $bytes_read, $bytes_written, $error, $steps, $outputs, $owner_pid, $owner_started)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at, duration_ms = excluded.duration_ms,
                rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_rejected = excluded.rows_rejected,
                bytes_read = excluded.bytes_read, bytes_written = excluded.bytes_written, error = excluded.error,
                steps = excluded.steps, outputs = excluded.outputs;
            """;
        var p = command.Parameters;
        p.AddWithValue("$id", run.Id.ToString());
        p.AddWithValue("$kind", run.Kind);
        p.AddWithValue("$title", run.Title);
        p.AddWithValue("$dataset", (object?)run.Dataset ?? DBNull.Value);
        p.AddWithValue("$parameters", JsonSerializer.Serialize(run.Parameters, Json));
        p.AddWithValue("$started_by", run.StartedBy);
        p.AddWithValue("$status", run.Status.ToString());
        p.AddWithValue("$queued_at", Time(run.QueuedAt));
        p.AddWithValue("$started_at", (object?)TimeOrNull(run.StartedAt) ?? DBNull.Value);
        p.AddWithValue("$ended_at", (object?)TimeOrNull(run.EndedAt) ?? DBNull.Value);
        p.AddWithValue("$duration_ms", run.StartedAt is { } s && run.EndedAt is { } e ? (long)(e - s).TotalMilliseconds : DBNull.Value);
        p.AddWithValue("$rows_read", run.Counts.RowsRead);
        p.AddWithValue("$rows_written", run.Counts.RowsWritten);
        p.AddWithValue("$rows_rejected", run.Counts.RowsRejected);
        p.AddWithValue("$bytes_read", run.Counts.BytesRead);
        p.AddWithValue("$bytes_written", run.Counts.BytesWritten);
        p.AddWithValue("$error", (object?)run.Error ?? DBNull.Value);
        p.AddWithValue("$steps", JsonSerializer.Serialize(run.Steps, Json));
        p.AddWithValue("$outputs", JsonSerializer.Serialize(run.Outputs, Json));
        p.AddWithValue("$owner_pid", OwnerPid);
        p.AddWithValue("$owner_started", OwnerStarted);
        command.ExecuteNonQuery();
    }

    public IReadOnlyList<JobRun> List(JobRunFilter filter)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var where = new List<string>();
        if (filter.Status is { } status)
        {
            where.Add("status = $status");
            command.Parameters.AddWithValue("$status", status.ToString());
        }

        if (filter.Kind is not null)
        {
            where.Add("kind = $kind");
            command.Parameters.AddWithValue("$kind", filter.Kind);
        }

        if (filter.Dataset is not null)
        {
            where.Add("dataset = $dataset");
            command.Parameters.AddWithValue("$dataset", filter.Dataset);
        }

        if (filter.FailedOnly)
        {
            where.Add("status IN ('Failed', 'Interrupted')");
        }

        command.CommandText = $"SELECT * FROM job_runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY queued_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", filter.Limit);
        return Read(command);
    }

    public JobRun? Get(Guid id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM job_runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return Read(command).FirstOrDefault();
    }

    public int MarkInterrupted(DateTimeOffset now)
    {
        using var connection = database.Open();
        var orphans = new List<(string Id, string? StartedAt)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT id, started_at, owner_pid, owner_started FROM job_runs WHERE status IN ('Queued', 'Running')";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                if (!IsAlive(reader.GetInt32(2), reader.GetString(3)))
                {
                    orphans.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
                }
            }
        }

        foreach (var (id, startedAt) in orphans)
        {
            using var update = connection.CreateCommand();
            update.CommandText = """
                UPDATE job_runs SET status = 'Interrupted', ended_at = $ended_at, duration_ms = $duration_ms,
                    error = 'EcomOps stopped while this run was in progress (crash or kill). Its output was not committed; run it again.'
                WHERE id = $id
                """;
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$ended_at", Time(now));
            update.Parameters.AddWithValue("$duration_ms", startedAt is null ? DBNull.Value : (long)(now - ParseTime(startedAt)).TotalMilliseconds);
            update.ExecuteNonQuery();
        }

        return orphans.Count;
    }

    public bool RequestCancel(Guid id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE job_runs SET cancel_requested = 1 WHERE id = $id AND status IN ('Queued', 'Running')";
        command.Parameters.AddWithValue("$id", id.ToString());
        return command.ExecuteNonQuery() > 0;
    }

    public IReadOnlyList<Guid> CancelRequests(IReadOnlyCollection<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var names = ids.Select((id, i) =>
        {
            command.Parameters.AddWithValue($"$p{i}", id.ToString());
            return $"$p{i}";
        }).ToList();
        command.CommandText = $"SELECT id FROM job_runs WHERE cancel_requested = 1 AND id IN ({string.Join(", ", names)})";
        using var reader = command.ExecuteReader();
        var result = new List<Guid>();
        while (reader.Read())
        {
            result.Add(Guid.Parse(reader.GetString(0)));
        }

        return result;
    }

    private static List<JobRun> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<JobRun>();
        while (reader.Read())
        {
            string? Text(string column) => reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetString(reader.GetOrdinal(column));
            long Number(string column) => reader.GetInt64(reader.GetOrdinal(column));
            runs.Add(new JobRun(
                Guid.Parse(Text("id")!),
                Text("kind")!,
                Text("title")!,
                Text("dataset"),
                JsonSerializer.Deserialize<Dictionary<string, string>>(Text("parameters")!, Json) ?? [],
                Text("started_by")!,
                Enum.Parse<JobStatus>(Text("status")!),
                ParseTime(Text("queued_at")!),
                Text("started_at") is { } started ? ParseTime(started) : null,
                Text("ended_at") is { } ended ? ParseTime(ended) : null,
                JsonSerializer.Deserialize<List<JobStep>>(Text("steps")!, Json) ?? [],
                JsonSerializer.Deserialize<List<JobOutput>>(Text("outputs")!, Json) ?? [],
                Text("error"),
                new JobCounts(Number("rows_read"), Number("rows_written"), Number("rows_rejected"), Number("bytes_read"), Number("bytes_written"))));
        }

        return runs;
    }

    private static bool IsAlive(int pid, string started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return ProcessStart(process) == started;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string ProcessStart(Process process) => process.StartTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string? TimeOrNull(DateTimeOffset? time) => time is { } t ? Time(t) : null;

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
