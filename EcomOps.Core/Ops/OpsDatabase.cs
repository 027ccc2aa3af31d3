using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Ops;

/// <summary>
/// The ops database: SQLite at <c>&lt;DataRoot&gt;/ops.db</c>, in WAL mode, shared by every process on the data
/// root (the dashboard and the CLI). Each capability brings its tables as an <see cref="OpsSchema"/>; they are
/// migrated forward on first use, in registration order, with a version per capability in <c>ops_schema</c>.
/// </summary>
public sealed class OpsDatabase
{
    /// <summary>
    /// <c>PRAGMA user_version</c> of a database with per-capability versions. The first EcomOps kept one
    /// version for everything there (1: the run history); it reads this as "newer" and refuses it with its
    /// own message instead of writing to tables it does not know.
    /// </summary>
    internal const int LayoutVersion = 2;

    private readonly string _connectionString;
    private readonly IReadOnlyList<OpsSchema> _schemas;
    private readonly ILogger<OpsDatabase> _logger;
    private readonly SemaphoreSlim _migrateLock = new(1, 1);
    private volatile bool _migrated;

    public OpsDatabase(IOptions<EcomOpsOptions> options, IEnumerable<OpsSchema> schemas, ILogger<OpsDatabase> logger)
    {
        Path = System.IO.Path.Combine(options.Value.DataRootFullPath, "ops.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _schemas = schemas.ToList();
        _logger = logger;
        var duplicate = _schemas.GroupBy(s => s.Capability, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"The ops database schema of '{duplicate.Key}' is registered twice; register each capability's OpsSchema once.");
        }
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The capabilities and the versions this build migrates them to.</summary>
    public IReadOnlyDictionary<string, int> SchemaVersions => _schemas.ToDictionary(s => s.Capability, s => s.Version, StringComparer.Ordinal);

    /// <summary>An open connection to a migrated database; dispose it after use.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection opened without waiting on anything else: for shutdown paths that cannot be async. The
    /// database must have been migrated already (by an earlier <see cref="OpenAsync"/>).
    /// </summary>
    internal SqliteConnection OpenMigrated()
    {
        if (!_migrated)
        {
            throw new InvalidOperationException("The ops database is opened synchronously before it was migrated.");
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    /// <summary>The version of each capability's tables in the database file, as migrated (for checks and tests).</summary>
    public async Task<IReadOnlyDictionary<string, int>> StoredVersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT capability, version FROM ops_schema";
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions[reader.GetString(0)] = reader.GetInt32(1);
        }

        return versions;
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Configure(connection);
        return connection;
    }

    private static void Configure(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();

        // WAL lets the dashboard write while the CLI reads; busy_timeout waits out the other's writes.
        // synchronous=NORMAL is durable across crashes of the process in WAL mode (a power cut may lose the
        // last commits, never corrupt the file) and spares an fsync per progress snapshot.
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
    }

    private async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migrateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);

            // IMMEDIATE takes the write lock up front, so two processes starting together migrate one after the other.
            await using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ExecuteAsync(connection, "ROLLBACK", CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            _migrated = true;
        }
        finally
        {
            _migrateLock.Release();
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var layout = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (layout > LayoutVersion)
        {
            throw new InvalidOperationException(
                $"{Path} was written by a newer EcomOps (layout {layout}, this one knows {LayoutVersion}). Use a newer EcomOps, or point EcomOps:DataRoot elsewhere.");
        }

        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS ops_schema (capability TEXT PRIMARY KEY, version INTEGER NOT NULL, migrated_at TEXT NOT NULL)", cancellationToken).ConfigureAwait(false);
        if (layout == 1)
        {
            // The first layout: one user_version for the only tables there were, the run history (now version 1 of jobs).
            await ExecuteAsync(connection, "INSERT OR IGNORE INTO ops_schema (capability, version, migrated_at) VALUES ('jobs', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", cancellationToken).ConfigureAwait(false);
        }

        foreach (var schema in _schemas)
        {
            object? stored;
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT version FROM ops_schema WHERE capability = $capability";
                read.Parameters.AddWithValue("$capability", schema.Capability);
                stored = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            var version = stored is null ? 0 : Convert.ToInt32(stored, CultureInfo.InvariantCulture);
            if (version > schema.Version)
            {
                throw new InvalidOperationException(
                    $"{Path} has {schema.Capability} tables at version {version}, newer than this EcomOps ({schema.Version}). Use a newer EcomOps, or point EcomOps:DataRoot elsewhere.");
            }

            for (var next = version; next < schema.Version; next++)
            {
                await using var migrate = connection.CreateCommand();
                migrate.CommandText = schema.Migrations[next] + """
                    ;
                    INSERT INTO ops_schema (capability, version, migrated_at) VALUES ($capability, $version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    ON CONFLICT (capability) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at;
                    """;
                migrate.Parameters.AddWithValue("$capability", schema.Capability);
                migrate.Parameters.AddWithValue("$version", next + 1);
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Ops database {Path}: {Capability} tables migrated to version {Version}", Path, schema.Capability, next + 1);
            }
        }

        await ExecuteAsync(connection, $"PRAGMA user_version = {LayoutVersion}", cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
