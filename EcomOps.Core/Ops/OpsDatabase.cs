using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Ops;

/// <summary>
/// The ops database: SQLite at <c>&lt;DataRoot&gt;/ops.db</c>, holding run history (and later crawler runs,
/// query history, saved queries). The schema is versioned with <c>PRAGMA user_version</c> and migrated
/// forward on first use; several processes (the dashboard and the CLI) share it.
/// </summary>
public sealed class OpsDatabase
{
    private static readonly string[] Migrations =
    [
        // 1: run history.
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
    ];

    private readonly string _connectionString;
    private readonly ILogger<OpsDatabase> _logger;
    private readonly Lock _migrateLock = new();
    private bool _migrated;

    public OpsDatabase(IOptions<EcomOpsOptions> options, ILogger<OpsDatabase> logger)
    {
        Path = System.IO.Path.Combine(options.Value.DataRootFullPath, "ops.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _logger = logger;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>An open connection to a migrated database; dispose it after use.</summary>
    public SqliteConnection Open()
    {
        EnsureMigrated();
        return OpenRaw();
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();

        // WAL lets the dashboard write while the CLI reads; busy_timeout waits out the other's writes.
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void EnsureMigrated()
    {
        if (Volatile.Read(ref _migrated))
        {
            return;
        }

        lock (_migrateLock)
        {
            if (_migrated)
            {
                return;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using var connection = OpenRaw();
            using var transaction = connection.BeginTransaction();
            using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (version > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"{Path} has schema version {version}, newer than this EcomOps ({Migrations.Length}). Use a newer EcomOps, or point EcomOps:DataRoot elsewhere.");
            }

            for (var next = version; next < Migrations.Length; next++)
            {
                using var migrate = connection.CreateCommand();
                migrate.Transaction = transaction;
                migrate.CommandText = Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
                migrate.ExecuteNonQuery();
                _logger.LogInformation("Ops database {Path} migrated to version {Version}", Path, next + 1);
            }

            transaction.Commit();
            _migrated = true;
        }
    }
}
