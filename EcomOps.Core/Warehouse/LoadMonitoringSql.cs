using System.Globalization;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// The monitoring SQL both warehouses run over Redshift's load tables (<c>sys_load_history</c>, <c>stl_load_errors</c>,
/// <c>sys_load_error_detail</c>): one text, with the filters as named parameters, never spliced. Only the parameter
/// marker differs: DuckDB binds <c>$name</c>, the Redshift Data API <c>:name</c>.
/// </summary>
internal static class LoadMonitoringSql
{
    /// <summary>One parameter: its name (without the marker) and value (the Data API sends it as text).</summary>
    public sealed record Parameter(string Name, object Value);

    /// <summary>A statement and the values of its parameters.</summary>
    public sealed record Statement(string Sql, IReadOnlyList<Parameter> Parameters);

    private const string HistoryColumns = """
        query_id, trim(status) AS status, trim(table_name) AS table_name, start_time, end_time, duration, trim(data_source) AS data_source,
               trim(file_format) AS file_format, loaded_rows, loaded_bytes, source_file_count, source_file_bytes, error_count, copy_job_id
        """;

    /// <summary>Loads matching <paramref name="filter"/>, newest first (the columns <see cref="LoadHistoryEntry"/> takes, in order).</summary>
    public static Statement Loads(LoadFilter filter, char marker)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new List<string>();
        var parameters = new List<Parameter>();
        if (filter.Status is { Length: > 0 } status)
        {
            where.Add($"trim(status) = CAST({marker}status AS VARCHAR)");
            parameters.Add(new("status", status));
        }

        if (filter.FailedOnly)
        {
            where.Add($"trim(status) IN ('{LoadStatus.Aborted}', '{LoadStatus.Failed}')");
        }

        if (filter.Table is { Length: > 0 } table)
        {
            where.Add($"(trim(table_name) = CAST({marker}table AS VARCHAR) OR split_part(trim(table_name), '.', 2) = CAST({marker}table AS VARCHAR))");
            parameters.Add(new("table", table.ToLowerInvariant()));
        }

        if (filter.Since is { } since)
        {
            where.Add($"start_time >= CAST({marker}since AS TIMESTAMP)");
            parameters.Add(new("since", since));
        }

        if (filter.Until is { } until)
        {
            where.Add($"start_time < CAST({marker}until AS TIMESTAMP)");
            parameters.Add(new("until", until));
        }

        var limit = Math.Clamp(filter.Limit, 1, 10_000).ToString(CultureInfo.InvariantCulture);
        return new($"""
            SELECT {HistoryColumns}
            FROM sys_load_history {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY start_time DESC, query_id DESC LIMIT {limit}
            """, parameters);
    }

    /// <summary>One load by its query id.</summary>
    public static Statement Load(long queryId, char marker) =>
        new($"""
            SELECT {HistoryColumns}
            FROM sys_load_history WHERE query_id = CAST({marker}id AS BIGINT)
            """, [new("id", queryId)]);

    /// <summary>
    /// The latest load a session started into a table since a time: on a provisioned cluster, the Data API's
    /// RedshiftQueryId is STL's query id, which SYS_LOAD_HISTORY's query_id need not equal, while its session is the same.
    /// </summary>
    public static Statement LatestLoadOfSession(long sessionId, string table, DateTime since, char marker) =>
        new($"""
            SELECT {HistoryColumns}
            FROM sys_load_history
            WHERE session_id = CAST({marker}session AS INTEGER) AND start_time >= CAST({marker}since AS TIMESTAMP)
              AND (trim(table_name) = CAST({marker}table AS VARCHAR) OR split_part(trim(table_name), '.', 2) = CAST({marker}table AS VARCHAR))
            ORDER BY start_time DESC, query_id DESC LIMIT 1
            """, [new("session", sessionId), new("since", since), new("table", table.ToLowerInvariant())]);

    /// <summary>
    /// A load's rejected rows from <c>stl_load_errors</c> (the columns <see cref="LoadErrorEntry"/> takes, in order), in
    /// file and line order. Redshift pads its char columns: trimmed here.
    /// </summary>
    public static Statement Errors(long queryId, char marker) =>
        new($"""
            SELECT query, trim(filename) AS filename, line_number, trim(colname) AS colname, trim(type) AS type, trim(col_length) AS col_length, position,
                   {Raw("raw_line", marker)} AS raw_line, {Raw("raw_field_value", marker)} AS raw_field_value, err_code, trim(err_reason) AS err_reason
            FROM stl_load_errors WHERE query = CAST({marker}id AS INTEGER) ORDER BY filename, line_number
            """, [new("id", queryId)]);

    // Redshift's raw_line and raw_field_value are CHAR, padded on the right; DuckDB's hold the text as read, which may
    // end in blanks that are part of the rejected value.
    private static string Raw(string column, char marker) => marker == ':' ? $"rtrim({column})" : column;

    /// <summary>
    /// The same, from <c>sys_load_error_detail</c>, where Redshift Serverless keeps them (it has no STL tables). That view
    /// has no raw line and no raw field value: they come back empty.
    /// </summary>
    public static Statement ErrorDetails(long queryId, char marker) =>
        new($"""
            SELECT query_id, trim(file_name) AS filename, line_number, trim(column_name) AS colname, trim(column_type) AS type, trim(column_length) AS col_length, position,
                   '' AS raw_line, '' AS raw_field_value, error_code, trim(error_message) AS err_reason
            FROM sys_load_error_detail WHERE query_id = CAST({marker}id AS BIGINT) ORDER BY file_name, line_number
            """, [new("id", queryId)]);
}
