using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>What the New-load wizard fills renders to COPY text that parses back to the same form.</summary>
public sealed class CopyRoundTripTests
{
    private static readonly CopySource Lake = new("ecomops-lake", "raw/transactions_data/");

    [Theory]
    [MemberData(nameof(CopyCorpus.AcceptedTitles), MemberType = typeof(CopyCorpus))]
    public void DocumentedStatement_RendersToCanonicalText_ThatParsesBackToTheSameForm(string title)
    {
        var parsed = CopyParser.Parse(CopyCorpus.Get(title).Text);

        var text = CopyRenderer.Render(parsed.Form, includeSecrets: true);
        var reparsed = CopyParser.Parse(text);

        Assert.Equal(parsed.Form, reparsed.Form);
        Assert.Equal(text, CopyRenderer.Render(reparsed.Form, includeSecrets: true));
    }

    [Fact]
    public void FormWithEveryTextOption_RoundTrips()
    {
        var form = new CopyLoadForm
        {
            Target = new CopyTableName("Staging", "order"),
            Columns = ["TransactionID", "customer id", "amount", "user"],
            Source = Lake,
            Authorization = CopyAuthorization.Role("arn:aws:iam::123456789012:role/A,arn:aws:iam::123456789012:role/B"),
            Options = new CopyOptions
            {
                Delimiter = '\t',
                IgnoreHeader = 2,
                MaxError = 100,
                DateFormat = "MM/DD/YYYY",
                TimeFormat = "epochsecs",
                NullAs = "\\N",
                BlanksAsNull = true,
                EmptyAsNull = true,
                AcceptInvChars = '^',
                AcceptAnyDate = true,
                TruncateColumns = true,
                FillRecord = true,
                RemoveQuotes = true,
                Escape = true,
                RoundEc = true,
                TrimBlanks = true,
                IgnoreBlankLines = true,
                ExplicitIds = true,
                Compression = CopyCompression.Gzip,
                NoLoad = true,
                Region = "eu-west-1",
                CompUpdate = CopyCompUpdate.Preset,
                CompRows = 50000,
                StatUpdate = false,
            },
        };

        var text = CopyRenderer.Render(form);

        Assert.Equal(form, CopyParser.Parse(text).Form);
        Assert.StartsWith("COPY \"Staging\".\"order\" (\"TransactionID\", \"customer id\", amount, \"user\")\nFROM 's3://ecomops-lake/raw/transactions_data/'\n", text, StringComparison.Ordinal);
        Assert.Contains("\nNULL AS '\\N'\n", text, StringComparison.Ordinal);
        Assert.EndsWith(";", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvAndParquetForms_RoundTrip_WithManifestAndDefaultRole()
    {
        CopyLoadForm[] forms =
        [
            new() { Target = new(null, "customer_data"), Source = Lake with { IsManifest = true }, Authorization = CopyAuthorization.DefaultRole, Options = new() { Format = CopyFormat.Parquet, AcceptInvChars = '?', FillRecord = true, ExplicitIds = true, StatUpdate = true } },
            new() { Target = new(null, "t"), Source = Lake, Options = new() { Format = CopyFormat.Csv, Quote = '\'', Delimiter = ';', IgnoreHeader = 1 } },
            new() { Target = new(null, "t"), Source = new("b", ""), Options = new() { Format = CopyFormat.Csv } },
        ];

        Assert.All(forms, form => Assert.Equal(form, CopyParser.Parse(CopyRenderer.Render(form)).Form));
    }

    [Theory]
    [InlineData("\\")]
    [InlineData("\\\\")]
    [InlineData("a\\")]
    [InlineData("\\'")]
    [InlineData("\\\t")]
    [InlineData("it's ''quoted''")]
    [InlineData("\\N")]
    [InlineData("\\0")]
    [InlineData("\0")]
    [InlineData("\u0001\u007f")]
    [InlineData("\r\n")]
    [InlineData("é €")]
    [InlineData("")]
    public void AnyStringValue_ReadsBackExactly(string value)
    {
        var form = new CopyLoadForm { Target = new(null, "t"), Source = Lake, Options = new() { NullAs = value, DateFormat = value.Length > 0 ? value : null } };

        Assert.Equal(form, CopyParser.Parse(CopyRenderer.Render(form)).Form);
    }

    [Fact]
    public void ContradictoryForm_IsRefusedByTheRenderer_WithTheParsersReason()
    {
        var form = new CopyLoadForm { Target = new(null, "t"), Source = Lake, Options = new() { Format = CopyFormat.Parquet, Delimiter = ',' } };

        var refusal = Assert.Throws<ArgumentException>(() => CopyRenderer.Render(form));

        Assert.Contains("DELIMITER cannot be used with FORMAT AS PARQUET", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccessKeys_RoundTripOnlyWhenSecretsAreAskedFor()
    {
        var keys = new CopyCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLE");
        var form = new CopyLoadForm { Target = new(null, "t"), Source = Lake, Authorization = CopyAuthorization.Keys(keys) };

        Assert.Equal(form, CopyParser.Parse(CopyRenderer.Render(form, includeSecrets: true)).Form);
        Assert.NotEqual(form, CopyParser.Parse(CopyRenderer.Render(form)).Form);
    }
}
