-- EcomOps warehouse tables (Amazon Redshift). Column names and types must match
-- EcomOps.Core/Datasets/DatasetRegistry.cs; a test checks that they do.
-- Dimension tables are small: a copy on every node (DISTSTYLE ALL) makes joins local.
-- Transactions are distributed by customer, so per-customer queries stay on one slice,
-- and sorted by time, so date-range scans skip blocks.

CREATE TABLE IF NOT EXISTS customer_data (
    CustomerID BIGINT NOT NULL,
    Name VARCHAR(256),
    Email VARCHAR(256),
    Country VARCHAR(256),
    SignupDate DATE,
    PRIMARY KEY (CustomerID)
)
DISTSTYLE ALL
SORTKEY (CustomerID);

CREATE TABLE IF NOT EXISTS catalog_data (
    ProductID BIGINT NOT NULL,
    ProductName VARCHAR(256),
    Category VARCHAR(256),
    Price DECIMAL(10,2),
    Stock INTEGER,
    PRIMARY KEY (ProductID)
)
DISTSTYLE ALL
SORTKEY (ProductID);

CREATE TABLE IF NOT EXISTS transactions_data (
    TransactionID BIGINT NOT NULL,
    CustomerID BIGINT NOT NULL,
    ProductID BIGINT NOT NULL,
    Timestamp TIMESTAMP,
    Amount DECIMAL(10,2),
    Country VARCHAR(256),
    PRIMARY KEY (TransactionID),
    FOREIGN KEY (CustomerID) REFERENCES customer_data (CustomerID),
    FOREIGN KEY (ProductID) REFERENCES catalog_data (ProductID)
)
DISTKEY (CustomerID)
SORTKEY (Timestamp);
