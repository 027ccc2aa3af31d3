-- Load monitoring in Redshift's SQL, over the warehouse's load tables: the sample queries of Amazon Redshift's
-- documentation for SYS_LOAD_HISTORY, SYS_LOAD_ERROR_DETAIL and STL_LOAD_ERRORS. They run unchanged on Amazon Redshift
-- and on the local warehouse (DuckDB), which keeps those tables with Redshift's names and columns; where the
-- documentation names one load by its query id, these use pg_last_copy_id(), the latest COPY.
-- A query starts at a line '-- name: ...'; the lines after it up to the next name are its description and SQL.

-- name: Loads: rows and bytes of the last COPY
-- SYS_LOAD_HISTORY: the table, data source, rows and bytes the latest COPY loaded.
SELECT query_id, table_name, data_source, loaded_rows, loaded_bytes
FROM sys_load_history
WHERE query_id IN (pg_last_copy_id())
ORDER BY query_id, data_source DESC;

-- name: Loads: COPY commands a day by status
-- SYS_LOAD_HISTORY: how many COPY commands ran each day, by status (running, completed, aborted).
SELECT date_trunc('day', start_time) AS exec_day, status, COUNT(*) AS copy_count
FROM sys_load_history
GROUP BY exec_day, status
ORDER BY exec_day DESC, status;

-- name: Loads: error details of the last COPY
-- SYS_LOAD_ERROR_DETAIL: the file, column, type and reason of each row the latest COPY rejected.
SELECT query_id, table_id, start_time, trim(file_name) AS file_name, trim(column_name) AS column_name,
       trim(column_type) AS column_type, trim(error_message) AS error_message
FROM sys_load_error_detail
WHERE query_id = pg_last_copy_id()
ORDER BY start_time
LIMIT 10;

-- name: Loads: latest load errors
-- STL_LOAD_ERRORS: the latest rejected rows with their file, line, column, the raw line and field, and the reason.
SELECT query, substring(filename, 22, 25) AS filename, line_number AS line,
       substring(colname, 0, 12) AS column, type, position AS pos, substring(raw_line, 0, 30) AS line_text,
       substring(raw_field_value, 0, 15) AS field_text,
       substring(err_reason, 0, 45) AS reason
FROM stl_load_errors
ORDER BY query DESC
LIMIT 10;
