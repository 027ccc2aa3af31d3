namespace EcomOps.Core.Datasets;

/// <summary>
/// The registry of the three dataset schemas, and their single definition. Every other part of EcomOps (generator, upload checks,
/// converter, crawler, warehouse DDL) reads column names and types from here.
/// </summary>
public static class DatasetRegistry
{
    /// <summary>Format of <see cref="ColumnType.Date"/> values in CSV files.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Format of <see cref="ColumnType.Timestamp"/> values in CSV files (UTC, no zone).</summary>
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    public static DatasetSchema Customers { get; } = new(
        "customer_data",
        "Registered customers",
        [
            new("CustomerID", ColumnType.Int64, "Customer id, 1..N"),
            new("Name", ColumnType.String, "Full name"),
            new("Email", ColumnType.String, "Email address, unique"),
            new("Country", ColumnType.String, "Country of residence"),
            new("SignupDate", ColumnType.Date, "Day the customer signed up"),
        ]);

    public static DatasetSchema Products { get; } = new(
        "catalog_data",
        "Products for sale",
        [
            new("ProductID", ColumnType.Int64, "Product id, 1..N"),
            new("ProductName", ColumnType.String, "Product name"),
            new("Category", ColumnType.String, "Department the product is sold in"),
            new("Price", ColumnType.Decimal, "Unit price", Precision: 10, Scale: 2),
            new("Stock", ColumnType.Int32, "Units in stock"),
        ]);

    public static DatasetSchema Transactions { get; } = new(
        "transactions_data",
        "Purchases: one product, 1-5 units, by one customer",
        [
            new("TransactionID", ColumnType.Int64, "Transaction id, 1..N"),
            new("CustomerID", ColumnType.Int64, "Buyer (customer_data.CustomerID)"),
            new("ProductID", ColumnType.Int64, "Product bought (catalog_data.ProductID)"),
            new("Timestamp", ColumnType.Timestamp, "When it happened, UTC"),
            new("Amount", ColumnType.Decimal, "Price x quantity", Precision: 10, Scale: 2),
            new("Country", ColumnType.String, "The buyer's country"),
        ],
        MonthPartitionColumn: "Timestamp");

    /// <summary>All datasets, in pipeline order (customers and products before the transactions that refer to them).</summary>
    public static IReadOnlyList<DatasetSchema> All { get; } = [Customers, Products, Transactions];

    /// <summary>
    /// The dataset a CSV header most likely belongs to: the one sharing the most column names (ignoring
    /// case), or null when it shares none with any dataset.
    /// </summary>
    public static DatasetSchema? Recognize(IReadOnlyList<string> header)
    {
        var names = header.Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var best = All.Select(d => (Dataset: d, Shared: d.ColumnNames.Count(names.Contains)))
            .OrderByDescending(x => x.Shared)
            .First();
        return best.Shared > 0 ? best.Dataset : null;
    }

    /// <summary>Finds a dataset by its name (case-insensitive), or null.</summary>
    public static DatasetSchema? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a dataset by name or throws an error that lists the valid names.</summary>
    public static DatasetSchema Get(string name) =>
        Find(name) ?? throw new ArgumentException(
            $"Unknown dataset '{name}'. Use one of: {string.Join(", ", All.Select(d => d.Name))}.");
}
