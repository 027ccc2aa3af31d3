using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EcomOps.Core.Security;

/// <summary>
/// Replaces secret-looking values in text that is about to be stored, logged or shown with <see cref="Mask"/>,
/// keeping the keyword before them so people see that a credential was there: <c>CREDENTIALS '***'</c>,
/// <c>SECRET_ACCESS_KEY '***'</c>, <c>password=***</c>, <c>https://user:***@host</c>. Pure and thread-safe; never throws.
/// </summary>
/// <remarks>
/// <para>What is redacted: Redshift COPY authorization (<c>CREDENTIALS</c> strings holding keys, <c>ACCESS_KEY_ID</c>,
/// <c>SECRET_ACCESS_KEY</c>, <c>SESSION_TOKEN</c>, <c>MASTER_SYMMETRIC_KEY</c>), DuckDB <c>CREATE SECRET (KEY_ID ...,
/// SECRET ...)</c>, passwords in URLs, signed-URL query parameters (<c>X-Amz-Signature</c>, <c>X-Amz-Credential</c>,
/// <c>X-Amz-Security-Token</c>...), <c>password=</c>/<c>pwd=</c>/<c>secret=</c>/<c>token=</c> pairs, AWS access key ids
/// (<c>AKIA</c>/<c>ASIA</c>) and the 40-character secret keys written near them, bearer tokens and JWTs, chat webhook
/// URLs (Slack, Discord, Teams), GitHub and Slack tokens, and PEM private keys.</para>
/// <para>What is kept: IAM role ARNs (<c>IAM_ROLE 'arn:...'</c>, <c>CREDENTIALS 'aws_iam_role=arn:...'</c>). An ARN names a
/// role; it grants nothing by itself (the role's trust policy decides who may assume it), ops staff need it to tell
/// an "is not authorized" error apart, and the Redshift and IAM consoles show it to anyone who can read the cluster.
/// Secrets Manager ARNs are kept for the same reason.</para>
/// <para>It works on text, so it errs towards hiding: a value named <c>token=</c> is hidden even where it was not
/// secret. It does not parse SQL; ordinary statements, numbers, paths and file names come out unchanged.</para>
/// </remarks>
public static partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>The text with every secret-looking value replaced by <see cref="Mask"/>; null stays null.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var result = text;
        result = PrivateKey().Replace(result, "-----BEGIN PRIVATE KEY-----" + Mask + "-----END PRIVATE KEY-----");
        result = CredentialsClause().Replace(result, RedactCredentialsClause);
        result = KeywordValue().Replace(result, m => m.Groups["head"].Value + Masked(m.Groups["value"].Value));
        result = RedactCreateSecret(result);
        result = UrlPassword().Replace(result, m => m.Groups["head"].Value + Mask + "@");
        result = SignedUrlParameter().Replace(result, m => m.Groups["head"].Value + Mask);
        result = ChatWebhook().Replace(result, m => m.Groups["head"].Value + Mask);
        result = SecretPair().Replace(result, m => IsPlaceholder(m.Groups["value"].Value) ? m.Value : m.Groups["head"].Value + Masked(m.Groups["value"].Value));
        result = RedactSecretKeysNearKeyIds(result);
        result = AccessKeyId().Replace(result, Mask);
        result = Jwt().Replace(result, Mask);
        result = AuthorizationScheme().Replace(result, m => m.Groups["head"].Value + Mask);
        result = KnownToken().Replace(result, Mask);
        return result;
    }

    /// <summary>
    /// The JSON with <see cref="Redact(string?)"/> applied to every string value (property names are kept), still valid
    /// JSON that reads back into the same shape. Text that is not JSON is redacted as text.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(json))]
    public static string? RedactJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return json;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return Redact(json);
        }

        if (node is null || !RedactNode(node))
        {
            return json;
        }

        // Relaxed escaping keeps quotes and '+' as written, so the stored JSON stays readable.
        return node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// The exception to hand to a logger: the same one when its text holds no secret, otherwise one whose message and
    /// <see cref="Exception.ToString"/> (the stack trace and inner exceptions included) are redacted.
    /// </summary>
    public static Exception ForLog(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = exception.ToString();
        var redacted = Redact(text);
        return ReferenceEquals(text, redacted) || text == redacted ? exception : new RedactedException(Redact(exception.Message), redacted);
    }

    /// <summary>True when <see cref="Redact(string?)"/> would change the text.</summary>
    public static bool ContainsSecret(string? text) => text is not null && Redact(text) != text;

    private static bool RedactNode(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        var redacted = Redact(text);
                        if (redacted != text)
                        {
                            obj[name] = redacted;
                            changed = true;
                        }
                    }
                    else if (child is not null)
                    {
                        changed |= RedactNode(child);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        var redacted = Redact(text);
                        if (redacted != text)
                        {
                            array[i] = redacted;
                            changed = true;
                        }
                    }
                    else if (array[i] is { } child)
                    {
                        changed |= RedactNode(child);
                    }
                }

                break;
        }

        return changed;
    }

    // A quoted value keeps its quotes, so a redacted statement still reads (and parses) as one.
    private static string Masked(string value) => value.Length >= 2 && (value[0] == '\'' || value[0] == '"') ? value[0] + Mask + value[0] : Mask;

    // Already hidden, or a placeholder in an explanation ("write token=<value>"): left as it is.
    private static bool IsPlaceholder(string value)
    {
        var bare = value.Trim('\'', '"');
        return bare.Length == 0 || bare.StartsWith(Mask, StringComparison.Ordinal) || bare.StartsWith('<') || bare.StartsWith("...", StringComparison.Ordinal) || bare.StartsWith('{') || bare.StartsWith('$');
    }

    private static string RedactCredentialsClause(Match match)
    {
        var value = match.Groups["value"].Value;
        var inner = value.Trim('\'');
        if (inner == Mask)
        {
            return match.Value;
        }

        // Only a role (or a chain of roles) is kept: the ARN is not a secret. Anything else in the string hides it all.
        var parts = inner.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var roleOnly = parts.Length > 0 && parts.All(p => p.StartsWith("aws_iam_role=arn:", StringComparison.OrdinalIgnoreCase) && !ContainsSecret(p["aws_iam_role=".Length..]));
        return roleOnly ? match.Value : match.Groups["head"].Value + "'" + Mask + "'";
    }

    // DuckDB secrets: CREATE [OR REPLACE] [PERSISTENT|TEMPORARY] SECRET name (TYPE s3, KEY_ID '...', SECRET '...', ...).
    private static string RedactCreateSecret(string text)
    {
        var match = CreateSecret().Match(text);
        if (!match.Success)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var at = 0;
        for (; match.Success; match = CreateSecret().Match(text, at))
        {
            var open = match.Index + match.Length;
            var close = ClosingParenthesis(text, open);
            builder.Append(text, at, open - at);
            builder.Append(SecretOption().Replace(text[open..close], m => m.Groups["head"].Value + Masked(m.Groups["value"].Value)));
            at = close;
            if (at >= text.Length)
            {
                break;
            }
        }

        return builder.Append(text, at, text.Length - at).ToString();
    }

    // The index of the ')' closing the list opened just before start, outside quotes; the end when there is none.
    private static int ClosingParenthesis(string text, int start)
    {
        var depth = 1;
        char? quote = null;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return i;
            }
        }

        return text.Length;
    }

    // A 40-character secret access key is only told from a hash or an id by the key id written near it.
    private static string RedactSecretKeysNearKeyIds(string text)
    {
        var ids = AccessKeyId().Matches(text);
        if (ids.Count == 0)
        {
            return text;
        }

        const int Window = 200;
        var chars = text.ToCharArray();
        var changed = false;
        foreach (Match id in ids)
        {
            var from = Math.Max(0, id.Index - Window);
            var to = Math.Min(text.Length, id.Index + id.Length + Window);
            foreach (Match secret in SecretAccessKey().Matches(text[from..to]))
            {
                // Never a stretch of the key id itself, nor a word or hex hash that merely has the length.
                if (!secret.Value.Any(char.IsDigit) || !secret.Value.Any(char.IsLower) || !secret.Value.Any(char.IsUpper))
                {
                    continue;
                }

                for (var i = 0; i < secret.Length; i++)
                {
                    chars[from + secret.Index + i] = '\0';
                }

                changed = true;
            }
        }

        if (!changed)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '\0')
            {
                builder.Append(Mask);
                while (i + 1 < chars.Length && chars[i + 1] == '\0')
                {
                    i++;
                }
            }
            else
            {
                builder.Append(chars[i]);
            }
        }

        return builder.ToString();
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // A SQL string: '' is an escaped quote; an unterminated one runs to the end of the text.
    private const string SqlString = @"'(?:[^']|'')*(?:'|$)";

    [GeneratedRegex(@"(?<head>\b(?:WITH\s+)?CREDENTIALS(?:\s+AS)?\s*)(?<value>" + SqlString + ")", Options)]
    private static partial Regex CredentialsClause();

    // COPY's key parameters, quoted or not. Unquoted, only a value as long as a key is taken (a secret key holds '/' and
    // '+'), so a sentence naming the parameter ("SESSION_TOKEN goes with ACCESS_KEY_ID") reads as written.
    [GeneratedRegex(@"(?<head>\b(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|MASTER_SYMMETRIC_KEY)(?:\s+AS\s+|\s*=\s*|\s+))(?<value>" + SqlString + @"|[A-Za-z0-9/+=_\-]{16,}(?![^\s';,)]))", Options)]
    private static partial Regex KeywordValue();

    [GeneratedRegex(@"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:PERSISTENT\s+|TEMPORARY\s+)?SECRET\b[^(;]*\(", Options)]
    private static partial Regex CreateSecret();

    [GeneratedRegex(@"(?<head>\b(?:KEY_ID|SECRET|SESSION_TOKEN|TOKEN|PASSWORD|ACCOUNT_KEY|CONNECTION_STRING|CLIENT_SECRET|BEARER_TOKEN|SERVICE_ACCOUNT_KEY)\s+)(?<value>" + SqlString + @"|[^\s,)']+)", Options)]
    private static partial Regex SecretOption();

    // scheme://user:password@host: the user is kept, the password hidden.
    [GeneratedRegex(@"(?<head>\b[a-z][a-z0-9+.\-]*://[^\s:/@'""]+:)(?!\*\*\*@)[^\s/@'""]+@", Options)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?<head>[?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|AWSAccessKeyId|Signature|x-goog-signature|x-goog-credential|sig|access_token|refresh_token|id_token|api_key|apikey|token|password|passwd|pwd|secret|client_secret)=)(?!\*\*\*)[^&\s'""#\\]+", Options)]
    private static partial Regex SignedUrlParameter();

    // Chat webhooks carry their secret in the path: everything after the fixed part is hidden.
    [GeneratedRegex(@"(?<head>\bhttps?://(?:hooks\.slack\.com/(?:services|workflows|triggers)/|(?:[a-z0-9\-]+\.)?discord(?:app)?\.com/api/webhooks/|[a-z0-9\-]+\.webhook\.office\.com/webhookb2/|outlook\.office(?:365)?\.com/webhook/))(?!\*\*\*)[^\s'""<>]+", Options)]
    private static partial Regex ChatWebhook();

    // key=value and "key": "value" pairs of connection strings, settings files and JSON.
    [GeneratedRegex(@"(?<head>(?<![\w\-])(?:password|passwd|pwd|secret|client_secret|secret_key|secretkey|secret_access_key|aws_secret_access_key|aws_session_token|session_token|token|access_token|refresh_token|id_token|auth_token|api_key|apikey|account_key|accountkey|sharedaccesskey)\s*=\s*|""(?:password|passwd|pwd|secret|client_secret|secret_access_key|session_token|token|access_token|refresh_token|api_key|apikey)""\s*:\s*)(?<value>""(?:[^""\\]|\\.)*""|'(?:[^']|'')*'|[^\s;'"",)\\]+)", Options)]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyId();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant)]
    private static partial Regex SecretAccessKey();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    // A scheme word followed by a token with a digit in it: "Basic configuration" is English, "Basic dXNlcjpwYXNz" is not.
    [GeneratedRegex(@"(?<head>\b(?:Bearer|Basic)\s+)(?!\*\*\*)(?=[A-Za-z._~+/\-]*[0-9])[A-Za-z0-9._~+/\-]{12,}=*", RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9\-]{10,}|sk_live_[A-Za-z0-9]{20,}|AIza[A-Za-z0-9_\-]{35})", RegexOptions.CultureInvariant)]
    private static partial Regex KnownToken();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    /// <summary>An exception as logged: the original's type name shows in the text, its secrets do not.</summary>
    private sealed class RedactedException(string message, string text) : Exception(message)
    {
        public override string? StackTrace => null;

        public override string ToString() => text;
    }
}
