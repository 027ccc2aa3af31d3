-- Example analyses in the Athena dialect (Presto/Trino SQL) over the ecomops tables.

-- Revenue and orders by country, largest first.
SELECT t.Country, count(*) AS orders, sum(t.Amount) AS revenue
FROM ecomops.transactions_data t
GROUP BY t.Country
ORDER BY revenue DESC
LIMIT 20;

-- Monthly revenue (uses the partitions, so only the months asked for are scanned).
SELECT year, month, sum(Amount) AS revenue, count(DISTINCT CustomerID) AS buyers
FROM ecomops.transactions_data
WHERE year = '2025'
GROUP BY year, month
ORDER BY year, month;

-- Best-selling categories.
SELECT p.Category, sum(t.Amount) AS revenue, count(*) AS orders
FROM ecomops.transactions_data t
JOIN ecomops.catalog_data p ON p.ProductID = t.ProductID
GROUP BY p.Category
ORDER BY revenue DESC;

-- Days from signup to first purchase, by signup month.
SELECT date_trunc('month', c.SignupDate) AS signup_month,
       avg(date_diff('day', c.SignupDate, CAST(f.first_purchase AS date))) AS avg_days_to_first_purchase
FROM ecomops.customer_data c
JOIN (SELECT CustomerID, min(Timestamp) AS first_purchase FROM ecomops.transactions_data GROUP BY CustomerID) f
  ON f.CustomerID = c.CustomerID
GROUP BY 1
ORDER BY 1;
