using EcomOps.Core.Catalog;
using EcomOps.Web.Model;

namespace EcomOps.Tests.Web;

public sealed class SqlCompletionsTests
{
    private static readonly SqlCompletions Completions = new([
        Table("ecom", "transactions_data", ["transactionid", "amount", "country"], partitionKeys: ["year"]),
        Table("ecom", "customer_data", ["customerid", "name", "country"]),
    ]);

    [Fact]
    public void At_TheStartOfAWord_OffersQualifiedAndBareTables_AndEveryColumnOnce()
    {
        var labels = Completions.At("SELECT * FROM ").Select(c => (c.Label, c.Kind)).ToList();

        Assert.Contains(("ecom", SqlCompletionKind.Database), labels);
        Assert.Contains(("ecom.transactions_data", SqlCompletionKind.Table), labels);
        Assert.Contains(("customer_data", SqlCompletionKind.Table), labels);
        Assert.Contains(("year", SqlCompletionKind.Column), labels);
        Assert.Single(labels, l => l.Label == "country");
    }

    [Fact]
    public void At_AfterTheDatabaseAndADot_OffersItsTables()
    {
        var labels = Completions.At("SELECT * FROM ecom.tr").Select(c => c.Label);

        Assert.Equal(["transactions_data", "customer_data"], labels);
    }

    [Theory]
    [InlineData("SELECT transactions_data.")]
    [InlineData("SELECT ecom.transactions_data.am")]
    [InlineData("SELECT t.")]
    public void At_AfterATableOrItsAlias_OffersItsColumns(string before)
    {
        var completions = Completions.At(before, before + " FROM ecom.transactions_data AS t WHERE 1 = 1");

        Assert.Equal(["transactionid", "amount", "country", "year"], completions.Select(c => c.Label));
        Assert.All(completions, c => Assert.Equal(SqlCompletionKind.Column, c.Kind));
    }

    [Fact]
    public void At_AfterAnUnknownQualifier_OffersNothing()
    {
        Assert.Empty(Completions.At("SELECT x.", "SELECT x. FROM ecom.customer_data c"));
    }

    private static CatalogTable Table(string database, string name, string[] columns, string[]? partitionKeys = null) => new(
        database, name, $"lake/{name}/", "parquet", "snappy",
        [.. columns.Select(c => new CatalogColumn(c, "varchar", c, "string"))],
        [.. (partitionKeys ?? []).Select(c => new CatalogColumn(c, "int", c, "int"))],
        0, 0, 0, TableStatus.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, Guid.Empty);
}
