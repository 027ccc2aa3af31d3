using System.Text;
using EcomOps.Core.Datasets;
using EcomOps.Core.Lake;

namespace EcomOps.Tests.Lake;

public sealed class CsvInspectorTests
{
    [Fact]
    public void GoodFile_IsRecognizedFromItsHeader_WithNoProblems()
    {
        var inspection = CsvInspector.Inspect(CsvCorpus.Good, true, "people.csv", null);

        Assert.Null(inspection.Refusal);
        Assert.Same(DatasetRegistry.Customers, inspection.Dataset);
        Assert.Empty(inspection.BadRows);
        Assert.Equal(3, inspection.RowsChecked);
        Assert.True(inspection.CheckedWholeFile);
    }

    [Theory]
    [MemberData(nameof(CsvCorpus.Malformed), MemberType = typeof(CsvCorpus))]
    public void MalformedFile_GivesItsMessage(string name, byte[] content, string message, bool refused)
    {
        var inspection = CsvInspector.Inspect(content, true, $"{name}.csv", null);

        Assert.Equal(refused, inspection.Refused);
        var text = refused ? inspection.Refusal! : string.Join("\n", inspection.BadRows);
        Assert.Contains(message, text);
        if (refused)
        {
            Assert.StartsWith($"'{name}.csv'", text);
        }
        else
        {
            Assert.Equal(1, inspection.BadRowCount);
        }
    }

    [Fact]
    public void ByteOrderMark_IsAcceptedAndNoticed()
    {
        var inspection = CsvInspector.Inspect((byte[])[.. Encoding.UTF8.Preamble, .. CsvCorpus.Good], true, "bom.csv", null);

        Assert.False(inspection.Refused);
        Assert.True(inspection.HasByteOrderMark);
        Assert.Empty(inspection.BadRows);
        Assert.Equal(DatasetRegistry.Customers.ColumnNames, inspection.Header);
    }

    [Fact]
    public void CrLfLineEndings_AreAccepted_AndValuesHaveNoCarriageReturn()
    {
        var crlf = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(CsvCorpus.Good).Replace("\n", "\r\n", StringComparison.Ordinal));

        var inspection = CsvInspector.Inspect(crlf, true, "crlf.csv", null);

        Assert.False(inspection.Refused);
        Assert.True(inspection.HasCrLf);
        Assert.Empty(inspection.BadRows);
    }

    [Fact]
    public void ChosenDataset_IsCheckedEvenWhenTheHeaderLooksLikeAnother()
    {
        var inspection = CsvInspector.Inspect(CsvCorpus.Good, true, "people.csv", DatasetRegistry.Transactions);

        Assert.True(inspection.Refused);
        Assert.Contains("does not match transactions_data", inspection.Refusal);
    }

    [Fact]
    public void OnlyTheFirstRowsAreChecked_AndProblemsAreCountedBeyondTheListed()
    {
        var lines = new List<string> { CsvCorpus.CustomersHeader };
        lines.AddRange(Enumerable.Range(1, 1_500).Select(i => $"{i},n,e@x.com,c,{(i % 5 == 0 ? "bad" : "2024-01-01")}"));

        var inspection = CsvInspector.Inspect(CsvCorpus.Lines([.. lines]), true, "many.csv", null);

        Assert.Equal(1_000, inspection.RowsChecked);
        Assert.False(inspection.CheckedWholeFile);
        Assert.Equal(200, inspection.BadRowCount);
        Assert.Equal(CsvInspector.MaxReportedProblems, inspection.BadRows.Count);
        Assert.Equal(6, inspection.BadRows[0].Line);
    }
}
