using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Ops;
using EcomOps.Core.Security;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Jobs;

/// <summary>
/// Run history in the ops database's <c>job_runs</c> table. Each instance is one owner of runs: this process
/// (pid and start time, to tell a crash) and an instance id in <c>job_owners</c> (to tell a runner that was
/// stopped while its process lives on, as in tests and a host restarted in place).
/// </summary>
internal sealed class SqliteJobHistory(OpsDatabase database) : IJobHistory
{
    /// <summary>The Jobs capability's tables; version 1 is the first EcomOps' run history, unchanged.</summary>
    public static OpsSchema Schema { get; } = new("jobs",
    [
        """
        CREATE TABLE job_runs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            dataset TEXT,
            parameters TEXT NOT NULL,
            started_by TEXT NOT NULL,
            status TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            duration_ms INTEGER,
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_written INTEGER NOT NULL DEFAULT 0,
            rows_rejected INTEGER NOT NULL DEFAULT 0,
            bytes_read INTEGER NOT NULL DEFAULT 0,
            bytes_written INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            steps TEXT NOT NULL,
            outputs TEXT NOT NULL,
            owner_pid INTEGER NOT NULL,
            owner_started TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_job_runs_queued_at ON job_runs (queued_at DESC);
        CREATE INDEX ix_job_runs_status ON job_runs (status);
        """,

        // 2: parameters records (retry, rebuild), parent runs, remote ids, and owners that can stop in a live process.
        """
        ALTER TABLE job_runs ADD COLUMN parameters_json TEXT;
        ALTER TABLE job_runs ADD COLUMN parent_id TEXT;
        ALTER TABLE job_runs ADD COLUMN external_id TEXT;
        ALTER TABLE job_runs ADD COLUMN retry_of TEXT;
        ALTER TABLE job_runs ADD COLUMN owner_instance TEXT;
        CREATE INDEX ix_job_runs_parent ON job_runs (parent_id) WHERE parent_id IS NOT NULL;
        CREATE TABLE job_owners (
            instance TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            process_started TEXT NOT NULL,
            started_at TEXT NOT NULL,
            stopped_at TEXT
        );
        """,

        // 3: what a run found or did (a crawl's tables created, updated...).
        "ALTER TABLE job_runs ADD COLUMN results TEXT;",
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly int OwnerPid = Environment.ProcessId;
    private static readonly string OwnerStarted = ProcessStart(Process.GetCurrentProcess());

    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(1);

    private readonly string _instance = Guid.NewGuid().ToString();

    public async Task RegisterOwnerAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO job_owners (instance, pid, process_started, started_at) VALUES ($instance, $pid, $process_started, $started_at);
            DELETE FROM job_owners WHERE stopped_at IS NOT NULL AND stopped_at < $old;
            """;
        command.Parameters.AddWithValue("$instance", _instance);
        command.Parameters.AddWithValue("$pid", OwnerPid);
        command.Parameters.AddWithValue("$process_started", OwnerStarted);
        command.Parameters.AddWithValue("$started_at", Time(DateTimeOffset.UtcNow));
        command.Parameters.AddWithValue("$old", Time(DateTimeOffset.UtcNow.AddDays(-7)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public void ReleaseOwner()
    {
        using var connection = database.OpenMigrated();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE job_owners SET stopped_at = $now WHERE instance = $instance";
        command.Parameters.AddWithValue("$instance", _instance);
        command.Parameters.AddWithValue("$now", Time(DateTimeOffset.UtcNow));
        command.ExecuteNonQuery();
    }

    public async Task SaveAsync(IReadOnlyList<JobRun> runs, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO job_runs (id, kind, title, dataset, parameters, started_by, status, queued_at, started_at, ended_at, duration_ms,
                                  rows_read, rows_written, rows_rejected, bytes_read, bytes_written, error, steps, outputs, owner_pid, owner_started,
                                  parameters_json, parent_id, external_id, retry_of, owner_instance, results)
            VALUES ($id, $kind, $title, $dataset, $parameters, $started_by, $status, $queued_at, $started_at, $ended_at, $duration_ms,
                    $rows_read, $rows_written, $rows_rejected, $bytes_read, $bytes_written, $error, $steps, $outputs, $owner_pid, $owner_started,
                    $parameters_json, $parent_id, $external_id, $retry_of, $owner_instance, $results)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at, duration_ms = excluded.duration_ms,
                rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_rejected = excluded.rows_rejected,
                bytes_read = excluded.bytes_read, bytes_written = excluded.bytes_written, error = excluded.error,
                steps = excluded.steps, outputs = excluded.outputs, external_id = excluded.external_id,
                owner_pid = excluded.owner_pid, owner_started = excluded.owner_started, owner_instance = excluded.owner_instance, results = excluded.results;
            """;
        var p = command.Parameters;
        string[] names =
        [
            "$id", "$kind", "$title", "$dataset", "$parameters", "$started_by", "$status", "$queued_at", "$started_at", "$ended_at", "$duration_ms",
            "$rows_read", "$rows_written", "$rows_rejected", "$bytes_read", "$bytes_written", "$error", "$steps", "$outputs", "$owner_pid",
            "$owner_started", "$parameters_json", "$parent_id", "$external_id", "$retry_of", "$owner_instance", "$results",
        ];
        foreach (var name in names)
        {
            p.Add(new SqliteParameter { ParameterName = name });
        }

        // Redacted here too, whoever made the snapshot: the ops database file never holds a secret.
        foreach (var run in runs.Select(r => r.Redacted()))
        {
            p["$id"].Value = run.Id.ToString();
            p["$kind"].Value = run.Kind;
            p["$title"].Value = run.Title;
            p["$dataset"].Value = (object?)run.Dataset ?? DBNull.Value;
            p["$parameters"].Value = JsonSerializer.Serialize(run.Parameters, Json);
            p["$started_by"].Value = run.StartedBy;
            p["$status"].Value = run.Status.ToString();
            p["$queued_at"].Value = Time(run.QueuedAt);
            p["$started_at"].Value = (object?)TimeOrNull(run.StartedAt) ?? DBNull.Value;
            p["$ended_at"].Value = (object?)TimeOrNull(run.EndedAt) ?? DBNull.Value;
            p["$duration_ms"].Value = run.StartedAt is { } s && run.EndedAt is { } e ? (long)(e - s).TotalMilliseconds : DBNull.Value;
            p["$rows_read"].Value = run.Counts.RowsRead;
            p["$rows_written"].Value = run.Counts.RowsWritten;
            p["$rows_rejected"].Value = run.Counts.RowsRejected;
            p["$bytes_read"].Value = run.Counts.BytesRead;
            p["$bytes_written"].Value = run.Counts.BytesWritten;
            p["$error"].Value = (object?)run.Error ?? DBNull.Value;
            p["$steps"].Value = JsonSerializer.Serialize(run.Steps, Json);
            p["$outputs"].Value = JsonSerializer.Serialize(run.Outputs, Json);
            p["$owner_pid"].Value = OwnerPid;
            p["$owner_started"].Value = OwnerStarted;
            p["$parameters_json"].Value = (object?)run.ParametersJson ?? DBNull.Value;
            p["$parent_id"].Value = (object?)run.ParentId?.ToString() ?? DBNull.Value;
            p["$external_id"].Value = (object?)run.ExternalId ?? DBNull.Value;
            p["$retry_of"].Value = (object?)run.RetryOf?.ToString() ?? DBNull.Value;
            p["$owner_instance"].Value = _instance;
            p["$results"].Value = run.Results is null ? DBNull.Value : JsonSerializer.Serialize(run.Results, Json);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobRun>> ListAsync(JobRunFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
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

        if (filter.ParentId is { } parent)
        {
            where.Add("parent_id = $parent_id");
            command.Parameters.AddWithValue("$parent_id", parent.ToString());
        }

        if (filter.FailedOnly)
        {
            where.Add("status IN ('Failed', 'Interrupted')");
        }

        if (filter.QueuedSince is { } since)
        {
            // Times are stored as round-trip UTC text, which sorts as the times do.
            where.Add("queued_at >= $queued_since");
            command.Parameters.AddWithValue("$queued_since", Time(since));
        }

        command.CommandText = $"SELECT * FROM job_runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY queued_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", filter.Limit);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobRun?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM job_runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return (await ReadAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<JobRun>> OrphansAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.*, o.stopped_at AS owner_stopped_at, o.instance AS owner_known
            FROM job_runs r LEFT JOIN job_owners o ON o.instance = r.owner_instance
            WHERE r.status IN ('Queued', 'Running')
            """;
        var orphans = new List<JobRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var stopped = !reader.IsDBNull(reader.GetOrdinal("owner_stopped_at"));
            var pid = reader.GetInt32(reader.GetOrdinal("owner_pid"));
            var started = reader.GetString(reader.GetOrdinal("owner_started"));
            if (stopped || !IsAlive(pid, started))
            {
                orphans.Add(Map(reader));
            }
        }

        return orphans;
    }

    public async Task<bool> AdoptAsync(Guid id, CancellationToken cancellationToken = default)
    {
        // Only while it is still an orphan: of two processes starting together, one adopts it.
        var orphan = (await OrphansAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Id == id);
        if (orphan is null)
        {
            return false;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE job_runs SET owner_pid = $pid, owner_started = $started, owner_instance = $instance, cancel_requested = 0
            WHERE id = $id AND owner_pid = $old_pid AND owner_started = $old_started AND owner_instance IS $old_instance
            """;
        command.Parameters.AddWithValue("$id", id.ToString());
        command.Parameters.AddWithValue("$pid", OwnerPid);
        command.Parameters.AddWithValue("$started", OwnerStarted);
        command.Parameters.AddWithValue("$instance", _instance);
        var (oldPid, oldStarted, oldInstance) = await OwnerOfAsync(connection, id, cancellationToken).ConfigureAwait(false);
        command.Parameters.AddWithValue("$old_pid", oldPid);
        command.Parameters.AddWithValue("$old_started", oldStarted);
        command.Parameters.AddWithValue("$old_instance", (object?)oldInstance ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> RequestCancelAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE job_runs SET cancel_requested = 1 WHERE id = $id AND status IN ('Queued', 'Running')";
        command.Parameters.AddWithValue("$id", id.ToString());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<Guid>> CancelRequestsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var names = ids.Select((id, i) =>
        {
            command.Parameters.AddWithValue($"$p{i}", id.ToString());
            return $"$p{i}";
        }).ToList();
        command.CommandText = $"SELECT id FROM job_runs WHERE cancel_requested = 1 AND id IN ({string.Join(", ", names)})";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Guid.Parse(reader.GetString(0)));
        }

        return result;
    }

    private static async Task<(long Pid, string Started, string? Instance)> OwnerOfAsync(SqliteConnection connection, Guid id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner_pid, owner_started, owner_instance FROM job_runs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : (0, "", null);
    }

    private static async Task<List<JobRun>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<JobRun>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(Map(reader));
        }

        return runs;
    }

    private static JobRun Map(SqliteDataReader reader)
    {
        string? Text(string column) => reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetString(reader.GetOrdinal(column));
        long Number(string column) => reader.GetInt64(reader.GetOrdinal(column));
        return new JobRun(
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
            new JobCounts(Number("rows_read"), Number("rows_written"), Number("rows_rejected"), Number("bytes_read"), Number("bytes_written")),
            Text("parameters_json"),
            Text("parent_id") is { } parent ? Guid.Parse(parent) : null,
            Text("external_id"),
            Text("retry_of") is { } retryOf ? Guid.Parse(retryOf) : null,
            Text("results") is { } results ? JsonSerializer.Deserialize<List<JobResult>>(results, Json) : null);
    }

    private static bool IsAlive(int pid, string started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);

            // The same id with another start time is a new process that reused the id. The start time is derived
            // from the boot time, which reads a little differently from one process to another (a few ms here):
            // compared exactly, a live process looked dead to another one, which then took its runs over and
            // marked them Interrupted while they worked. A reused id never comes with a start time within a second.
            return DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var recorded)
                && (process.StartTime.ToUniversalTime() - recorded.UtcDateTime).Duration() < StartTolerance;
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
