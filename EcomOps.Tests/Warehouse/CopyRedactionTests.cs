using EcomOps.Core.Security;
using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>Access keys in a COPY never show: not in the redacted text, ToString, warnings or refusals.</summary>
public sealed class CopyRedactionTests
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

    public static TheoryData<string> WithKeys => new()
    {
        $"copy listing from 's3://mybucket/data/' credentials 'aws_access_key_id={KeyId};aws_secret_access_key={Secret};token={Token}' csv;",
        $"copy listing from 's3://mybucket/data/' with credentials as 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}';",
        $"copy listing from 's3://mybucket/data/' access_key_id '{KeyId}' secret_access_key '{Secret}' session_token '{Token}';",
    };

    [Theory]
    [MemberData(nameof(WithKeys))]
    public void StatementWithKeys_ShowsPlaceholdersEverywhere(string text)
    {
        var statement = CopyParser.Parse(text);

        Assert.True(statement.UsesCredentials);
        Assert.Equal(CopyAuthorizationKind.AccessKeys, statement.Authorization.Kind);
        string[] shown =
        [
            statement.Redacted, statement.ToString(), statement.Form.ToString(), statement.Authorization.ToString(),
            statement.Authorization.Credentials!.ToString(), string.Join('\n', statement.Warnings),
        ];
        foreach (var view in shown)
        {
            Assert.DoesNotContain(KeyId, view, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, view, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, view, StringComparison.Ordinal);
        }
        Assert.Contains("SECRET_ACCESS_KEY '***'", statement.Redacted, StringComparison.Ordinal);
        Assert.Contains(statement.Warnings, w => w.Message.Contains("IAM_ROLE", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(WithKeys))]
    public void StatementWithKeys_WritesThemOnlyWhenAskedExplicitly(string text)
    {
        var statement = CopyParser.Parse(text);

        var runnable = CopyRenderer.Render(statement.Form, includeSecrets: true);

        Assert.Contains(Secret, runnable, StringComparison.Ordinal);
        Assert.Equal(statement.Form, CopyParser.Parse(runnable).Form);
    }

    [Theory]
    [InlineData($"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}' JSON 'auto';")]
    [InlineData($"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret={Secret}';")]
    [InlineData($"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId}';")]
    [InlineData($"COPY t FROM 's3://b/k' CREDENTIALS '{KeyId};{Secret}';")]
    [InlineData($"COPY t FROM 's3://b/k' CREDENTIALS '{KeyId}={Secret}';")]
    [InlineData($"COPY t FROM 's3://b/k' ACCESS_KEY_ID {KeyId} SECRET_ACCESS_KEY {Secret};")]
    [InlineData($"COPY t FROM 's3://b/k' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}' IAM_ROLE default;")]
    [InlineData($"COPY t FROM 's3://b/k' SECRET_ACCESS_KEY '{Secret}';")]
    [InlineData($"COPY t FROM 's3://b/k' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}; -- unterminated")]
    public void RefusedStatementWithKeys_RefusalAndRedactedTextHideThem(string text)
    {
        var refusal = Assert.Throws<CopyParseException>(() => CopyParser.Parse(text));
        var redacted = SecretRedactor.Redact(text);

        foreach (var view in new[] { refusal.Message, refusal.Part, refusal.ToString(), redacted })
        {
            Assert.DoesNotContain(Secret, view, StringComparison.Ordinal);
            Assert.DoesNotContain(KeyId, view, StringComparison.Ordinal);
        }
        Assert.StartsWith("COPY t FROM 's3://b/k' ", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactedText_LeavesStatementsWithoutKeysAsWritten()
    {
        const string text = "copy listing from 's3://mybucket/data/' -- a comment\niam_role default csv null as '\\N';";

        Assert.Equal(text, SecretRedactor.Redact(text));
    }
}
