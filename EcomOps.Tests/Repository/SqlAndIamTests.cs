using System.Text.Json;
using System.Text.RegularExpressions;
using EcomOps.Core.Datasets;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Repository;

/// <summary>The DDL in sql/ and the policies in iam/ agree with the code and with AWS's service models.</summary>
public sealed partial class SqlAndIamTests
{
    [Theory]
    [InlineData("redshift_ddl.sql")]
    [InlineData("athena_ddl.sql")]
    public void Ddl_DeclaresEveryDatasetWithTheSchemaColumnsAndTypes(string file)
    {
        var sql = File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", file));
        var tables = CreateTable().Matches(sql).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        foreach (var dataset in DatasetRegistry.All)
        {
            Assert.True(tables.TryGetValue(dataset.Name, out var body), $"{file} has no CREATE TABLE for {dataset.Name}");
            var columns = body.Split('\n')
                .Select(l => l.Trim().TrimEnd(','))
                .Where(l => l.Length > 0 && !l.StartsWith("PRIMARY", StringComparison.Ordinal) && !l.StartsWith("FOREIGN", StringComparison.Ordinal))
                .Select(l => l.Replace(" NOT NULL", "", StringComparison.Ordinal))
                .ToList();
            var expected = dataset.Columns.Select(c => $"{c.Name} {(file.StartsWith("redshift", StringComparison.Ordinal) ? c.RedshiftType : c.AthenaType)}");
            Assert.Equal(expected, columns);
        }
    }

    public static TheoryData<string> Policies() => [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "iam"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Policies))]
    public void Policy_IsValidAndNamesOnlyActionsThatExist(string file)
    {
        using var policy = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "iam", file)));

        Assert.Equal("2012-10-17", policy.RootElement.GetProperty("Version").GetString());
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.NotEmpty(statements);
        foreach (var statement in statements)
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            var action = statement.GetProperty("Action");
            var actions = action.ValueKind == JsonValueKind.Array ? action.EnumerateArray().Select(a => a.GetString()!).ToList() : [action.GetString()!];
            foreach (var name in actions)
            {
                Assert.Null(ActionProblem(file, name));
            }
        }
    }

    [Theory]
    [InlineData("s3:GetObjcet", "is not an action of s3")]
    [InlineData("s3:*", "is not an action of s3")]
    [InlineData("s3:ListObjectsV2", "is not an action of s3")]
    [InlineData("glue:Get*", "is not an action of glue")]
    [InlineData("*", "is not service:action")]
    [InlineData("glue:GetTabels", "is not an action of glue")]
    [InlineData("dynamodb:GetItem", "no list of actions for dynamodb")]
    [InlineData("GetObject", "is not service:action")]
    public void ActionCheck_RefusesMisspeltWildcardAndUnknownActions(string name, string problem)
    {
        Assert.Contains(problem, ActionProblem("test.json", name));
    }

    [Fact]
    public void AwsModels_AreTheFilesSourcesMdNames_ByteForByte()
    {
        // SOURCES.md lists each copied model with its size and git blob hash upstream (botocore).
        var sources = File.ReadAllText(Path.Combine(AwsModels, "SOURCES.md"));
        var rows = SourceRow().Matches(sources).ToList();
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            var bytes = File.ReadAllBytes(Path.Combine(AwsModels, row.Groups["file"].Value));
            Assert.Equal(long.Parse(row.Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture), bytes.Length);
            Assert.Equal(row.Groups["blob"].Value, GitBlobHash(bytes));
        }
    }

    /// <summary>The repository's copy of the AWS service models and SigV4 test suite (see its SOURCES.md).</summary>
    public static string AwsModels => Path.Combine(RepoPaths.Root, "tools", "aws-models");

    private static readonly Dictionary<string, HashSet<string>> ServiceModels = new()
    {
        ["glue"] = Operations("glue.service-2.json"),
        ["athena"] = Operations("athena.service-2.json"),
        ["redshift-data"] = Operations("redshift-data.service-2.json"),
    };

    // IAM action names of services with no model here. S3's actions are not its API operation names
    // (ListObjectsV2 is s3:ListBucket), so they come from the Service Authorization Reference, "Actions
    // defined by Amazon S3" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html),
    // and likewise for the others: only the ones our policies may use; add an action here, from that page,
    // when a policy needs it.
    private static readonly Dictionary<string, HashSet<string>> ListedActions = new()
    {
        ["s3"] =
        [
            "AbortMultipartUpload", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion", "GetBucketLocation",
            "GetBucketVersioning", "GetEncryptionConfiguration", "GetObject", "GetObjectAttributes", "GetObjectTagging",
            "GetObjectVersion", "ListAllMyBuckets", "ListBucket", "ListBucketMultipartUploads", "ListBucketVersions",
            "ListMultipartUploadParts", "PutObject", "PutObjectTagging", "RestoreObject",
        ],

        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
        ["logs"] = ["CreateLogGroup", "CreateLogStream", "DescribeLogGroups", "DescribeLogStreams", "PutLogEvents"],

        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html
        ["redshift"] = ["GetClusterCredentials", "GetClusterCredentialsWithIAM"],

        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
        ["sts"] = ["AssumeRole", "GetCallerIdentity"],

        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftserverless.html
        ["redshift-serverless"] = ["GetCredentials"],

        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
        ["cloudwatch"] = ["PutMetricData"],
    };

    /// <summary>What is wrong with an IAM action name, or null when its service has it.</summary>
    internal static string? ActionProblem(string file, string name)
    {
        var colon = name.IndexOf(':');
        if (colon <= 0)
        {
            return $"{file}: '{name}' is not service:action";
        }

        var (service, action) = (name[..colon], name[(colon + 1)..]);
        if (ServiceModels.TryGetValue(service, out var operations))
        {
            return operations.Contains(action) ? null : $"{file}: {name} is not an action of {service} (tools/aws-models/{service}.service-2.json)";
        }

        if (ListedActions.TryGetValue(service, out var listed))
        {
            return listed.Contains(action) ? null : $"{file}: {name} is not an action of {service} (the list in SqlAndIamTests, from the Service Authorization Reference)";
        }

        return $"{file}: {name}: this test has no list of actions for {service}; add its model or list";
    }

    private static HashSet<string> Operations(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AwsModels, model)));
        return [.. document.RootElement.GetProperty("operations").EnumerateObject().Select(o => o.Name)];
    }

    private static string GitBlobHash(byte[] content)
    {
        var header = System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"blob {content.Length}\0"));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData([.. header, .. content]));
    }

    [GeneratedRegex(@"^\| (?<file>[a-z0-9-]+\.service-2\.json) \| [^|]+ \| (?<bytes>\d+) \| (?<blob>[0-9a-f]{40}) \|$", RegexOptions.Multiline)]
    private static partial Regex SourceRow();

    [GeneratedRegex(@"CREATE (?:EXTERNAL )?TABLE IF NOT EXISTS (?:ecom\.|ecomops\.)?(?<name>\w+) \((?<body>.*?)\n\)", RegexOptions.Singleline)]
    private static partial Regex CreateTable();
}
