using EcomOps.Core.Generation;

namespace EcomOps.Tests.Generation;

public sealed class GenerationOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndMatchTheDocumentedSizes()
    {
        var options = new GenerationOptions();

        Assert.Empty(options.Validate());
        Assert.Equal((1_000, 200, 10_000), (options.Customers, options.Products, options.Transactions));
    }

    [Theory]
    [InlineData(0, 200, 10_000, "Customers", "Customers must be between 1 and 10,000,000; got 0.")]
    [InlineData(-5, 200, 10_000, "Customers", "got -5")]
    [InlineData(1_000, 1_000_001, 10_000, "Products", "Products must be between 1 and 1,000,000; got 1,000,001.")]
    [InlineData(1_000, 200, 200_000_001, "Transactions", "Transactions must be between 1 and 200,000,000")]
    public void Sizes_OutsideBounds_AreRefusedWithTheFieldAndValue(long customers, long products, long transactions, string field, string message)
    {
        var errors = new GenerationOptions(customers, products, transactions).Validate();

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void EndBeforeStart_IsRefusedOnTheEndDate()
    {
        var errors = new GenerationOptions(StartDate: new DateOnly(2025, 1, 1), EndDate: new DateOnly(2024, 12, 31)).Validate();

        var error = Assert.Single(errors);
        Assert.Equal("EndDate", error.Field);
        Assert.Equal("End date 2024-12-31 is before start date 2025-01-01; pick an end on or after the start.", error.Message);
    }

    [Fact]
    public void UnknownLocale_IsRefusedAndTheValidOnesListed()
    {
        var error = Assert.Single(new GenerationOptions(Locale: "xx_YY").Validate());

        Assert.Equal("Locale", error.Field);
        Assert.StartsWith("Unknown locale 'xx_YY'. Use one of: ", error.Message);
        Assert.Contains("de", error.Message);
    }

    [Fact]
    public void SeveralProblems_AreAllReported()
    {
        var errors = new GenerationOptions(Customers: 0, Products: 0, Locale: "").Validate();

        Assert.Equal(["Customers", "Products", "Locale"], errors.Select(e => e.Field));
    }
}
