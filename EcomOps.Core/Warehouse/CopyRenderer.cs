using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Writes a <see cref="CopyLoadForm"/> as canonical COPY text: upper-case keywords, one clause a line, options in a
/// fixed order, only options that differ from Redshift's defaults. <see cref="CopyParser.Parse"/> reads the text
/// back to an equal form (secrets included only when asked).
/// </summary>
public static class CopyRenderer
{
    /// <summary>Renders the form.</summary>
    /// <param name="form">What to load.</param>
    /// <param name="includeSecrets">
    /// False (default): access keys are written as <see cref="CopyCredentials.Placeholder"/>, text fit to store and show.
    /// True: the real keys, for the one call that sends the statement to Redshift; never store or log that text.
    /// </param>
    /// <exception cref="ArgumentException">The form holds something the parser would refuse (the message says what).</exception>
    public static string Render(CopyLoadForm form, bool includeSecrets = false)
    {
        ArgumentNullException.ThrowIfNull(form);
        var text = Write(form, includeSecrets);
        // The wizard can fill contradictions (DELIMITER with PARQUET): refuse them here with the parser's own words
        // rather than hand Redshift a statement it will reject.
        try
        {
            _ = CopyParser.Parse(includeSecrets ? text : Write(form, includeSecrets: true));
        }
        catch (CopyParseException e)
        {
            throw new ArgumentException($"The load form cannot become a valid COPY: {e.Detail}", nameof(form), e);
        }
        return text;
    }

    /// <summary>The text without the validity check, for <see cref="CopyLoadForm.ToString"/>, which must not throw.</summary>
    internal static string Write(CopyLoadForm form, bool includeSecrets)
    {
        var o = form.Options;
        var sql = new StringBuilder("COPY ").Append(form.Target.Sql);
        if (form.Columns.Count > 0)
        {
            sql.Append(" (").AppendJoin(", ", form.Columns.Select(CopySql.Identifier)).Append(')');
        }
        var lines = new List<string> { "FROM " + CopySql.Literal(form.Source.Uri) };
        if (form.Source.IsManifest)
        {
            lines.Add("MANIFEST");
        }
        lines.AddRange(Authorization(form.Authorization, includeSecrets));
        if (o.Region is not null)
        {
            lines.Add("REGION " + CopySql.Literal(o.Region));
        }
        switch (o.Format)
        {
            case CopyFormat.Csv:
                lines.Add(o.Quote is { } quote ? "FORMAT AS CSV QUOTE AS " + CopySql.Literal(quote) : "FORMAT AS CSV");
                break;
            case CopyFormat.Parquet:
                lines.Add("FORMAT AS PARQUET");
                break;
        }
        Add(lines, o.Delimiter is not null, () => "DELIMITER AS " + CopySql.Literal(o.Delimiter!.Value));
        Add(lines, o.Compression != CopyCompression.None, () => o.Compression.ToString().ToUpperInvariant());
        Add(lines, o.IgnoreHeader != 0, () => "IGNOREHEADER " + CopySql.Number(o.IgnoreHeader));
        Add(lines, o.NullAs is not null, () => "NULL AS " + CopySql.Literal(o.NullAs!));
        Add(lines, o.DateFormat is not null, () => "DATEFORMAT AS " + CopySql.Literal(o.DateFormat!));
        Add(lines, o.TimeFormat is not null, () => "TIMEFORMAT AS " + CopySql.Literal(o.TimeFormat!));
        Add(lines, o.AcceptAnyDate, () => "ACCEPTANYDATE");
        Add(lines, o.AcceptInvChars is not null, () => "ACCEPTINVCHARS AS " + CopySql.Literal(o.AcceptInvChars!.Value));
        Add(lines, o.BlanksAsNull, () => "BLANKSASNULL");
        Add(lines, o.EmptyAsNull, () => "EMPTYASNULL");
        Add(lines, o.TruncateColumns, () => "TRUNCATECOLUMNS");
        Add(lines, o.TrimBlanks, () => "TRIMBLANKS");
        Add(lines, o.FillRecord, () => "FILLRECORD");
        Add(lines, o.RemoveQuotes, () => "REMOVEQUOTES");
        Add(lines, o.Escape, () => "ESCAPE");
        Add(lines, o.RoundEc, () => "ROUNDEC");
        Add(lines, o.IgnoreBlankLines, () => "IGNOREBLANKLINES");
        Add(lines, o.ExplicitIds, () => "EXPLICIT_IDS");
        Add(lines, o.MaxError != 0, () => "MAXERROR " + CopySql.Number(o.MaxError));
        Add(lines, o.CompUpdate != CopyCompUpdate.Default, () => "COMPUPDATE " + o.CompUpdate.ToString().ToUpperInvariant());
        Add(lines, o.CompRows is not null, () => "COMPROWS " + CopySql.Number(o.CompRows!.Value));
        Add(lines, o.StatUpdate is not null, () => "STATUPDATE " + (o.StatUpdate!.Value ? "ON" : "OFF"));
        Add(lines, o.NoLoad, () => "NOLOAD");
        foreach (var line in lines)
        {
            sql.Append('\n').Append(line);
        }
        return sql.Append(';').ToString();
    }

    private static IEnumerable<string> Authorization(CopyAuthorization authorization, bool includeSecrets)
    {
        switch (authorization.Kind)
        {
            case CopyAuthorizationKind.IamRole:
                yield return "IAM_ROLE " + CopySql.Literal(authorization.IamRole!);
                break;
            case CopyAuthorizationKind.DefaultIamRole:
                yield return "IAM_ROLE default";
                break;
            case CopyAuthorizationKind.AccessKeys:
                var keys = authorization.Credentials!;
                string Secret(string value) => CopySql.Literal(includeSecrets ? value : CopyCredentials.Placeholder);
                yield return "ACCESS_KEY_ID " + Secret(keys.AccessKeyId);
                yield return "SECRET_ACCESS_KEY " + Secret(keys.SecretAccessKey);
                if (keys.SessionToken is { } token)
                {
                    yield return "SESSION_TOKEN " + Secret(token);
                }
                break;
        }
    }

    private static void Add(List<string> lines, bool when, Func<string> line)
    {
        if (when)
        {
            lines.Add(line());
        }
    }
}
