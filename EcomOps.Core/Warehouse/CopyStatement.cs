namespace EcomOps.Core.Warehouse;

/// <summary>
/// A parsed, accepted Redshift COPY: what to load (<see cref="Form"/>) and what the user should hear
/// (<see cref="Warnings"/>). Its <see cref="ToString"/> is the <see cref="Redacted"/> text, safe to store and show.
/// </summary>
public sealed record CopyStatement
{
    private string? _redacted;

    /// <summary>Creates a statement from its form and the parser's warnings.</summary>
    public CopyStatement(CopyLoadForm form, IReadOnlyList<CopyWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(warnings);
        Form = form;
        Warnings = warnings;
    }

    /// <summary>Target, columns, source, authorization and options, as the renderer takes them.</summary>
    public CopyLoadForm Form { get; }

    /// <summary>Accepted but worth telling: access keys instead of a role, a clamped MAXERROR, no authorization, ...</summary>
    public IReadOnlyList<CopyWarning> Warnings { get; }

    /// <summary>The target table.</summary>
    public CopyTableName Target => Form.Target;

    /// <summary>The column list (empty: all columns in table order).</summary>
    public IReadOnlyList<string> Columns => Form.Columns;

    /// <summary>The S3 source; <see cref="CopySource.IsManifest"/> and <see cref="CopySource.Bucket"/> for the loader's checks.</summary>
    public CopySource Source => Form.Source;

    /// <summary>The authorization.</summary>
    public CopyAuthorization Authorization => Form.Authorization;

    /// <summary>Format and options.</summary>
    public CopyOptions Options => Form.Options;

    /// <summary>True when the statement carries access keys (and got a warning for it).</summary>
    public bool UsesCredentials => Form.Authorization.HasSecrets;

    /// <summary>
    /// The canonical COPY text with every secret replaced by <see cref="CopyCredentials.Placeholder"/>: what load
    /// history, logs and pages keep. It parses, but to placeholder keys.
    /// </summary>
    public string Redacted => _redacted ??= CopyRenderer.Render(Form);

    /// <inheritdoc />
    public bool Equals(CopyStatement? other) =>
        other is not null && Form == other.Form && Warnings.SequenceEqual(other.Warnings);

    /// <inheritdoc />
    public override int GetHashCode() => Form.GetHashCode();

    /// <summary>The <see cref="Redacted"/> text.</summary>
    public override string ToString() => Redacted;
}

/// <summary>
/// A COPY the parser refuses: unknown or unsupported option, contradiction, bad syntax, several statements.
/// The message names the part, where it is, and what to do; it never quotes a secret.
/// </summary>
public sealed class CopyParseException : FormatException
{
    /// <summary>Creates the exception; <paramref name="detail"/> says what is wrong and what to do.</summary>
    public CopyParseException(string part, CopyPosition position, string detail)
        : base($"COPY refused at {position}: {detail}")
    {
        Part = part;
        Position = position;
        Detail = detail;
    }

    /// <summary>The refused part: an option name (<c>JSON</c>), a keyword, or a short description (<c>the source</c>).</summary>
    public string Part { get; }

    /// <summary>Where the refused part starts in the statement text.</summary>
    public CopyPosition Position { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Detail { get; }
}
