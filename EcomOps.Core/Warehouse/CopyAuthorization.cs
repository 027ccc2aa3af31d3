namespace EcomOps.Core.Warehouse;

/// <summary>How a COPY is authorized to read S3.</summary>
public enum CopyAuthorizationKind
{
    /// <summary>No authorization clause. Redshift refuses such a COPY; the local warehouse does not need one.</summary>
    None,

    /// <summary><c>IAM_ROLE 'arn:aws:iam::…:role/…'</c> (or a comma-separated role chain), the recommended form.</summary>
    IamRole,

    /// <summary><c>IAM_ROLE default</c>: the role set as the cluster's default.</summary>
    DefaultIamRole,

    /// <summary>
    /// Access keys: <c>ACCESS_KEY_ID</c>/<c>SECRET_ACCESS_KEY</c>[/<c>SESSION_TOKEN</c>], or a
    /// <c>CREDENTIALS 'aws_access_key_id=…;aws_secret_access_key=…'</c> string. Accepted with a warning.
    /// </summary>
    AccessKeys,
}

/// <summary>
/// The authorization of a COPY. Its <see cref="ToString"/> and every rendered form hide the access keys;
/// only <see cref="CopyRenderer.Render(CopyLoadForm, bool)"/> with <c>includeSecrets: true</c> writes them.
/// </summary>
public sealed record CopyAuthorization
{
    private CopyAuthorization(CopyAuthorizationKind kind, string? iamRole, CopyCredentials? credentials)
    {
        Kind = kind;
        IamRole = iamRole;
        Credentials = credentials;
    }

    /// <summary>No authorization clause.</summary>
    public static CopyAuthorization None { get; } = new(CopyAuthorizationKind.None, null, null);

    /// <summary><c>IAM_ROLE default</c>.</summary>
    public static CopyAuthorization DefaultRole { get; } = new(CopyAuthorizationKind.DefaultIamRole, null, null);

    /// <summary>What kind of authorization this is.</summary>
    public CopyAuthorizationKind Kind { get; }

    /// <summary>The role ARN (or comma-separated chain) for <see cref="CopyAuthorizationKind.IamRole"/>; otherwise null.</summary>
    public string? IamRole { get; }

    /// <summary>The access keys for <see cref="CopyAuthorizationKind.AccessKeys"/>; otherwise null. Never printed.</summary>
    public CopyCredentials? Credentials { get; }

    /// <summary>True when the COPY carries secrets (access keys): store and show only its redacted text.</summary>
    public bool HasSecrets => Kind == CopyAuthorizationKind.AccessKeys;

    /// <summary><c>IAM_ROLE 'arn'</c>.</summary>
    public static CopyAuthorization Role(string arn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(arn);
        return new(CopyAuthorizationKind.IamRole, arn, null);
    }

    /// <summary>Access keys (accepted, but a role is recommended: keys end up in statement text and logs).</summary>
    public static CopyAuthorization Keys(CopyCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new(CopyAuthorizationKind.AccessKeys, null, credentials);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        CopyAuthorizationKind.IamRole => $"IAM_ROLE '{IamRole}'",
        CopyAuthorizationKind.DefaultIamRole => "IAM_ROLE default",
        CopyAuthorizationKind.AccessKeys => Credentials!.ToString(),
        _ => "(none)",
    };
}

/// <summary>
/// AWS access keys given to a COPY. The values are kept only so the statement can be run; nothing public reads
/// them back, and <see cref="ToString"/> prints placeholders.
/// </summary>
public sealed class CopyCredentials : IEquatable<CopyCredentials>
{
    /// <summary>The placeholder written instead of a secret: the same mask as every other redacted value.</summary>
    public const string Placeholder = Security.SecretRedactor.Mask;

    /// <summary>Creates credentials; <paramref name="sessionToken"/> is for temporary (STS) keys.</summary>
    public CopyCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }

    // Internal on purpose: the renderer (asked explicitly) is the only way out, so no page or log binds to them.
    internal string AccessKeyId { get; }

    internal string SecretAccessKey { get; }

    internal string? SessionToken { get; }

    /// <summary>True for temporary credentials (a <c>SESSION_TOKEN</c> or <c>token=</c> was given).</summary>
    public bool HasSessionToken => SessionToken is not null;

    /// <inheritdoc />
    public bool Equals(CopyCredentials? other) =>
        other is not null
        && string.Equals(AccessKeyId, other.AccessKeyId, StringComparison.Ordinal)
        && string.Equals(SecretAccessKey, other.SecretAccessKey, StringComparison.Ordinal)
        && string.Equals(SessionToken, other.SessionToken, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CopyCredentials);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AccessKeyId, SecretAccessKey, SessionToken);

    /// <summary>The keys as COPY parameters with every value replaced by <see cref="Placeholder"/>.</summary>
    public override string ToString() =>
        $"ACCESS_KEY_ID '{Placeholder}' SECRET_ACCESS_KEY '{Placeholder}'" + (HasSessionToken ? $" SESSION_TOKEN '{Placeholder}'" : "");
}
