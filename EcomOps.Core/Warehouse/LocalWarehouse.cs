using System.Globalization;
using DuckDB.NET.Data;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// The Local backend's warehouse: a DuckDB file with the tables of <c>sql/redshift_ddl.sql</c> and Redshift's load
/// tables beside them. The file is opened for each operation and closed after it, so the dashboard and the CLI can take
/// turns with it (DuckDB lets one process at a time write a file); loads in this process go one at a time.
/// </summary>
internal sealed partial class LocalWarehouse(
    IObjectStore lake,
    IOptions<EcomOpsOptions> root,
    IOptions<WarehouseOptions> options,
    ILogger<LocalWarehouse> logger) : IWarehouse
{
    internal const string DefaultSchema = "public";

    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile bool _initialized;

    public string Name => "DuckDB warehouse (local)";

    internal string FilePath => options.Value.FullPath(root.Value);

    public async Task<IReadOnlyList<string>> InitAsync(CancellationToken cancellationToken = default)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await InitLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<IReadOnlyList<string>> InitLockedAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await InitOnAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    // On the caller's connection: opening the file costs more than the DDL does (DuckDB replays and checkpoints its WAL),
    // so a load initialises on the connection it loads with.
    private async Task<IReadOnlyList<string>> InitOnAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        var ddlPath = options.Value.DdlFullPath;
        if (!File.Exists(ddlPath))
        {
            throw new FileNotFoundException($"The warehouse DDL {ddlPath} is missing; set EcomOps:Warehouse:DdlPath to sql/redshift_ddl.sql.", ddlPath);
        }

        var tables = RedshiftDdl.Parse(await File.ReadAllTextAsync(ddlPath, cancellationToken).ConfigureAwait(false));
        Execute(connection, WarehouseSystemTables.Ddl);
        var existing = TableNames(connection);
        var created = new List<string>();
        foreach (var table in tables)
        {
            Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {Identifier(table.Schema)}");
            Execute(connection, RedshiftDdl.ToDuckDb(table));
            var name = $"{table.Schema}.{table.Name}";
            if (!existing.Contains(name))
            {
                created.Add(name);
                Execute(connection, $"INSERT INTO main.ecomops_tables SELECT nextval('main.ecomops_table_id'), {Literal(table.Schema)}, {Literal(table.Name)}");
            }
        }

        if (_activeLoads == 0)
        {
            AbortDeadLoads(connection);
        }

        _initialized = true;
        if (created.Count > 0)
        {
            logger.LogInformation("Warehouse {Path}: created {Tables}", FilePath, string.Join(", ", created));
        }

        return created;
    }

    private int _activeLoads;

    public async Task<IReadOnlyList<WarehouseTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReadyAsync(cancellationToken).ConfigureAwait(false);
        var tables = new List<WarehouseTableInfo>();
        foreach (var (schema, name) in UserTables(connection))
        {
            var columns = Columns(connection, schema, name);
            var rows = Convert.ToInt64(Scalar(connection, $"SELECT count(*) FROM {Identifier(schema)}.{Identifier(name)}"), CultureInfo.InvariantCulture);
            tables.Add(new WarehouseTableInfo(schema, name, columns, rows));
        }

        return tables;
    }

    public async Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync(LoadFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReadyAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, LoadMonitoringSql.Loads(filter, '$'));
        return ReadLoads(command);
    }

    public async Task<LoadHistoryEntry?> GetLoadAsync(long queryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReadyAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, LoadMonitoringSql.Load(queryId, '$'));
        return ReadLoads(command).SingleOrDefault();
    }

    public async Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(long queryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReadyAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, LoadMonitoringSql.Errors(queryId, '$'));
        var errors = new List<LoadErrorEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            errors.Add(new LoadErrorEntry(
                Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetInt64(2), Text(reader, 3), Text(reader, 4), Text(reader, 5),
                reader.IsDBNull(6) ? 0 : reader.GetInt32(6), Text(reader, 7), Text(reader, 8), reader.GetInt32(9), Text(reader, 10)));
        }

        return errors;
    }

    // The monitoring SQL shared with the Redshift warehouse, its parameters bound by DuckDB.
    private static DuckDBCommand Command(DuckDBConnection connection, LoadMonitoringSql.Statement statement)
    {
        var command = connection.CreateCommand();
        command.CommandText = statement.Sql;
        foreach (var parameter in statement.Parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter.Name, parameter.Value));
        }

        return command;
    }

    private async Task<DuckDBConnection> OpenReadyAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        AbortDeadLoadsUnlessLoading(connection);
        return connection;
    }

    // Not only at the first open: the dashboard stays up while a CLI load is killed, and its next look must not show that
    // load running for ever. Skipped while this process loads (or initializes): the running line may be its own.
    private void AbortDeadLoadsUnlessLoading(DuckDBConnection connection)
    {
        if (!_writer.Wait(0))
        {
            return;
        }

        try
        {
            AbortDeadLoads(connection);
        }
        finally
        {
            _writer.Release();
        }
    }

    // A running line with no load of this process behind it is a dead process's: DuckDB lets one process at a time open the
    // file for writing, and this one holds it now. Its rows never committed; DuckDB rolled them back when the file was opened.
    // Looked for before it is written: every page that reads the warehouse comes through here, and an UPDATE even of no
    // rows writes the WAL, which closing the file then checkpoints (under load, the cost of most reads).
    private static void AbortDeadLoads(DuckDBConnection connection)
    {
        if (Convert.ToInt64(Scalar(connection, $"SELECT count(*) FROM main.sys_load_history WHERE status = '{LoadStatus.Running}'"), CultureInfo.InvariantCulture) > 0)
        {
            Execute(connection, $"UPDATE main.sys_load_history SET status = '{LoadStatus.Aborted}', end_time = start_time WHERE status = '{LoadStatus.Running}'");
        }
    }

    // Another process (the dashboard, the CLI) may hold the file for a moment; wait for it, up to the setting.
    private async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(options.Value.BusySeconds);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var connection = new DuckDBConnection($"DataSource={FilePath}");
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                // One command for the session's settings: each open runs them, and each command is a round of DuckDB's
                // statement preparation. A load's memory stays flat in the file's size: DuckDB spills past the limit, and
                // need not keep rows in order.
                Execute(connection, $"""
                    SET TimeZone = 'UTC';
                    CREATE SCHEMA IF NOT EXISTS {DefaultSchema};
                    SET search_path = '{DefaultSchema},main';
                    SET memory_limit = {Literal(options.Value.MemoryLimit)};
                    SET preserve_insertion_order = false;
                    """);
                return connection;
            }
            catch (DuckDBException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (DateTime.UtcNow > deadline)
                {
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"The warehouse {FilePath} is held by another process (the dashboard or a CLI load) for over {options.Value.BusySeconds} s (EcomOps:Warehouse:BusySeconds). Try again when it has finished. ({e.Message.Split('\n')[0]})"), e);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
        }
    }

    private static List<LoadHistoryEntry> ReadLoads(DuckDBCommand command)
    {
        var loads = new List<LoadHistoryEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            loads.Add(new LoadHistoryEntry(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4),
                reader.IsDBNull(5) ? 0 : reader.GetInt64(5), Text(reader, 6), Text(reader, 7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt32(10), reader.GetInt64(11),
                reader.GetInt64(12), reader.IsDBNull(13) ? null : reader.GetInt64(13)));
        }

        return loads;
    }

    private static HashSet<string> TableNames(DuckDBConnection connection)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT schema_name || '.' || table_name FROM duckdb_tables()";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    internal static List<(string Schema, string Name)> UserTables(DuckDBConnection connection)
    {
        var tables = new List<(string, string)>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name <> 'main' ORDER BY schema_name, table_name";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        return tables;
    }

    // The columns as the DDL declared them: the DDL file is the one source of the Redshift types (VARCHAR(256), DECIMAL(10,2)).
    internal List<WarehouseColumn> Columns(DuckDBConnection connection, string schema, string table)
    {
        var declared = DeclaredTables().FirstOrDefault(t => t.Schema == schema && t.Name == table);
        if (declared is not null)
        {
            return [.. declared.Columns];
        }

        var columns = new List<WarehouseColumn>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name, data_type, NOT is_nullable FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t ORDER BY column_index";
        command.Parameters.Add(new DuckDBParameter("s", schema));
        command.Parameters.Add(new DuckDBParameter("t", table));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add(new WarehouseColumn(reader.GetString(0), WarehouseType.Parse(reader.GetString(1)), reader.GetBoolean(2)));
        }

        return columns;
    }

    private IReadOnlyList<WarehouseTable>? _declared;

    private IReadOnlyList<WarehouseTable> DeclaredTables() =>
        _declared ??= File.Exists(options.Value.DdlFullPath) ? RedshiftDdl.Parse(File.ReadAllText(options.Value.DdlFullPath)) : [];

    private static string Text(System.Data.Common.DbDataReader reader, int i) => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
}
