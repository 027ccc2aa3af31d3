using System.Text.Json;
using EcomOps.Core.Security;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Security;

/// <summary>Secret-looking values are hidden with their keyword kept; ordinary SQL and text come out as written.</summary>
public sealed class SecretRedactorTests
{
    // AWS's documented example keys, and made-up tokens of the real shapes.
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string TempKeyId = "ASIAY34FZKBOKMUTVV7A";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6EXAMPLE";
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    private const string SlackPath = "T0EXAMPLE1/B0EXAMPLE2/XyZ9EXAMPLEtoken12345678";

    /// <summary>Input, the secret that must be gone, and what must show in its place.</summary>
    public static TheoryData<string, string, string> Secrets => new()
    {
        // Redshift COPY authorization, as written by hand: any case, WITH / AS, spacing, line breaks.
        { $"COPY sales FROM 's3://lake/sales/' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}' CSV;", Secret, "CREDENTIALS '***' CSV;" },
        { $"copy sales from 's3://lake/sales/' credentials 'aws_access_key_id={TempKeyId};aws_secret_access_key={Secret};token={Token}'", Token, "credentials '***'" },
        { $"COPY t FROM 's3://b/k'\n  WITH CREDENTIALS AS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}'\n  IGNOREHEADER 1", KeyId, "WITH CREDENTIALS AS '***'\n  IGNOREHEADER 1" },
        { $"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}", Secret, "CREDENTIALS '***'" },
        { $"COPY t FROM 's3://b/k' CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/r;aws_access_key_id={KeyId};aws_secret_access_key={Secret}'", Secret, "CREDENTIALS '***'" },
        { $"COPY t FROM 's3://b/k' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}' SESSION_TOKEN '{Token}' FORMAT AS PARQUET", Secret, "ACCESS_KEY_ID '***' SECRET_ACCESS_KEY '***' SESSION_TOKEN '***' FORMAT AS PARQUET" },
        { $"COPY t FROM 's3://b/k' access_key_id {KeyId} secret_access_key {Secret} session_token {Token};", Token, "access_key_id *** secret_access_key *** session_token ***;" },
        { $"COPY t FROM 's3://b/k' ACCESS_KEY_ID AS '{KeyId}' SECRET_ACCESS_KEY AS '{Secret}'", KeyId, "ACCESS_KEY_ID AS '***' SECRET_ACCESS_KEY AS '***'" },
        { "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/r' MASTER_SYMMETRIC_KEY 'EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722' ENCRYPTED", "EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722", "MASTER_SYMMETRIC_KEY '***' ENCRYPTED" },
        { $"COPY t FROM 's3://b/k' CREDENTIALS 'aws_iam_role=arn:aws:iam::1:role/r;master_symmetric_key=EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722'", "EXAMPLEMASTERKEY", "CREDENTIALS '***'" },
        { $"UNLOAD ('select 1') TO 's3://b/out/' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}'", Secret, "SECRET_ACCESS_KEY '***'" },

        // DuckDB secrets.
        { $"CREATE SECRET lake (TYPE s3, KEY_ID '{KeyId}', SECRET '{Secret}', REGION 'eu-west-1')", Secret, "(TYPE s3, KEY_ID '***', SECRET '***', REGION 'eu-west-1')" },
        { $"create or replace persistent secret s3_prod (\n  type s3,\n  key_id '{TempKeyId}',\n  secret '{Secret}',\n  session_token '{Token}',\n  scope 's3://prod-bucket'\n);", Token, "session_token '***',\n  scope 's3://prod-bucket'\n);" },
        { "CREATE SECRET az (TYPE azure, CONNECTION_STRING 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5==;')", "c2VjcmV0a2V5", "CONNECTION_STRING '***')" },
        { "CREATE SECRET pg (TYPE postgres, HOST 'db', USER 'ops', PASSWORD 'Tr0ub4dor&3')", "Tr0ub4dor&3", "USER 'ops', PASSWORD '***')" },

        // URLs: passwords, pre-signed S3 and GCS URLs, chat webhooks.
        { "Host=db;Port=5432;Username=ops;Password=Tr0ub4dor&3;Database=ecom", "Tr0ub4dor&3", "Password=***;Database=ecom" },
        { "Server=tcp:sql.example.net,1433;User ID=ops;Pwd=hunter2hunter2;Encrypt=True", "hunter2hunter2", "Pwd=***;Encrypt=True" },
        { "postgresql://ops:Tr0ub4dor%263@db.example.com:5432/ecom", "Tr0ub4dor", "postgresql://ops:***@db.example.com:5432/ecom" },
        { "redshift://awsuser:S3cr3tPassw0rd@cluster.abc.eu-west-1.redshift.amazonaws.com:5439/dev", "S3cr3tPassw0rd", "awsuser:***@cluster" },
        { $"GET https://lake.s3.amazonaws.com/raw/orders.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={KeyId}%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T180000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024 failed", "fe5f80f77d5fa3beca038a248ff027d0", "X-Amz-Credential=***&X-Amz-Date=20261201T180000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=*** failed" },
        { $"https://lake.s3.amazonaws.com/k?X-Amz-Security-Token={Token}&X-Amz-Signature=abc123", Token, "X-Amz-Security-Token=***&X-Amz-Signature=***" },
        { "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40p.iam&X-Goog-Signature=8f3a9b77", "8f3a9b77", "X-Goog-Signature=***" },
        { "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sp=r&sig=Zm9vYmFyYmF6cXV4%3D", "Zm9vYmFyYmF6cXV4", "sp=r&sig=***" },
        { $"EcomOps:Alerts:WebhookUrl https://hooks.slack.com/services/{SlackPath} answered 404", "XyZ9EXAMPLEtoken", "https://hooks.slack.com/services/*** answered 404" },
        { "posted to https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "AbCdEfGhIj", "https://discord.com/api/webhooks/***" },
        { "https://contoso.webhook.office.com/webhookb2/0f2b5c1e-aaaa@72f9/IncomingWebhook/abc123/def456", "IncomingWebhook/abc123", "webhookb2/***" },
        { "https://api.example.com/v1/orders?access_token=ya29.a0AfH6SMBx3example&limit=10", "ya29.a0AfH6SMBx3example", "access_token=***&limit=10" },

        // Keys and tokens on their own, in logs, settings and JSON.
        { $"The security token included in the request is invalid (key {KeyId})", KeyId, "(key ***)" },
        { $"[default]\naws_access_key_id = {KeyId}\naws_secret_access_key = {Secret}\n", Secret, "aws_secret_access_key = ***" },
        { $"export AWS_ACCESS_KEY_ID={TempKeyId} AWS_SECRET_ACCESS_KEY={Secret} AWS_SESSION_TOKEN={Token}", Token, "AWS_SESSION_TOKEN=***" },
        { $"keys: {KeyId} {Secret}", Secret, "keys: *** ***" },
        { $"{{\"AccessKeyId\":\"{TempKeyId}\",\"SecretAccessKey\":\"{Secret}\",\"Token\":\"{Token}\"}}", Secret, "\"SecretAccessKey\":\"***\"" },
        { "{\"password\": \"Tr0ub4dor&3\", \"user\": \"ops\"}", "Tr0ub4dor&3", "\"password\": \"***\", \"user\": \"ops\"" },
        { $"Authorization: Bearer {Jwt}", "dozjgNryP4J3jVmNHl0w5N", "Authorization: Bearer ***" },
        { $"id_token {Jwt} expired", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "id_token *** expired" },
        { "Authorization: Basic b3BzOlRyMHViNGRvciYz", "b3BzOlRyMHViNGRvciYz", "Authorization: Basic ***" },
        { "Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA", "2YotnFZFEjr1zCsicMWpAA", "Bearer ***" },
        { "git clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a failed", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "with *** failed" },
        { "SLACK_BOT_TOKEN xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012", "SLACK_BOT_TOKEN ***" },
        { "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3example\n-----END RSA PRIVATE KEY-----\nend", "MIIEpAIBAAKCAQEA3example", "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----\nend" },
        { "SELECT * FROM users WHERE api_key='sk_test_4eC39HqLyjWDarjtT1zdp7dc'", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "api_key='***'" },
        { "SELECT * FROM t WHERE token = 'c0ffee-42-secret'", "c0ffee-42-secret", "token = '***'" },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Redact_HidesTheSecret_AndKeepsItsKeyword(string input, string secret, string shown)
    {
        var redacted = SecretRedactor.Redact(input);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(shown, redacted, StringComparison.Ordinal);
        Assert.True(SecretRedactor.ContainsSecret(input));
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Redact_IsIdempotent(string input, string secret, string shown)
    {
        _ = (secret, shown);
        var once = SecretRedactor.Redact(input);

        Assert.Equal(once, SecretRedactor.Redact(once));
        Assert.False(SecretRedactor.ContainsSecret(once));
    }

    /// <summary>Text that holds no secret, much of it close to what does: it must come out exactly as written.</summary>
    public static TheoryData<string> Ordinary => new()
    {
        "COPY ecom.transactions FROM 's3://ecomops-lake/parquet/transactions/' IAM_ROLE 'arn:aws:iam::123456789012:role/ecomops-redshift-copy' FORMAT AS PARQUET;",
        "copy listing from 's3://mybucket/data/listing/' iam_role default csv ignoreheader 1 dateformat 'auto' timeformat 'YYYY-MM-DD HH:MI:SS' maxerror 10;",
        "COPY t FROM 's3://b/k' CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRedshiftRole' CSV;",
        "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:role/b' JSON 'auto';",
        "SELECT customer_id, sum(amount) AS total FROM transactions WHERE amount > 1234567890.12 GROUP BY 1 ORDER BY 2 DESC LIMIT 100",
        "SELECT * FROM read_parquet('s3://ecomops-lake/parquet/transactions/year=2026/month=12/part-00000-3f9c2a1b.parquet')",
        "Load 12 into ecom.transactions failed: Invalid digit, Value 'AKIA', Pos 0, Type: Integer (line 17, column Amount)",
        "run 5b0c3b9e-8f5f-4a8b-9a55-0d8a0f6f9d11 wrote raw/transactions_data/2026-12-01/transactions_data.csv (49,152,000 bytes, etag \"d41d8cd98f00b204e9800998ecf8427e\")",
        "commit 3f786850e387550fdab836ed7e6dc881de23001b, sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "the CREDENTIALS string has token without a value: write token=<value>.",
        "SESSION_TOKEN goes with ACCESS_KEY_ID and SECRET_ACCESS_KEY; better, use IAM_ROLE 'arn:aws:iam::<account>:role/<name>' (or IAM_ROLE default) instead",
        "Basic configuration is in appsettings.json; see the Bearer of bad news section.",
        "http://127.0.0.1:5080/jobs/5b0c3b9e?status=Failed&page=2",
        "https://eu-west-1.console.aws.amazon.com/athena/home?region=eu-west-1#/query-editor/history/abc",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecomops-redshift-AbCdEf",
        "EcomOps:Aws:Redshift:SecretArn is not an ARN; the secret holds the database user and password.",
        "The user's token expired; sign in again.",
        "Customer 'Secret Garden Ltd' bought 3 x 'Token Ring Adapter' for 19.99",
        "CREATE TABLE ecom.customers (customer_id INTEGER NOT NULL, first_name VARCHAR(64), email VARCHAR(256), signup_date DATE)",
        "INSTALL httpfs; LOAD httpfs; SET s3_region = 'eu-west-1';",
        "CREATE SECRET lake (TYPE s3, PROVIDER credential_chain, REGION 'eu-west-1')",
        "s3://ecomops-lake/raw/AKIAIOSFODNN7/ is not a key id: 13 characters",
        "",
    };

    [Theory]
    [MemberData(nameof(Ordinary))]
    public void Redact_LeavesOrdinaryTextAsWritten(string text)
    {
        Assert.Equal(text, SecretRedactor.Redact(text));
        Assert.False(SecretRedactor.ContainsSecret(text));
    }

    [Fact]
    public void Redact_LeavesTheRepositorysSqlAndSampleHeadersAsWritten()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "sql"), "*.sql");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.True(text == SecretRedactor.Redact(text), $"{Path.GetFileName(file)} was changed by the redactor");
        }

        foreach (var file in Directory.GetFiles(RepoPaths.SampleData, "*.csv"))
        {
            // The first lines: headers and rows of the e-commerce sample, numbers, dates, names and e-mails.
            var head = string.Join('\n', File.ReadLines(file).Take(200));
            Assert.True(head == SecretRedactor.Redact(head), $"{Path.GetFileName(file)} was changed by the redactor");
        }
    }

    [Fact]
    public void Redact_KeepsTheRestOfACopyByteForByte()
    {
        const string before = "COPY ecom.transactions (transaction_id, amount)\nFROM 's3://ecomops-lake/raw/transactions/'\n";
        const string after = "\nCSV IGNOREHEADER 1 NULL AS '\\N' MAXERROR 5;";
        var input = before + $"CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}'" + after;

        Assert.Equal(before + "CREDENTIALS '***'" + after, SecretRedactor.Redact(input));
    }

    [Fact]
    public void Redact_ARedactedCopyStillParses()
    {
        var input = $"COPY ecom.transactions FROM 's3://ecomops-lake/raw/transactions/' ACCESS_KEY_ID '{KeyId}' SECRET_ACCESS_KEY '{Secret}' CSV;";

        var statement = CopyParser.Parse(SecretRedactor.Redact(input));

        Assert.Equal(CopyAuthorizationKind.AccessKeys, statement.Authorization.Kind);
        Assert.DoesNotContain(Secret, statement.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_TheCopyParsersRedactedTextIsLeftAlone()
    {
        var statement = CopyParser.Parse($"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}';");

        Assert.Equal(statement.Redacted, SecretRedactor.Redact(statement.Redacted));
        Assert.Contains("'***'", statement.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactJson_HidesValuesAndStaysJsonOfTheSameShape()
    {
        var json = JsonSerializer.Serialize(new
        {
            copy = $"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}'",
            nested = new { url = $"https://hooks.slack.com/services/{SlackPath}", count = 3 },
            list = new[] { "plain", $"password=\"{Secret}\"" },
            replaceRows = true,
        });

        var redacted = SecretRedactor.RedactJson(json);

        Assert.DoesNotContain(Secret, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyId, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("XyZ9EXAMPLE", redacted, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(redacted);
        var root = document.RootElement;
        Assert.Equal("COPY t FROM 's3://b/k' CREDENTIALS '***'", root.GetProperty("copy").GetString());
        Assert.Equal(3, root.GetProperty("nested").GetProperty("count").GetInt32());
        Assert.Equal("plain", root.GetProperty("list")[0].GetString());
        Assert.Equal("password=\"***\"", root.GetProperty("list")[1].GetString());
        Assert.True(root.GetProperty("replaceRows").GetBoolean());
    }

    [Fact]
    public void RedactJson_LeavesJsonWithoutSecretsAsWritten()
    {
        const string json = "{\"Copy\":\"COPY t FROM 's3://b/k' IAM_ROLE default\",\"ReplaceRows\":false}";

        Assert.Same(json, SecretRedactor.RedactJson(json));
    }

    [Fact]
    public void ForLog_HidesTheSecretInMessageAndText_AndKeepsOrdinaryExceptions()
    {
        var failure = new InvalidOperationException("COPY failed", new IOException($"403 for https://b.s3.amazonaws.com/k?X-Amz-Credential={KeyId}%2F20261201"));
        var plain = new InvalidOperationException("Table ecom.sales does not exist");

        var logged = SecretRedactor.ForLog(failure);

        Assert.DoesNotContain(KeyId, logged.ToString(), StringComparison.Ordinal);
        Assert.Contains("X-Amz-Credential=***", logged.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(IOException), logged.ToString(), StringComparison.Ordinal);
        Assert.Same(plain, SecretRedactor.ForLog(plain));
    }
}
