using System.Text.Json;
using System.Text.RegularExpressions;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Repository;

/// <summary>iam/'s policies are least privilege: scoped resources, placeholders documented, and exactly what the code calls.</summary>
public sealed partial class IamPolicyTests
{
    /// <summary>The IAM actions the code calls: the typed AWS operations and the S3 store's calls.</summary>
    private static IReadOnlyList<string> ActionsTheCodeCalls => EcomOps.Core.Aws.AwsOperations.All;

    /// <summary>Actions AWS authorizes on no resource, so a policy can only grant them on "*" (iam/README.md says why for each).</summary>
    private static readonly HashSet<string> ActionsWithoutResources =
    [
        "glue:GetCrawlerMetrics", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult",
        "redshift-data:CancelStatement", "sts:GetCallerIdentity", "cloudwatch:PutMetricData",
    ];

    public static TheoryData<string> Policies() =>
        [.. Directory.EnumerateFiles(IamFolder, "*.json").Select(f => Path.GetFileName(f)).Where(f => !f.EndsWith("-trust.json", StringComparison.Ordinal))];

    public static TheoryData<string> TrustPolicies() =>
        [.. Directory.EnumerateFiles(IamFolder, "*-trust.json").Select(f => Path.GetFileName(f))];

    private static string IamFolder => Path.Combine(RepoPaths.Root, "iam");

    [Fact]
    public void IamFolder_HasThePoliciesTheReadmeAndTheIssueName()
    {
        string[] expected =
        [
            "ecomops-dashboard.json", "glue-service-role-trust.json", "glue-service-role.json",
            "redshift-copy-role-trust.json", "redshift-copy-role.json", "s3-read-only.json",
        ];
        Assert.Equal(expected, Directory.EnumerateFiles(IamFolder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var readme = File.ReadAllText(Path.Combine(IamFolder, "README.md"));
        Assert.All(expected, file => Assert.Contains($"`{file}`", readme, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Policy_ScopesEveryStatementToResources_StarOnlyForActionsThatHaveNone(string file)
    {
        foreach (var statement in Statements(file))
        {
            Assert.False(statement.TryGetProperty("NotAction", out _), $"{file}: NotAction grants everything else");
            Assert.False(statement.TryGetProperty("NotResource", out _), $"{file}: NotResource grants everything else");
            var actions = Strings(statement.GetProperty("Action"));
            var resources = Strings(statement.GetProperty("Resource"));
            Assert.All(actions, a => Assert.DoesNotContain('*', a));
            if (resources.Contains("*"))
            {
                Assert.True(resources.Count == 1 && actions.All(ActionsWithoutResources.Contains),
                    $"{file}: {string.Join(", ", actions.Where(a => !ActionsWithoutResources.Contains(a)))} granted on '*'; scope them to an ARN");
            }
            else
            {
                Assert.All(resources, r => Assert.Matches(@"^arn:aws:(s3|glue|athena|logs|redshift-serverless):[^*]", r));

                // A bare "arn:aws:s3:::*" or "...:job/*" would be all of a kind: the name part must be a placeholder or a literal.
                Assert.All(resources, r => Assert.DoesNotMatch(@"(:::|:job/|:crawler/|:workgroup/)\*", r));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    [MemberData(nameof(TrustPolicies))]
    public void Policy_UsesOnlyPlaceholdersTheReadmeDocuments(string file)
    {
        var readme = File.ReadAllText(Path.Combine(IamFolder, "README.md"));
        var placeholders = Placeholder().Matches(File.ReadAllText(Path.Combine(IamFolder, file))).Select(m => m.Value)
            .Where(p => !p.StartsWith("${aws:", StringComparison.Ordinal)) // IAM's own policy variables, filled in by AWS
            .Distinct();
        Assert.All(placeholders, p => Assert.Contains($"`{p}`", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void DashboardPolicy_GrantsEveryActionTheCodeCalls()
    {
        var granted = Statements("ecomops-dashboard.json").SelectMany(s => Strings(s.GetProperty("Action"))).ToHashSet();

        var missing = ActionsTheCodeCalls.Where(a => !granted.Contains(a)).ToList();
        Assert.True(missing.Count == 0, $"iam/ecomops-dashboard.json does not grant {string.Join(", ", missing)}");
    }

    [Fact]
    public void DashboardPolicy_GrantsNothingTheCodeDoesNotCall_ButWhatAthenaNeedsForItsResults()
    {
        // Athena works with the caller's permissions: it reads the query's database from the catalog, asks for the
        // results bucket's location and manages the multipart uploads of large results.
        string[] forAthena = ["glue:GetDatabase", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads", "s3:ListMultipartUploadParts"];

        // The Data API, given a workgroup and no secret, gets temporary database credentials as the caller.
        string[] forRedshiftData = ["redshift-serverless:GetCredentials"];
        var granted = Statements("ecomops-dashboard.json").SelectMany(s => Strings(s.GetProperty("Action"))).ToHashSet();

        string[] expected = [.. ActionsTheCodeCalls, .. forAthena, .. forRedshiftData];

        Assert.Equal(expected.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("glue-service-role-trust.json", new[] { "glue.amazonaws.com" })]
    [InlineData("redshift-copy-role-trust.json", new[] { "redshift.amazonaws.com", "redshift-serverless.amazonaws.com" })]
    public void TrustPolicy_LetsOnlyItsServiceAssumeTheRole_FromThisAccount(string file, string[] services)
    {
        var statement = Assert.Single(Statements(file));
        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal(services, Strings(statement.GetProperty("Principal").GetProperty("Service")));
        Assert.Equal("${Account}", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
    }

    internal static List<JsonElement> Statements(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(IamFolder, file)));
        return [.. document.RootElement.GetProperty("Statement").Clone().EnumerateArray()];
    }

    internal static List<string> Strings(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? [.. element.EnumerateArray().Select(e => e.GetString()!)] : [element.GetString()!];

    [GeneratedRegex(@"\$\{[A-Za-z:]+\}")]
    private static partial Regex Placeholder();
}
