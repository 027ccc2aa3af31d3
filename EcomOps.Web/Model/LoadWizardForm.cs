using EcomOps.Core.Warehouse;

namespace EcomOps.Web.Model;

/// <summary>The file formats the New load wizard offers.</summary>
public enum LoadFileFormat
{
    Csv,
    Parquet,
}

/// <summary>
/// The New load wizard's choices, turned into a <see cref="CopyLoadForm"/> and rendered by Core's
/// <see cref="CopyRenderer"/>. Options are passed as chosen, whatever the format, so a contradiction (MAXERROR with
/// PARQUET) is refused with the parser's reason instead of being hidden.
/// </summary>
public sealed class LoadWizardForm(string bucket)
{
    public const string PlaceholderRole = "arn:aws:iam::123456789012:role/ecomops-redshift-copy";

    public string Bucket { get; } = bucket;

    /// <summary>The lake prefix to load, such as <c>raw/transactions_data/</c>.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The target table's name.</summary>
    public string? Table { get; set; }

    public LoadFileFormat Format { get; set; } = LoadFileFormat.Csv;

    /// <summary>CSV only: the files start with a header line (IGNOREHEADER 1).</summary>
    public bool Header { get; set; } = true;

    public int MaxError { get; set; }

    public string? DateFormat { get; set; }

    public string? TimeFormat { get; set; }

    public string? NullAs { get; set; }

    public bool BlanksAsNull { get; set; }

    public bool EmptyAsNull { get; set; }

    public bool TruncateColumns { get; set; }

    public bool AcceptInvChars { get; set; }

    /// <summary>The IAM role ARN; empty means none (the local warehouse needs none, Redshift does).</summary>
    public string IamRole { get; set; } = PlaceholderRole;

    /// <summary>The source URI the COPY reads.</summary>
    public string SourceUri => $"s3://{Bucket}/{Prefix}";

    /// <summary>
    /// Picks the table a dataset's folder names: <c>raw/transactions_data/</c> loads <c>transactions_data</c>; the
    /// format follows the top folder (<c>parquet/</c> is Parquet).
    /// </summary>
    public void ChoosePrefix(string prefix, IEnumerable<string> tables)
    {
        Prefix = prefix;
        var parts = prefix.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && tables.FirstOrDefault(t => string.Equals(t, parts[^1], StringComparison.OrdinalIgnoreCase)) is { } table)
        {
            Table = table;
        }

        if (parts.Length > 0)
        {
            Format = string.Equals(parts[0], "parquet", StringComparison.OrdinalIgnoreCase) ? LoadFileFormat.Parquet : LoadFileFormat.Csv;
        }
    }

    /// <summary>The form as Core takes it; <paramref name="noLoad"/> makes it a check that loads nothing.</summary>
    public CopyLoadForm ToForm(bool noLoad = false) => new()
    {
        Target = new CopyTableName(null, Table ?? ""),
        Source = new CopySource(Bucket, Prefix),
        Authorization = string.IsNullOrWhiteSpace(IamRole) ? CopyAuthorization.None : CopyAuthorization.Role(IamRole.Trim()),
        Options = new CopyOptions
        {
            Format = Format == LoadFileFormat.Parquet ? CopyFormat.Parquet : CopyFormat.Csv,
            IgnoreHeader = Format == LoadFileFormat.Csv && Header ? 1 : 0,
            MaxError = MaxError,
            DateFormat = Blank(DateFormat),
            TimeFormat = Blank(TimeFormat),
            NullAs = string.IsNullOrEmpty(NullAs) ? null : NullAs,
            BlanksAsNull = BlanksAsNull,
            EmptyAsNull = EmptyAsNull,
            TruncateColumns = TruncateColumns,
            AcceptInvChars = AcceptInvChars ? '?' : null,
            NoLoad = noLoad,
        },
    };

    /// <summary>The COPY text, or the reason it cannot be one.</summary>
    public (string? Copy, string? Error) Render(bool noLoad = false)
    {
        if (string.IsNullOrWhiteSpace(Table))
        {
            return (null, "Pick the table to load into.");
        }

        if (Prefix.Length == 0)
        {
            return (null, "Pick the lake prefix to load from, such as raw/transactions_data/.");
        }

        try
        {
            return (CopyRenderer.Render(ToForm(noLoad)), null);
        }
        catch (ArgumentException e)
        {
            // The parser's own words, without the exception's "(Parameter 'form')" tail.
            return (null, e.InnerException is CopyParseException parse ? $"This combination cannot be a COPY: {parse.Detail}" : e.Message);
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
