namespace EcomOps.Core.Warehouse;

/// <summary>
/// The format and the data-conversion, compression and load options of a COPY, typed for a loader.
/// A null or default value means "not given": Redshift's default applies (named on each property), and the
/// renderer leaves the option out, so a form round-trips to the same text.
/// </summary>
public sealed record CopyOptions
{
    /// <summary>The data format; default <see cref="CopyFormat.Text"/> (pipe-delimited text), as in Redshift.</summary>
    public CopyFormat Format { get; init; } = CopyFormat.Text;

    /// <summary><c>DELIMITER</c> as given, or null. Use <see cref="EffectiveDelimiter"/> to read the files.</summary>
    public char? Delimiter { get; init; }

    /// <summary>The field delimiter in effect: <see cref="Delimiter"/>, else <c>','</c> for CSV and <c>'|'</c> for text.</summary>
    public char EffectiveDelimiter => Delimiter ?? (Format == CopyFormat.Csv ? ',' : '|');

    /// <summary><c>QUOTE</c> as given (CSV only), or null. Use <see cref="EffectiveQuote"/>.</summary>
    public char? Quote { get; init; }

    /// <summary>The CSV quote character in effect: <see cref="Quote"/>, else <c>'"'</c>.</summary>
    public char EffectiveQuote => Quote ?? '"';

    /// <summary><c>IGNOREHEADER</c>: lines skipped at the start of every file; default 0.</summary>
    public int IgnoreHeader { get; init; }

    /// <summary><c>MAXERROR</c>: rejected rows tolerated before the load fails and loads nothing; default 0, at most 100,000.</summary>
    public int MaxError { get; init; }

    /// <summary><c>DATEFORMAT</c>: <c>auto</c> or a pattern such as <c>MM/DD/YYYY</c>; null means Redshift's <c>YYYY-MM-DD</c>.</summary>
    public string? DateFormat { get; init; }

    /// <summary>
    /// <c>TIMEFORMAT</c>: <c>auto</c>, <c>epochsecs</c>, <c>epochmillisecs</c> or a pattern such as
    /// <c>YYYY-MM-DD HH:MI:SS</c>; null means Redshift's <c>YYYY-MM-DD HH:MI:SS</c>.
    /// </summary>
    public string? TimeFormat { get; init; }

    /// <summary><c>NULL AS</c>: the field text loaded as NULL; null means Redshift's default, <c>\N</c>.</summary>
    public string? NullAs { get; init; }

    /// <summary><c>BLANKSASNULL</c>: fields of only white space load as NULL (character columns).</summary>
    public bool BlanksAsNull { get; init; }

    /// <summary><c>EMPTYASNULL</c>: empty fields load as NULL (character columns).</summary>
    public bool EmptyAsNull { get; init; }

    /// <summary><c>ACCEPTINVCHARS</c>: the replacement for invalid UTF-8 (default <c>'?'</c> when given bare); null = invalid UTF-8 fails the row.</summary>
    public char? AcceptInvChars { get; init; }

    /// <summary><c>ACCEPTANYDATE</c>: dates that do not match <see cref="DateFormat"/> load as NULL instead of failing.</summary>
    public bool AcceptAnyDate { get; init; }

    /// <summary><c>TRUNCATECOLUMNS</c>: over-long VARCHAR/CHAR values are cut to the column's width.</summary>
    public bool TruncateColumns { get; init; }

    /// <summary><c>FILLRECORD</c>: rows with missing trailing columns load with NULLs (or empty strings) there.</summary>
    public bool FillRecord { get; init; }

    /// <summary><c>REMOVEQUOTES</c> (text only): surrounding quotes are removed from fields.</summary>
    public bool RemoveQuotes { get; init; }

    /// <summary><c>ESCAPE</c> (text only): a backslash escapes the next character.</summary>
    public bool Escape { get; init; }

    /// <summary><c>ROUNDEC</c>: decimals with more scale than the column are rounded rather than truncated.</summary>
    public bool RoundEc { get; init; }

    /// <summary><c>TRIMBLANKS</c>: trailing blanks are removed from VARCHAR values.</summary>
    public bool TrimBlanks { get; init; }

    /// <summary><c>IGNOREBLANKLINES</c>: lines holding only a line feed are skipped.</summary>
    public bool IgnoreBlankLines { get; init; }

    /// <summary><c>EXPLICIT_IDS</c>: IDENTITY columns take the values in the files.</summary>
    public bool ExplicitIds { get; init; }

    /// <summary><c>GZIP</c>, <c>BZIP2</c> or <c>ZSTD</c>; default none.</summary>
    public CopyCompression Compression { get; init; }

    /// <summary><c>NOLOAD</c>: check the files and report errors, loading no rows.</summary>
    public bool NoLoad { get; init; }

    /// <summary><c>REGION</c>: the bucket's AWS region when it differs from the cluster's; null = the cluster's.</summary>
    public string? Region { get; init; }

    /// <summary><c>COMPUPDATE</c>; no effect on the local warehouse.</summary>
    public CopyCompUpdate CompUpdate { get; init; }

    /// <summary><c>COMPROWS</c>: rows sampled for compression analysis, 1000 or more; null = Redshift's default (100,000 a slice). No local effect.</summary>
    public int? CompRows { get; init; }

    /// <summary><c>STATUPDATE</c>: true for ON/TRUE (or bare), false for OFF/FALSE, null when not given. No local effect.</summary>
    public bool? StatUpdate { get; init; }
}

/// <summary>
/// What a COPY says, without warnings or positions: what the New-load wizard fills and
/// <see cref="CopyRenderer"/> turns into text. Two forms are equal when every part is (columns in order).
/// </summary>
public sealed record CopyLoadForm
{
    /// <summary>The target table.</summary>
    public required CopyTableName Target { get; init; }

    /// <summary>The column list, in file order; empty means all the table's columns in table order.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The S3 source (prefix or manifest).</summary>
    public required CopySource Source { get; init; }

    /// <summary>The authorization; default none.</summary>
    public CopyAuthorization Authorization { get; init; } = CopyAuthorization.None;

    /// <summary>Format and options.</summary>
    public CopyOptions Options { get; init; } = new();

    /// <inheritdoc />
    public bool Equals(CopyLoadForm? other) =>
        other is not null
        && Target == other.Target
        && Columns.SequenceEqual(other.Columns, StringComparer.Ordinal)
        && Source == other.Source
        && Authorization == other.Authorization
        && Options == other.Options;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Target, Columns.Count, Source, Authorization, Options);

    /// <summary>The form as canonical COPY text with secrets redacted (not checked: a contradictory form shows as written).</summary>
    public override string ToString() => CopyRenderer.Write(this, includeSecrets: false);
}
