-- Analyst queries in the Athena (Trino) dialect over the tables the crawler makes in database ecom.
-- Each one runs unchanged on Amazon Athena and on the local engine (DuckDB); a test runs every one on the
-- sample data. Partition keys (year, month) are strings, as Glue types them: compare them with '2025'.
-- A query starts at a line '-- name: ...'; the lines after it up to the next name are its description and SQL.

-- name: Revenue by country and month
-- Revenue and orders per country and month, newest months first.
SELECT country, year, month, sum(amount) AS revenue, count(*) AS orders
FROM ecom.transactions_data
GROUP BY country, year, month
ORDER BY year DESC, month DESC, revenue DESC;

-- name: Top products by revenue
-- The twenty products that brought in the most, with their category and units' worth.
SELECT p.productid, p.productname, p.category, sum(t.amount) AS revenue, count(*) AS orders
FROM ecom.transactions_data t
JOIN ecom.catalog_data p ON p.productid = t.productid
GROUP BY p.productid, p.productname, p.category
ORDER BY revenue DESC, p.productid
LIMIT 20;

-- name: Category share
-- Each category's share of all revenue, in percent.
SELECT p.category,
       sum(t.amount) AS revenue,
       round(100.0 * CAST(sum(t.amount) AS double) / CAST(sum(sum(t.amount)) OVER () AS double), 2) AS share_percent
FROM ecom.transactions_data t
JOIN ecom.catalog_data p ON p.productid = t.productid
GROUP BY p.category
ORDER BY revenue DESC;

-- name: Average order value
-- Revenue per order overall, and how many orders and buyers there were.
SELECT count(*) AS orders,
       count(DISTINCT customerid) AS buyers,
       sum(amount) AS revenue,
       round(CAST(sum(amount) AS double) / count(*), 2) AS average_order_value
FROM ecom.transactions_data;

-- name: Signup-month cohorts
-- Customers by the month they signed up, and what each cohort spent afterwards.
SELECT date_trunc('month', c.signupdate) AS cohort,
       count(DISTINCT c.customerid) AS customers,
       count(DISTINCT t.customerid) AS buyers,
       coalesce(sum(t.amount), 0) AS revenue
FROM ecom.customer_data c
LEFT JOIN ecom.transactions_data t ON t.customerid = c.customerid
GROUP BY 1
ORDER BY 1;

-- name: Repeat-purchase rate
-- Of the customers who bought, the share who bought more than once.
SELECT count(*) AS buyers,
       count_if(orders > 1) AS repeat_buyers,
       round(100.0 * count_if(orders > 1) / count(*), 2) AS repeat_rate_percent
FROM (SELECT customerid, count(*) AS orders FROM ecom.transactions_data GROUP BY customerid) b;

-- name: Daily transactions with a 7-day moving average
-- Orders per day and their average over that day and the six before.
SELECT day, orders,
       round(avg(orders) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 2) AS orders_7_day_average
FROM (SELECT CAST("timestamp" AS date) AS day, count(*) AS orders FROM ecom.transactions_data GROUP BY 1) d
ORDER BY day;

-- name: Stock against sales by product
-- Units in stock beside orders and revenue, the products that sell most against their stock first.
SELECT p.productid, p.productname, p.stock, count(t.transactionid) AS orders, coalesce(sum(t.amount), 0) AS revenue
FROM ecom.catalog_data p
LEFT JOIN ecom.transactions_data t ON t.productid = p.productid
GROUP BY p.productid, p.productname, p.stock
ORDER BY CAST(count(t.transactionid) AS double) / greatest(p.stock, 1) DESC, p.productid
LIMIT 50;

-- name: Days from signup to first purchase
-- How long customers take to buy for the first time, by signup month.
SELECT date_trunc('month', c.signupdate) AS signup_month,
       count(*) AS buyers,
       round(avg(date_diff('day', c.signupdate, CAST(f.first_purchase AS date))), 1) AS average_days,
       min(date_diff('day', c.signupdate, CAST(f.first_purchase AS date))) AS fastest_days
FROM ecom.customer_data c
JOIN (SELECT customerid, min("timestamp") AS first_purchase FROM ecom.transactions_data GROUP BY customerid) f
  ON f.customerid = c.customerid
GROUP BY 1
ORDER BY 1;

-- name: Revenue by weekday
-- Orders and revenue by day of the week (1 = Monday, as day_of_week counts).
SELECT day_of_week("timestamp") AS weekday, date_format("timestamp", '%W') AS weekday_name,
       count(*) AS orders, sum(amount) AS revenue
FROM ecom.transactions_data
GROUP BY 1, 2
ORDER BY 1;

-- name: One month's revenue from its partition
-- Reads only the partition asked for: Athena scans (and bills) that month's files alone.
SELECT country, sum(amount) AS revenue
FROM ecom.transactions_data
WHERE year = '2025' AND month = '06'
GROUP BY country
ORDER BY revenue DESC;
