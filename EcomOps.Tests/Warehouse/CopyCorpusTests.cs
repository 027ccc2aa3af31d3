using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>
/// Every statement of Corpus/copy_statements.sql (the forms of Redshift's COPY documentation) parses to the options
/// it is annotated with, or is refused with a message naming the part and its line and column.
/// </summary>
public sealed class CopyCorpusTests
{
    [Fact]
    public void Corpus_HoldsAtLeast25DocumentedStatements_AcceptedAndRefused()
    {
        Assert.True(CopyCorpus.All.Count >= 25, $"{CopyCorpus.All.Count} cases in {CopyCorpus.FilePath}");
        Assert.True(CopyCorpus.All.Count(c => !c.IsRefused) >= 25);
        Assert.True(CopyCorpus.All.Count(c => c.IsRefused) >= 15);
        Assert.All(CopyCorpus.All, c => Assert.False(string.IsNullOrWhiteSpace(c.Text), c.Title));
        Assert.Equal(CopyCorpus.All.Count, CopyCorpus.All.Select(c => c.Title).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CopyCorpus.AcceptedTitles), MemberType = typeof(CopyCorpus))]
    public void DocumentedStatement_ParsesToTheAnnotatedOptions(string title)
    {
        var c = CopyCorpus.Get(title);
        var statement = CopyParser.Parse(c.Text);
        var e = c.Expect;

        Assert.Equal(CopyCorpus.ExpectedOptions(c), statement.Options);
        if (e.TryGetValue("table", out var table))
        {
            Assert.Equal(table, statement.Target.Sql);
        }
        Assert.Equal(e.TryGetValue("columns", out var columns) ? columns.Split(',') : [], statement.Columns);
        if (e.TryGetValue("source", out var source))
        {
            Assert.Equal(source, statement.Source.Uri);
        }
        if (e.TryGetValue("bucket", out var bucket))
        {
            Assert.Equal(bucket, statement.Source.Bucket);
        }
        if (e.TryGetValue("key", out var key))
        {
            Assert.Equal(key, statement.Source.Key);
        }
        Assert.Equal(e.TryGetValue("manifest", out var manifest) && bool.Parse(manifest), statement.Source.IsManifest);
        if (e.TryGetValue("auth", out var auth))
        {
            Assert.Equal(Enum.Parse<CopyAuthorizationKind>(auth), statement.Authorization.Kind);
        }
        if (e.TryGetValue("role", out var role))
        {
            Assert.Equal(role, statement.Authorization.IamRole);
        }
        Assert.Equal(e.TryGetValue("warnings", out var warnings) ? warnings.Split(',') : [], statement.Warnings.Select(w => w.Option));
    }

    [Theory]
    [MemberData(nameof(CopyCorpus.RefusedTitles), MemberType = typeof(CopyCorpus))]
    public void RefusedStatement_NamesThePartAndItsLineAndColumn(string title)
    {
        var c = CopyCorpus.Get(title);

        var refusal = Assert.Throws<CopyParseException>(() => CopyParser.Parse(c.Text));

        Assert.Equal(c.Expect["refused"], refusal.Part);
        var at = c.Expect["at"].Split(':');
        Assert.Equal((int.Parse(at[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(at[1], System.Globalization.CultureInfo.InvariantCulture)), (refusal.Position.Line, refusal.Position.Column));
        Assert.StartsWith($"COPY refused at line {at[0]}, column {at[1]}: ", refusal.Message, StringComparison.Ordinal);
        if (c.Expect.TryGetValue("says", out var says))
        {
            Assert.Contains(says, refusal.Message, StringComparison.Ordinal);
        }
    }
}
