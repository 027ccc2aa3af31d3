using DuckDB.NET.Data;

using static EcomOps.Core.Query.DuckDbSql;

namespace EcomOps.Core.Query;

/// <summary>
/// The one statement gate of the lake's engines, local and Athena alike: exactly one query (SELECT, WITH ... SELECT,
/// VALUES), optionally behind EXPLAIN, as DuckDB's own parser reads it (<see cref="AthenaSqlTranslator.Parse"/>).
/// Whatever it refuses is refused the same way on both backends, before anything runs or is sent.
/// </summary>
internal static class QueryGate
{
    /// <summary>Checks <paramref name="sql"/> on a DuckDB connection the caller already holds (the local engine's).</summary>
    /// <exception cref="QueryRefusedException">Not one query.</exception>
    /// <exception cref="QueryFailedException">It does not parse.</exception>
    public static ParsedStatement Check(DuckDBConnection connection, string sql) => AthenaSqlTranslator.Parse(connection, sql);

    /// <summary>
    /// Checks <paramref name="sql"/> for an engine that runs it elsewhere (Athena): DuckDB is used as a parser only,
    /// in memory, with no access to files or extensions.
    /// </summary>
    /// <exception cref="QueryRefusedException">Not one query.</exception>
    /// <exception cref="QueryFailedException">It does not parse.</exception>
    public static void Check(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET enable_external_access = false");
        Execute(connection, "SET autoinstall_known_extensions = false");
        Execute(connection, "SET autoload_known_extensions = false");
        Execute(connection, "SET lock_configuration = true");
        AthenaSqlTranslator.Parse(connection, sql);
    }
}
