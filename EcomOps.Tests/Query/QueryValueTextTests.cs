using System.Globalization;
using EcomOps.Core.Query;

namespace EcomOps.Tests.Query;

/// <summary>Result types and values as Athena shows them, whichever engine answered.</summary>
public sealed class QueryValueTextTests
{
    [Theory]
    [InlineData("BIGINT", "bigint")]
    [InlineData("INTEGER", "integer")]
    [InlineData("HUGEINT", "decimal(38,0)")]
    [InlineData("DECIMAL(10,2)", "decimal(10,2)")]
    [InlineData("DECIMAL(38, 4)", "decimal(38,4)")]
    [InlineData("DOUBLE", "double")]
    [InlineData("FLOAT", "real")]
    [InlineData("VARCHAR", "varchar")]
    [InlineData("BOOLEAN", "boolean")]
    [InlineData("DATE", "date")]
    [InlineData("TIMESTAMP", "timestamp")]
    [InlineData("TIMESTAMP WITH TIME ZONE", "timestamp with time zone")]
    [InlineData("BLOB", "varbinary")]
    [InlineData("INTEGER[]", "array(integer)")]
    [InlineData("VARCHAR[][]", "array(array(varchar))")]
    [InlineData("MAP(VARCHAR, BIGINT)", "map(varchar, bigint)")]
    [InlineData("STRUCT(a INTEGER, \"b c\" VARCHAR)", "row(a integer, b c varchar)")]
    public void DuckDbTypes_ReadInAthenasNames(string duckDb, string athena)
    {
        Assert.Equal(athena, AthenaTypes.FromDuckDb(duckDb));
    }

    [Fact]
    public void Values_ReadAsAthenaWritesThem_WhateverTheCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Equal("12.50", QueryValueText.Format(12.5m, "decimal(10,2)"));
            Assert.Equal("-0.25", QueryValueText.Format(-0.25m, "decimal(10,2)"));
            Assert.Equal("1234.5", QueryValueText.Format(1234.5m, "decimal"));
            Assert.Equal("2.5", QueryValueText.Format(2.5d, "double"));
            Assert.Equal("true", QueryValueText.Format(true, "boolean"));
            Assert.Equal("2024-02-29", QueryValueText.Format(new DateTime(2024, 2, 29), "date"));
            Assert.Equal("2024-02-29", QueryValueText.Format(new DateOnly(2024, 2, 29), "date"));
            Assert.Equal("2024-02-29 13:04:05.000", QueryValueText.Format(new DateTime(2024, 2, 29, 13, 4, 5), "timestamp"));
            Assert.Equal("2024-02-29 13:04:05.000 UTC", QueryValueText.Format(new DateTimeOffset(2024, 2, 29, 14, 4, 5, TimeSpan.FromHours(1)), "timestamp with time zone"));
            Assert.Equal("[1, 2, null]", QueryValueText.Format(new List<int?> { 1, 2, null }, "array(integer)"));
            Assert.Equal("{a=1.50}", QueryValueText.Format(new Dictionary<string, decimal> { ["a"] = 1.5m }, "map(varchar, decimal(10,2))"));
            Assert.Null(QueryValueText.Format(null, "varchar"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task Csv_HasAHeader_QuotesWhereNeeded_AndNullIsAnEmptyField()
    {
        var text = new StringWriter();
        var csv = new QueryCsvWriter(text);

        await csv.StartAsync([new QueryColumn("name", "varchar"), new QueryColumn("amount", "decimal(10,2)"), new QueryColumn("at", "timestamp")], CancellationToken.None);
        await csv.WriteAsync(["a, \"b\"", 1234.5m, new DateTime(2025, 3, 4, 5, 6, 7)], CancellationToken.None);
        await csv.WriteAsync([null, -0.25m, null], CancellationToken.None);

        Assert.Equal("name,amount,at\r\n\"a, \"\"b\"\"\",1234.50,2025-03-04 05:06:07.000\r\n,-0.25,\r\n", text.ToString());
        Assert.Equal(2, csv.Rows);
    }
}
