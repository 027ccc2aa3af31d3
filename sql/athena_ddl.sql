-- EcomOps lake tables (Amazon Athena / Glue Data Catalog) over the Parquet the converter writes.
-- Column names and types must match EcomOps.Core/Datasets/DatasetRegistry.cs; a test checks that they do.
-- Replace ${bucket} with the lake bucket (EcomOps:LakeBucket). On AWS the Glue crawler creates
-- equivalent tables; these statements are for creating them by hand.

CREATE DATABASE IF NOT EXISTS ecom;

CREATE EXTERNAL TABLE IF NOT EXISTS ecom.customer_data (
    CustomerID bigint,
    Name string,
    Email string,
    Country string,
    SignupDate date
)
STORED AS PARQUET
LOCATION 's3://${bucket}/parquet/customer_data/';

CREATE EXTERNAL TABLE IF NOT EXISTS ecom.catalog_data (
    ProductID bigint,
    ProductName string,
    Category string,
    Price decimal(10,2),
    Stock int
)
STORED AS PARQUET
LOCATION 's3://${bucket}/parquet/catalog_data/';

-- Partitioned by month of Timestamp (parquet/transactions_data/year=YYYY/month=MM/).
CREATE EXTERNAL TABLE IF NOT EXISTS ecom.transactions_data (
    TransactionID bigint,
    CustomerID bigint,
    ProductID bigint,
    Timestamp timestamp,
    Amount decimal(10,2),
    Country string
)
PARTITIONED BY (year string, month string)
STORED AS PARQUET
LOCATION 's3://${bucket}/parquet/transactions_data/';

-- Load the partitions the converter wrote (or let the crawler do it).
MSCK REPAIR TABLE ecom.transactions_data;
