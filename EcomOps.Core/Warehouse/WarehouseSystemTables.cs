namespace EcomOps.Core.Warehouse;

/// <summary>
/// Redshift's load monitoring tables, with Redshift's names and columns, kept in the local warehouse itself, so the
/// monitoring SQL from Redshift's documentation runs unchanged against either warehouse.
/// </summary>
internal static class WarehouseSystemTables
{
    /// <summary>The tables, in the warehouse's <c>main</c> schema (Redshift keeps them in <c>pg_catalog</c>; both resolve them unqualified).</summary>
    public const string Ddl = """
        CREATE SEQUENCE IF NOT EXISTS main.ecomops_query_id START 1000;
        CREATE SEQUENCE IF NOT EXISTS main.ecomops_table_id START 100000;
        CREATE TABLE IF NOT EXISTS main.ecomops_tables (
            table_id INTEGER PRIMARY KEY,
            schema_name VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL
        );
        CREATE TABLE IF NOT EXISTS main.sys_load_history (
            user_id INTEGER,
            query_id BIGINT,
            transaction_id BIGINT,
            session_id INTEGER,
            database_name VARCHAR,
            status VARCHAR,
            table_name VARCHAR,
            start_time TIMESTAMP,
            end_time TIMESTAMP,
            duration BIGINT,
            data_source VARCHAR,
            file_format VARCHAR,
            loaded_rows BIGINT,
            loaded_bytes BIGINT,
            source_file_count INTEGER,
            source_file_bytes BIGINT,
            file_count_scanned INTEGER,
            file_bytes_scanned BIGINT,
            error_count BIGINT,
            copy_job_id BIGINT
        );
        CREATE TABLE IF NOT EXISTS main.stl_load_errors (
            userid INTEGER,
            slice INTEGER,
            tbl INTEGER,
            starttime TIMESTAMP,
            session INTEGER,
            query INTEGER,
            filename VARCHAR,
            line_number BIGINT,
            colname VARCHAR,
            type VARCHAR,
            col_length VARCHAR,
            position INTEGER,
            raw_line VARCHAR,
            raw_field_value VARCHAR,
            err_code INTEGER,
            err_reason VARCHAR,
            is_partial INTEGER,
            start_offset BIGINT
        );
        CREATE TABLE IF NOT EXISTS main.sys_load_error_detail (
            user_id INTEGER,
            query_id BIGINT,
            transaction_id BIGINT,
            session_id INTEGER,
            database_name VARCHAR,
            table_id INTEGER,
            start_time TIMESTAMP,
            file_name VARCHAR,
            line_number BIGINT,
            column_name VARCHAR,
            column_type VARCHAR,
            column_length VARCHAR,
            position INTEGER,
            error_code INTEGER,
            error_message VARCHAR
        );
        CREATE TABLE IF NOT EXISTS main.stl_load_commits (
            userid INTEGER,
            query INTEGER,
            slice INTEGER,
            name VARCHAR,
            filename VARCHAR,
            byte_offset INTEGER,
            lines_scanned INTEGER,
            errors INTEGER,
            curtime TIMESTAMP,
            status INTEGER
        );
        CREATE TABLE IF NOT EXISTS main.ecomops_loaded_files (
            query_id BIGINT,
            table_name VARCHAR,
            file_name VARCHAR,
            etag VARCHAR,
            loaded_at TIMESTAMP
        );
        """;

    /// <summary>The user id every local load is recorded under (Redshift's first ordinary user is 100).</summary>
    public const int UserId = 100;

    /// <summary>The database name recorded with each load.</summary>
    public const string DatabaseName = "dev";
}
