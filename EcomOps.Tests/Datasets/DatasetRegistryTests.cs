using EcomOps.Core.Datasets;

namespace EcomOps.Tests.Datasets;

public sealed class DatasetRegistryTests
{
    [Theory]
    [InlineData("customer_data", "CustomerID:BIGINT,Name:VARCHAR,Email:VARCHAR,Country:VARCHAR,SignupDate:DATE")]
    [InlineData("catalog_data", "ProductID:BIGINT,ProductName:VARCHAR,Category:VARCHAR,Price:DECIMAL(10,2),Stock:INTEGER")]
    [InlineData("transactions_data", "TransactionID:BIGINT,CustomerID:BIGINT,ProductID:BIGINT,Timestamp:TIMESTAMP,Amount:DECIMAL(10,2),Country:VARCHAR")]
    public void Schema_HasExactlyTheSpecifiedColumnsAndTypes(string dataset, string expected)
    {
        var schema = DatasetRegistry.Get(dataset);

        Assert.Equal(expected, string.Join(',', schema.Columns.Select(c => $"{c.Name}:{c.DuckDbType}")));
    }

    [Fact]
    public void All_ListsCustomersAndProductsBeforeTransactions()
    {
        Assert.Equal(["customer_data", "catalog_data", "transactions_data"], DatasetRegistry.All.Select(d => d.Name));
    }

    [Fact]
    public void Get_UnknownDataset_NamesTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetRegistry.Get("orders"));

        Assert.Contains("'orders'", error.Message);
        Assert.Contains("customer_data, catalog_data, transactions_data", error.Message);
    }

    [Fact]
    public void Find_IsCaseInsensitive()
    {
        Assert.Same(DatasetRegistry.Transactions, DatasetRegistry.Find("Transactions_Data"));
    }

    [Fact]
    public void WarehouseAndAthenaTypes_AreDerivedFromTheSameDefinition()
    {
        var amount = DatasetRegistry.Transactions["Amount"];

        Assert.Equal("DECIMAL(10,2)", amount.RedshiftType);
        Assert.Equal("decimal(10,2)", amount.AthenaType);
        Assert.Equal("timestamp", DatasetRegistry.Transactions["Timestamp"].AthenaType);
    }
}
