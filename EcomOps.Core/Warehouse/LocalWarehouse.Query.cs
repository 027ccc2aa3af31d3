using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using EcomOps.Core.Query;
using Microsoft.Extensions.Logging;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Warehouse;

// Read-only queries over the warehouse: its file attached read-only to a sandboxed in-memory DuckDB, with the same gate
// as lake queries (one statement, a query), so a monitoring query cannot change a table or reach a file.
internal sealed partial class LocalWarehouse
{
    private const int DefaultMaxRows = 10_000;

    // Redshift functions the monitoring queries in Redshift's documentation use, as DuckDB macros.
    internal static readonly string[] RedshiftMacros =
    [
        "CREATE MACRO pg_last_copy_id() AS (SELECT coalesce(max(query_id), -1) FROM wh.main.sys_load_history)",
        "CREATE MACRO getdate() AS (CAST(now() AS TIMESTAMP))",
        "CREATE MACRO nvl(a, b) AS (coalesce(a, b))",
        "CREATE MACRO datediff(unit, a, b) AS (date_diff(unit, a, b))",
    ];

    public async Task<QueryResult> QueryAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);

        // The same gate as lake queries, and as Redshift's, before the warehouse is opened: a refused statement touches nothing.
        QueryGate.Check(sql);
        if (!_initialized)
        {
            await InitAsync(cancellationToken).ConfigureAwait(false);
        }

        // The monitoring queries read sys_load_history: a load a killed process left running is marked aborted first.
        if (_writer.Wait(0))
        {
            try
            {
                await using var writable = await OpenAsync(cancellationToken).ConfigureAwait(false);
                AbortDeadLoads(writable);
            }
            finally
            {
                _writer.Release();
            }
        }

        var stopwatch = Stopwatch.StartNew();
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Execute(connection, $"ATTACH {Literal(FilePath)} AS wh (READ_ONLY)");
        foreach (var macro in RedshiftMacros)
        {
            Execute(connection, macro);
        }

        Execute(connection, "SET search_path = 'wh.public,wh.main,memory.main'");
        Execute(connection, "SET TimeZone = 'UTC'");
        Execute(connection, "SET enable_external_access = false");
        Execute(connection, "SET autoinstall_known_extensions = false");
        Execute(connection, "SET autoload_known_extensions = false");
        Execute(connection, "SET lock_configuration = true");
        var rows = new QueryRowCollector(Math.Clamp(maxRows ?? DefaultMaxRows, 1, 1_000_000));
        return await Task.Run(async () =>
        {
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var registration = cancellationToken.Register(command.Cancel);
                using var reader = command.ExecuteReader();
                var (columns, _, _) = await DuckDbQueryEngine.ReadRowsAsync(reader, rows, cancellationToken).ConfigureAwait(false);
                return new QueryResult(columns, rows.Rows, rows.Truncated, stopwatch.Elapsed, sql);
            }
            catch (Exception e) when (e is DuckDBException or OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The query was cancelled.", cancellationToken);
            }
            catch (DuckDBException e)
            {
                var message = e.Message.Split('\n')[0];
                // The sandbox's own refusals, should anything pass the gate: named by the rule they enforce.
                throw message.Contains("read-only", StringComparison.OrdinalIgnoreCase)
                    ? QueryRules.Refuse(QueryRule.ReadOnly, $"the warehouse is open read-only for queries ({message}).")
                    : message.Contains("disabled by configuration", StringComparison.Ordinal)
                        ? QueryRules.Refuse(QueryRule.NoFileAccess, $"the warehouse's queries reach no files ({message}).")
                        : new QueryFailedException(string.Create(CultureInfo.InvariantCulture, $"{message}"), e);
            }
        }, CancellationToken.None).ConfigureAwait(false);
    }
}
