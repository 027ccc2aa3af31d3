using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Warehouse;

/// <summary>Parser behaviour a loader relies on beyond the corpus: defaults, names, positions, the project's own examples.</summary>
public sealed class CopyParserTests
{
    [Fact]
    public void PlainText_DefaultsToPipeDelimiter_CsvToComma_AndDoubleQuote()
    {
        var text = CopyParser.Parse("COPY t FROM 's3://b/k' IAM_ROLE default").Options;
        var csv = CopyParser.Parse("COPY t FROM 's3://b/k' IAM_ROLE default CSV").Options;

        Assert.Equal((CopyFormat.Text, '|', 0, 0), (text.Format, text.EffectiveDelimiter, text.IgnoreHeader, text.MaxError));
        Assert.Equal((CopyFormat.Csv, ',', '"'), (csv.Format, csv.EffectiveDelimiter, csv.EffectiveQuote));
        Assert.Null(csv.Delimiter);
    }

    [Fact]
    public void UnquotedNames_FoldToLowerCase_QuotedNamesKeepTheirCase()
    {
        var statement = CopyParser.Parse("COPY Sales.\"OrderLines\" (OrderID, \"LineNo\") FROM 's3://b/k' IAM_ROLE default;");

        Assert.Equal(new CopyTableName("sales", "OrderLines"), statement.Target);
        Assert.Equal(["orderid", "LineNo"], statement.Columns);
    }

    [Fact]
    public void ManifestOnAnotherBucket_ExposesTheBucketAndKeyForTheLoadersCheck()
    {
        var source = CopyParser.Parse("COPY t FROM 's3://other-bucket/manifests/load.manifest' IAM_ROLE default MANIFEST").Source;

        Assert.Equal(("other-bucket", "manifests/load.manifest", true), (source.Bucket, source.Key, source.IsManifest));
    }

    [Theory]
    [InlineData("", "COPY", 1, 1)]
    [InlineData("  -- only a comment\n", "COPY", 2, 1)]
    [InlineData("SELECT 1", "SELECT", 1, 1)]
    [InlineData("COPY t", "", 1, 7)]
    [InlineData("COPY db.sch.t FROM 's3://b/k'", "table name", 1, 12)]
    [InlineData("COPY t (a, a) FROM 's3://b/k'", "a", 1, 12)]
    [InlineData("COPY t (a b) FROM 's3://b/k'", "column list", 1, 11)]
    [InlineData("COPY t FROM s3://b/k", "FROM", 1, 13)]
    [InlineData("COPY t FROM 's3://b/k' /* never closed", "/*", 1, 24)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE 'not-an-arn'", "IAM_ROLE", 1, 33)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default ENCODING UTF16", "ENCODING", 1, 50)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default STATUPDATE PRESET", "STATUPDATE", 1, 52)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default FORMAT AS TEXT", "FORMAT", 1, 51)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default CSV DELIMITER '\"'", "DELIMITER", 1, 45)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default MAXERROR 99999999999", "MAXERROR", 1, 50)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default, CSV", ",", 1, 40)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default COMPROWS 10", "COMPROWS", 1, 41)]
    [InlineData("COPY t FROM 's3://b/k' IAM_ROLE default\r\n  NOLOAD\r\n  FORMAT AS PARQUET", "NOLOAD", 2, 3)]
    public void BadStatement_IsRefusedAtThePartThatIsWrong(string text, string part, int line, int column)
    {
        var refusal = Assert.Throws<CopyParseException>(() => CopyParser.Parse(text));

        Assert.Equal((part, line, column), (refusal.Part, refusal.Position.Line, refusal.Position.Column));
    }

    [Fact]
    public void TryParse_ReturnsTheRefusalInsteadOfThrowing()
    {
        Assert.False(CopyParser.TryParse("COPY t FROM 's3://b/k' JSON 'auto'", out var none, out var error));
        Assert.Null(none);
        Assert.Equal("JSON", error.Part);
        Assert.True(CopyParser.TryParse("COPY t FROM 's3://b/k' IAM_ROLE default;", out var statement, out var noError));
        Assert.Null(noError);
        Assert.Equal("t", statement.Target.Name);
    }

    [Fact]
    public void ProjectsOwnRedshiftExamples_AllParse()
    {
        var sql = File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", "redshift_examples.sql"))
            .Replace("${bucket}", "ecomops-lake", StringComparison.Ordinal)
            .Replace("${role_arn}", "arn:aws:iam::123456789012:role/EcomOpsRedshiftCopy", StringComparison.Ordinal);
        var copies = sql.Split(';').Select(s => s.Trim()).Where(s => StripComments(s).StartsWith("COPY", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(copies);
        Assert.All(copies, copy => Assert.Empty(CopyParser.Parse(copy + ";").Warnings));
    }

    private static string StripComments(string statement) =>
        string.Join('\n', statement.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim();
}
