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
                var (service, operation) = (name[..name.IndexOf(':')], name[(name.IndexOf(':') + 1)..]);
                if (ServiceModels.TryGetValue(service, out var model))
                {
                    Assert.True(model.Contains(operation), $"{file}: {name} is not an operation of {service} in ../shared/aws-models");
                }
            }
        }
    }

    private static readonly Dictionary<string, HashSet<string>> ServiceModels = new()
    {
        ["glue"] = Operations("glue.service-2.json"),
        ["athena"] = Operations("athena.service-2.json"),
        ["redshift-data"] = Operations("redshift-data.service-2.json"),
    };

    private static HashSet<string> Operations(string model)
    {
        var path = Path.Combine(RepoPaths.Root, "..", "shared", "aws-models", model);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. document.RootElement.GetProperty("operations").EnumerateObject().Select(o => o.Name)];
    }

    [GeneratedRegex(@"CREATE (?:EXTERNAL )?TABLE IF NOT EXISTS (?:ecomops\.)?(?<name>\w+) \((?<body>.*?)\n\)", RegexOptions.Singleline)]
    private static partial Regex CreateTable();
}
