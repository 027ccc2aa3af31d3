using System.Text;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using Xunit;

namespace EcomOps.Tests.Conversion;

/// <summary>The converter's one-pass decimal parser must accept, refuse and value exactly as the upload check's rules do.</summary>
public sealed class DecimalColumnTests
{
    private static readonly DatasetColumn Amount = DatasetRegistry.Transactions["Amount"];

    [Theory]
    [InlineData("0.00")]
    [InlineData("12.34")]
    [InlineData("12.3")]
    [InlineData("12")]
    [InlineData("-12.34")]
    [InlineData("-0")]
    [InlineData("99999999.99")]
    [InlineData("100000000.00")]
    [InlineData("000000001.50")]
    [InlineData("12.345")]
    [InlineData("12.")]
    [InlineData(".5")]
    [InlineData("-")]
    [InlineData("+1.00")]
    [InlineData("1e3")]
    [InlineData(" 1.00")]
    [InlineData("1,00")]
    [InlineData("1234567890123456789.5")]
    [InlineData("0.000000000000000001")]
    [InlineData("")]
    public void TrySet_GivesTheVerdictAndValueOfTheColumnRules(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var expectedOk = ColumnValues.TryParseDecimal(Amount, utf8, out var expected);
        var column = new DecimalColumn(Amount, 1);

        var ok = column.TrySet(0, utf8);

        Assert.Equal(expectedOk, ok);
        if (ok)
        {
            var value = column.ValueAt(0);
            Assert.Equal(expected, value);
            Assert.Equal(expected.Scale, value.Scale);
            Assert.Equal(decimal.IsNegative(expected), decimal.IsNegative(value));
        }
    }
}
