using System.Text.Json;
using EcomOps.Core.Conversion;
using EcomOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EcomOps.Tests.Repository;

/// <summary>infra/ecomops.yaml declares what the Aws backend needs, configured as the issue asks, with iam/'s policies.</summary>
public sealed class CloudFormationTemplateTests
{
    private static readonly Lazy<YamlMappingNode> Template = new(Load);

    [Fact]
    public void Template_ParsesWithItsIntrinsicFunctionTags()
    {
        // !Ref, !Sub and !GetAtt are YAML tags: they survive parsing as tags on their nodes, not as text.
        var bucket = Node(Properties("LakeBucket"), "BucketName");
        Assert.Equal(("!Ref", "LakeBucketName"), (bucket.Tag.Value, ((YamlScalarNode)bucket).Value));
        Assert.Equal("!GetAtt", Node(Properties("GlueJob"), "Role").Tag.Value);
    }

    [Theory]
    [InlineData("LakeBucket", "AWS::S3::Bucket")]
    [InlineData("GlueDatabase", "AWS::Glue::Database")]
    [InlineData("GlueCrawler", "AWS::Glue::Crawler")]
    [InlineData("GlueJob", "AWS::Glue::Job")]
    [InlineData("GlueServiceRole", "AWS::IAM::Role")]
    [InlineData("RedshiftCopyRole", "AWS::IAM::Role")]
    [InlineData("AthenaWorkgroup", "AWS::Athena::WorkGroup")]
    [InlineData("RedshiftNamespace", "AWS::RedshiftServerless::Namespace")]
    [InlineData("RedshiftWorkgroup", "AWS::RedshiftServerless::Workgroup")]
    public void Template_DeclaresEachResource(string name, string type)
    {
        Assert.Equal(type, Text(Node(Resource(name), "Type")));
    }

    [Fact]
    public void Bucket_IsEncrypted_NotPublic_AndMovesOldRawCsvsToGlacier()
    {
        var bucket = Properties("LakeBucket");
        var encryption = (YamlSequenceNode)Node(bucket, "BucketEncryption", "ServerSideEncryptionConfiguration");
        Assert.Contains(Text(Node((YamlMappingNode)encryption[0], "ServerSideEncryptionByDefault", "SSEAlgorithm")), new[] { "AES256", "aws:kms" });

        var block = (YamlMappingNode)Node(bucket, "PublicAccessBlockConfiguration");
        foreach (var setting in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
        {
            Assert.Equal("true", Text(Node(block, setting)));
        }

        var rules = ((YamlSequenceNode)Node(bucket, "LifecycleConfiguration", "Rules")).Cast<YamlMappingNode>();
        var raw = Assert.Single(rules, r => r.Children.ContainsKey("Prefix") && Text(Node(r, "Prefix")) == "raw/");
        Assert.Equal("Enabled", Text(Node(raw, "Status")));
        var transition = (YamlMappingNode)((YamlSequenceNode)Node(raw, "Transitions"))[0];
        Assert.Equal("GLACIER", Text(Node(transition, "StorageClass")));
        Assert.Equal(("!Ref", "RawGlacierDays"), (Node(transition, "TransitionInDays").Tag.Value, Text(Node(transition, "TransitionInDays"))));
    }

    [Fact]
    public void AthenaWorkgroup_CutsOffQueriesByBytesScanned_AndWritesResultsToTheLake()
    {
        var configuration = (YamlMappingNode)Node(Properties("AthenaWorkgroup"), "WorkGroupConfiguration");
        Assert.Equal("BytesScannedCutoffPerQuery", Text(Node(configuration, "BytesScannedCutoffPerQuery")));
        Assert.Equal("10737418240", Text(Node(Parameter("BytesScannedCutoffPerQuery"), "Default")));
        Assert.Equal("true", Text(Node(configuration, "EnforceWorkGroupConfiguration")));
        Assert.Equal("s3://${LakeBucket}/athena-results/", Text(Node(configuration, "ResultConfiguration", "OutputLocation")));
    }

    [Fact]
    public void GlueJob_RunsTheDeployedScript_OnGlue5_WithBookmarks_AndTheLakesPrefixes()
    {
        var job = Properties("GlueJob");
        Assert.Equal("glueetl", Text(Node(job, "Command", "Name")));
        Assert.Equal($"s3://${{LakeBucketName}}/{GlueJobScript.LakeKey}", Text(Node(job, "Command", "ScriptLocation")));
        Assert.True(double.Parse(Text(Node(job, "GlueVersion")), System.Globalization.CultureInfo.InvariantCulture) >= 4.0);
        var arguments = (YamlMappingNode)Node(job, "DefaultArguments");
        Assert.Equal("job-bookmark-enable", Text(Node(arguments, "--job-bookmark-option")));
        Assert.Equal("s3://${LakeBucketName}/raw/", Text(Node(arguments, "--source_prefix")));
        Assert.Equal("s3://${LakeBucketName}/parquet/", Text(Node(arguments, "--target_prefix")));
        Assert.Equal("s3://${LakeBucketName}/quarantine/", Text(Node(arguments, "--bad_records_path")));
        Assert.Equal("snappy", Text(Node(arguments, "--compression")));
    }

    [Fact]
    public void Crawler_CrawlsParquetIntoTheDatabase()
    {
        var crawler = Properties("GlueCrawler");
        Assert.Equal(("!Ref", "GlueDatabase"), (Node(crawler, "DatabaseName").Tag.Value, Text(Node(crawler, "DatabaseName"))));
        var target = (YamlMappingNode)((YamlSequenceNode)Node(crawler, "Targets", "S3Targets"))[0];
        Assert.Equal("s3://${LakeBucketName}/parquet/", Text(Node(target, "Path")));
        Assert.Equal("ecom", Text(Node(Parameter("GlueDatabaseName"), "Default")));
    }

    [Fact]
    public void RedshiftNamespace_UsesTheCopyRoleByDefault_AndKeepsNoPasswordInTheTemplate()
    {
        var ns = Properties("RedshiftNamespace");
        Assert.Equal("RedshiftCopyRole.Arn", Text(Node(ns, "DefaultIamRoleArn")));
        Assert.Equal("true", Text(Node(ns, "ManageAdminPassword")));
        Assert.False(ns.Children.ContainsKey("AdminUserPassword"));
        Assert.Equal(("!Ref", "RedshiftNamespace"), (Node(Properties("RedshiftWorkgroup"), "NamespaceName").Tag.Value, Text(Node(Properties("RedshiftWorkgroup"), "NamespaceName"))));
    }

    [Fact]
    public void Outputs_NameWhatTheAppsSettingsNeed()
    {
        var outputs = (YamlMappingNode)Node(Template.Value, "Outputs");
        string[] expected =
        [
            "Region", "LakeBucket", "GlueJobName", "CrawlerName", "GlueDatabaseName", "AthenaWorkgroup", "AthenaOutputLocation",
            "RedshiftWorkgroup", "RedshiftDatabase", "GlueServiceRoleArn", "RedshiftCopyRoleArn",
        ];
        var missing = expected.Where(name => !outputs.Children.ContainsKey(name)).ToList();
        Assert.True(missing.Count == 0, $"infra/ecomops.yaml has no output {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryParameter_IsInTheReadmesTable()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var parameters = ((YamlMappingNode)Node(Template.Value, "Parameters")).Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
        Assert.NotEmpty(parameters);
        Assert.All(parameters, name => Assert.Contains($"| `{name}` |", readme, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GlueServiceRole", "glue-service-role.json")]
    [InlineData("RedshiftCopyRole", "redshift-copy-role.json")]
    [InlineData("DashboardPolicy", "ecomops-dashboard.json")]
    public void TemplatePolicies_AreIamFoldersStatements(string resource, string file)
    {
        var properties = Properties(resource);
        var document = properties.Children.ContainsKey("Policies")
            ? (YamlMappingNode)Node((YamlMappingNode)((YamlSequenceNode)Node(properties, "Policies"))[0], "PolicyDocument")
            : (YamlMappingNode)Node(properties, "PolicyDocument");
        var inTemplate = ((YamlSequenceNode)Node(document, "Statement")).Cast<YamlMappingNode>()
            .Select(s => Describe(Text(Node(s, "Sid")), Values(Node(s, "Action")), Values(Node(s, "Resource")).Select(FromTemplate)))
            .ToList();
        var inFolder = IamPolicyTests.Statements(file)
            .Select(s => Describe(s.GetProperty("Sid").GetString()!, IamPolicyTests.Strings(s.GetProperty("Action")), IamPolicyTests.Strings(s.GetProperty("Resource"))))
            .ToList();

        Assert.Equal(inFolder, inTemplate);
    }

    [Theory]
    [InlineData("GlueServiceRole", "glue-service-role-trust.json")]
    [InlineData("RedshiftCopyRole", "redshift-copy-role-trust.json")]
    public void TemplateRoles_TrustWhomIamFoldersTrustPoliciesTrust(string resource, string file)
    {
        var statement = (YamlMappingNode)((YamlSequenceNode)Node(Properties(resource), "AssumeRolePolicyDocument", "Statement"))[0];
        var trusted = IamPolicyTests.Statements(file).Single();

        Assert.Equal(IamPolicyTests.Strings(trusted.GetProperty("Principal").GetProperty("Service")), Values(Node(statement, "Principal", "Service")));
        Assert.Equal(trusted.GetProperty("Action").GetString(), Text(Node(statement, "Action")));
    }

    private static string Describe(string sid, IEnumerable<string> actions, IEnumerable<string> resources) =>
        $"{sid}: {string.Join(", ", actions.Order(StringComparer.Ordinal))} on {string.Join(", ", resources.Order(StringComparer.Ordinal))}";

    /// <summary>A template ARN with iam/'s placeholders for the template's parameters and pseudo parameters.</summary>
    private static string FromTemplate(string arn) => arn
        .Replace("${AWS::Partition}", "aws", StringComparison.Ordinal)
        .Replace("${AWS::Region}", "${Region}", StringComparison.Ordinal)
        .Replace("${AWS::AccountId}", "${Account}", StringComparison.Ordinal)
        .Replace("${LakeBucketName}", "${Bucket}", StringComparison.Ordinal)
        .Replace("${GlueDatabaseName}", "${Database}", StringComparison.Ordinal)
        .Replace("${GlueJobName}", "${GlueJob}", StringComparison.Ordinal)
        .Replace("${CrawlerName}", "${Crawler}", StringComparison.Ordinal)
        .Replace("${RedshiftWorkgroup.Workgroup.WorkgroupId}", "${RedshiftWorkgroupId}", StringComparison.Ordinal);

    private static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepoPaths.Root, "infra", "ecomops.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)Assert.Single(yaml.Documents).RootNode;
    }

    private static YamlMappingNode Resource(string name) => (YamlMappingNode)Node(Template.Value, "Resources", name);

    private static YamlMappingNode Properties(string resource) => (YamlMappingNode)Node(Resource(resource), "Properties");

    private static YamlMappingNode Parameter(string name) => (YamlMappingNode)Node(Template.Value, "Parameters", name);

    private static YamlNode Node(YamlMappingNode map, params string[] path)
    {
        YamlNode node = map;
        foreach (var key in path)
        {
            Assert.True(((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var child), $"infra/ecomops.yaml has no '{key}' in {string.Join(".", path)}");
            node = child!;
        }

        return node;
    }

    private static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value!;

    private static List<string> Values(YamlNode node) => node is YamlSequenceNode list ? [.. list.Select(Text)] : [Text(node)];
}
