using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace EcomOps.Core.Query;

/// <summary>
/// Running statements on a DuckDB connection and writing its literals and names, for the query engine and the
/// local warehouse alike. DuckDB quotes as standard SQL does, as Athena does, so the quoting is <see cref="AthenaSql"/>'s.
/// </summary>
internal static partial class DuckDbSql
{
    public static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static string Literal(string value) => AthenaSql.String(value);

    public static string Identifier(string name) => AthenaSql.Identifier(name);

    /// <summary>Whether a setting is a size DuckDB's <c>memory_limit</c> takes, such as <c>512MB</c> or <c>2GiB</c>.</summary>
    public static bool IsMemorySize(string? value) => !string.IsNullOrWhiteSpace(value) && MemorySize().IsMatch(value);

    [GeneratedRegex(@"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", RegexOptions.IgnoreCase)]
    private static partial Regex MemorySize();
}
