using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Jobs;
using EcomOps.Core.Ops;
using Microsoft.Data.Sqlite;

namespace EcomOps.Core.Pipeline;

/// <summary>
/// The pipeline's tables in the ops database: each run's options and steps (its status, times and queue place are
/// its job run's, in the run history), and the saved pipelines with their schedules.
/// </summary>
internal sealed class PipelineStore(OpsDatabase database)
{
    public static OpsSchema Schema { get; } = new("pipeline",
    [
        """
        CREATE TABLE pipeline_runs (
            id TEXT PRIMARY KEY,
            options TEXT NOT NULL,
            retry_of TEXT,
            pipeline_id TEXT,
            scheduled_for TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX ix_pipeline_runs_created_at ON pipeline_runs (created_at DESC);
        CREATE TABLE pipeline_run_steps (
            run_id TEXT NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            step TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            duration_ms INTEGER,
            child_run_ids TEXT NOT NULL,
            error TEXT,
            reused_from TEXT,
            PRIMARY KEY (run_id, step)
        );
        CREATE TABLE pipelines (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            options TEXT NOT NULL,
            cron TEXT,
            time_zone TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_fired_at TEXT,
            last_run_id TEXT
        );
        """,
    ]);

    /// <summary>Records a run and its steps, all pending; a second call for the same run changes nothing.</summary>
    public async Task CreateRunAsync(Guid id, PipelineJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO pipeline_runs (id, options, retry_of, pipeline_id, scheduled_for, created_at)
                VALUES ($id, $options, $retry_of, $pipeline_id, $scheduled_for, $created_at)
                ON CONFLICT (id) DO NOTHING
                """;
            insert.Parameters.AddWithValue("$id", Text(id));
            insert.Parameters.AddWithValue("$options", Security.SecretRedactor.RedactJson(JsonSerializer.Serialize(job.Options, JobRunner.ParametersJson)));
            insert.Parameters.AddWithValue("$retry_of", Text(job.RetryOf));
            insert.Parameters.AddWithValue("$pipeline_id", Text(job.PipelineId));
            insert.Parameters.AddWithValue("$scheduled_for", Text(job.ScheduledFor));
            insert.Parameters.AddWithValue("$created_at", Text(now));
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return;
            }
        }

        var position = 0;
        foreach (var step in job.Options.EffectiveSteps)
        {
            await WriteStepAsync(connection, id, position++, new PipelineStepRun(step, PipelineStepStatus.Pending, null, null, []), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveStepAsync(Guid runId, PipelineStepRun step, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await WriteStepAsync(connection, runId, null, step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored part of runs: all of them when <paramref name="ids"/> is null.</summary>
    public async Task<IReadOnlyList<StoredRun>> RunsAsync(IReadOnlyCollection<Guid>? ids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var runs = new Dictionary<Guid, StoredRun>();
        var steps = new Dictionary<Guid, List<PipelineStepRun>>();
        var filter = ids is null ? "" : $"WHERE r.id IN ({string.Join(", ", ids.Select((_, i) => "$id" + i.ToString(CultureInfo.InvariantCulture)))})";
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT r.id, r.options, r.retry_of, r.pipeline_id, s.step, s.status, s.started_at, s.ended_at, s.child_run_ids, s.error, s.reused_from
            FROM pipeline_runs r LEFT JOIN pipeline_run_steps s ON s.run_id = r.id
            {filter}
            ORDER BY r.created_at DESC, s.position
            """;
        var n = 0;
        foreach (var id in ids ?? [])
        {
            command.Parameters.AddWithValue("$id" + (n++).ToString(CultureInfo.InvariantCulture), Text(id));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = Guid.Parse(reader.GetString(0));
            if (!runs.ContainsKey(id))
            {
                var options = JsonSerializer.Deserialize<PipelineOptions>(reader.GetString(1), JobRunner.ParametersJson)
                    ?? throw new InvalidOperationException($"The options of pipeline run {id} do not read back.");
                runs[id] = new StoredRun(id, options, GuidOrNull(reader, 2), GuidOrNull(reader, 3), []);
                steps[id] = [];
            }

            if (!reader.IsDBNull(4))
            {
                steps[id].Add(new PipelineStepRun(
                    Enum.Parse<PipelineStep>(reader.GetString(4), ignoreCase: true),
                    Enum.Parse<PipelineStepStatus>(reader.GetString(5)),
                    TimeOrNull(reader, 6),
                    TimeOrNull(reader, 7),
                    JsonSerializer.Deserialize<Guid[]>(reader.GetString(8)) ?? [],
                    reader.IsDBNull(9) ? null : reader.GetString(9),
                    GuidOrNull(reader, 10)));
            }
        }

        return [.. runs.Values.Select(r => r with { Steps = steps[r.Id] })];
    }

    public async Task<StoredRun?> RunAsync(Guid id, CancellationToken cancellationToken) =>
        (await RunsAsync([id], cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Every run's id with the run it retries: the graph "fixed by a later retry" is read from.</summary>
    public async Task<IReadOnlyDictionary<Guid, Guid?>> RetryLinksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, retry_of FROM pipeline_runs";
        var links = new Dictionary<Guid, Guid?>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links[Guid.Parse(reader.GetString(0))] = GuidOrNull(reader, 1);
        }

        return links;
    }

    public async Task<IReadOnlyList<SavedPipeline>> PipelinesAsync(Guid? id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, name, options, cron, time_zone, enabled, created_at, updated_at, last_fired_at, last_run_id FROM pipelines
            WHERE $id IS NULL OR id = $id ORDER BY name
            """;
        command.Parameters.AddWithValue("$id", Text(id));
        var pipelines = new List<SavedPipeline>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pipelines.Add(new SavedPipeline(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                JsonSerializer.Deserialize<PipelineOptions>(reader.GetString(2), JobRunner.ParametersJson) ?? new PipelineOptions(),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetInt64(5) != 0,
                TimeOrNull(reader, 6)!.Value,
                TimeOrNull(reader, 7)!.Value,
                TimeOrNull(reader, 8),
                GuidOrNull(reader, 9)));
        }

        return pipelines;
    }

    /// <summary>Inserts or replaces a saved pipeline; false when another one has its name.</summary>
    public async Task<bool> SavePipelineAsync(SavedPipeline pipeline, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO pipelines (id, name, options, cron, time_zone, enabled, created_at, updated_at, last_fired_at, last_run_id)
            VALUES ($id, $name, $options, $cron, $time_zone, $enabled, $created_at, $updated_at, $last_fired_at, $last_run_id)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, options = excluded.options, cron = excluded.cron,
                time_zone = excluded.time_zone, enabled = excluded.enabled, updated_at = excluded.updated_at,
                last_fired_at = excluded.last_fired_at
            """;
        command.Parameters.AddWithValue("$id", Text(pipeline.Id));
        command.Parameters.AddWithValue("$name", pipeline.Name);
        // Saved options are kept with secrets masked (a load step's COPY, a URL): the ops database holds none.
        command.Parameters.AddWithValue("$options", Security.SecretRedactor.RedactJson(JsonSerializer.Serialize(pipeline.Options, JobRunner.ParametersJson)));
        command.Parameters.AddWithValue("$cron", (object?)pipeline.Cron ?? DBNull.Value);
        command.Parameters.AddWithValue("$time_zone", pipeline.TimeZone);
        command.Parameters.AddWithValue("$enabled", pipeline.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$created_at", Text(pipeline.CreatedAt));
        command.Parameters.AddWithValue("$updated_at", Text(pipeline.UpdatedAt));
        command.Parameters.AddWithValue("$last_fired_at", Text(pipeline.LastFiredAt));
        command.Parameters.AddWithValue("$last_run_id", Text(pipeline.LastRunId));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT: the name is taken (names are unique regardless of case).
            return false;
        }
    }

    public async Task<bool> DeletePipelineAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM pipelines WHERE id = $id";
        command.Parameters.AddWithValue("$id", Text(id));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// Claims an occurrence of a schedule: true for exactly one caller, and only when it is later than the last one
    /// fired, so two processes on one data root, or a restart, never fire an occurrence twice.
    /// </summary>
    public async Task<bool> ClaimOccurrenceAsync(Guid id, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE pipelines SET last_fired_at = $at WHERE id = $id AND (last_fired_at IS NULL OR last_fired_at < $at)";
        command.Parameters.AddWithValue("$id", Text(id));
        command.Parameters.AddWithValue("$at", Text(occurrence));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task SetLastRunAsync(Guid id, Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE pipelines SET last_run_id = $run WHERE id = $id";
        command.Parameters.AddWithValue("$id", Text(id));
        command.Parameters.AddWithValue("$run", Text(runId));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteStepAsync(SqliteConnection connection, Guid runId, int? position, PipelineStepRun step, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = position is null
            ? """
              UPDATE pipeline_run_steps SET status = $status, started_at = $started_at, ended_at = $ended_at, duration_ms = $duration_ms,
                  child_run_ids = $children, error = $error, reused_from = $reused_from
              WHERE run_id = $run_id AND step = $step
              """
            : """
              INSERT INTO pipeline_run_steps (run_id, position, step, status, started_at, ended_at, duration_ms, child_run_ids, error, reused_from)
              VALUES ($run_id, $position, $step, $status, $started_at, $ended_at, $duration_ms, $children, $error, $reused_from)
              """;
        command.Parameters.AddWithValue("$run_id", Text(runId));
        command.Parameters.AddWithValue("$position", (object?)position ?? DBNull.Value);
        command.Parameters.AddWithValue("$step", step.Name);
        command.Parameters.AddWithValue("$status", step.Status.ToString());
        command.Parameters.AddWithValue("$started_at", Text(step.StartedAt));
        command.Parameters.AddWithValue("$ended_at", Text(step.EndedAt));
        command.Parameters.AddWithValue("$duration_ms", step.StartedAt is { } s && step.EndedAt is { } e ? (long)(e - s).TotalMilliseconds : DBNull.Value);
        command.Parameters.AddWithValue("$children", JsonSerializer.Serialize(step.ChildRunIds));
        command.Parameters.AddWithValue("$error", (object?)step.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$reused_from", Text(step.ReusedFrom));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Times as sortable UTC text, ids as lower-case text: comparable in SQL and the same whoever wrote them.
    private static object Text(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : DBNull.Value;

    private static object Text(Guid? id) => id is { } g ? g.ToString() : DBNull.Value;

    private static Guid? GuidOrNull(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : Guid.Parse(reader.GetString(column));

    private static DateTimeOffset? TimeOrNull(SqliteDataReader reader, int column) => reader.IsDBNull(column)
        ? null
        : DateTimeOffset.Parse(reader.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

/// <summary>What the pipeline tables hold of a run.</summary>
internal sealed record StoredRun(Guid Id, PipelineOptions Options, Guid? RetryOf, Guid? PipelineId, IReadOnlyList<PipelineStepRun> Steps);
