-- Loading the warehouse from the lake with COPY, and checking the loads (Amazon Redshift).
-- Replace ${bucket} and ${role_arn} (the role in iam/redshift-copy-role.json; infra/ecomops.yaml creates it).

COPY customer_data
FROM 's3://${bucket}/parquet/customer_data/'
IAM_ROLE '${role_arn}'
FORMAT AS PARQUET;

COPY catalog_data
FROM 's3://${bucket}/parquet/catalog_data/'
IAM_ROLE '${role_arn}'
FORMAT AS PARQUET;

-- Straight from the raw CSV: skip the header, allow a few bad rows, say how dates are written.
COPY transactions_data
FROM 's3://${bucket}/raw/transactions_data/'
IAM_ROLE '${role_arn}'
CSV
IGNOREHEADER 1
DELIMITER ','
TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'
MAXERROR 10;

-- The latest loads, newest first.
SELECT query_id, table_name, status, loaded_rows, loaded_bytes, source_file_count, start_time, end_time
FROM sys_load_history
ORDER BY start_time DESC
LIMIT 20;

-- Why rows were rejected: file, line, column, the raw value and the reason.
SELECT starttime, filename, line_number, colname, raw_field_value, err_code, err_reason
FROM stl_load_errors
ORDER BY starttime DESC
LIMIT 50;
