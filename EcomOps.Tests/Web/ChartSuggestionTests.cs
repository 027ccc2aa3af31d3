using EcomOps.Core.Query;
using EcomOps.Web.Model;

namespace EcomOps.Tests.Web;

public sealed class ChartSuggestionTests
{
    [Fact]
    public void TextAndNumber_SuggestsABar_WithTheTextOnX()
    {
        var suggestion = ChartSuggestion.Suggest([new QueryColumn("country", "varchar"), new QueryColumn("revenue", "decimal(38,2)")]);

        Assert.Equal(new ChartSuggestion(ChartKind.Bar, 0, 1), suggestion);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("date")]
    [InlineData("timestamp with time zone")]
    public void DateAndNumber_SuggestsALine_WhereverTheDateIs(string type)
    {
        var suggestion = ChartSuggestion.Suggest([new QueryColumn("revenue", "decimal(38,2)"), new QueryColumn("timestamp_month", type)]);

        Assert.Equal(new ChartSuggestion(ChartKind.Line, 1, 0), suggestion);
    }

    [Fact]
    public void AMonthColumnAsText_AndANumber_SuggestsALine_WithASeriesPerValueOfTheOtherText()
    {
        var suggestion = ChartSuggestion.Suggest([new QueryColumn("country", "varchar"), new QueryColumn("month", "varchar"), new QueryColumn("revenue", "decimal(38,2)")]);

        Assert.Equal(new ChartSuggestion(ChartKind.Line, 1, 2, Series: 0), suggestion);
    }

    [Fact]
    public void TwoNumbers_SuggestAScatter()
    {
        var suggestion = ChartSuggestion.Suggest([new QueryColumn("quantity", "bigint"), new QueryColumn("amount", "decimal(10,2)")]);

        Assert.Equal(new ChartSuggestion(ChartKind.Scatter, 0, 1), suggestion);
    }

    [Fact]
    public void RawRows_PlotTheMeasure_NotTheIdentifiers()
    {
        var suggestion = ChartSuggestion.Suggest([new QueryColumn("transactionid", "bigint"), new QueryColumn("customerid", "bigint"), new QueryColumn("timestamp", "timestamp"), new QueryColumn("amount", "decimal(10,2)")]);

        Assert.Equal(new ChartSuggestion(ChartKind.Line, 2, 3), suggestion);
    }

    [Fact]
    public void NoNumber_SuggestsNothing()
    {
        Assert.Null(ChartSuggestion.Suggest([new QueryColumn("country", "varchar"), new QueryColumn("city", "varchar")]));
    }
}
