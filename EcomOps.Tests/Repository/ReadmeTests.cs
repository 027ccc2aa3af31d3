using System.Reflection;
using EcomOps.Core;
using EcomOps.Core.Aws;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Repository;

/// <summary>The README describes the code as it is: every Core folder in its layout, every setting in its tables.</summary>
public sealed class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

    public static TheoryData<string> CoreFolders() =>
    [
        .. Directory.EnumerateDirectories(Path.Combine(RepoPaths.Root, "EcomOps.Core"))
            .Select(d => Path.GetFileName(d))
            .Where(name => name is not ("bin" or "obj"))
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(CoreFolders))]
    public void Layout_DescribesEveryCoreFolder(string folder)
    {
        var layout = Readme[Readme.IndexOf("## Layout", StringComparison.Ordinal)..];

        Assert.Matches($@"(?m)^  {folder}/ +\S", layout);
    }

    public static TheoryData<string> Settings() =>
    [
        .. typeof(EcomOpsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"EcomOps:{p.Name}"),
        .. typeof(S3StoreOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"EcomOps:S3:{p.Name}"),
        // The engines' sections (Glue, Athena, Redshift) are documented key by key; Endpoints as one row of four.
        .. typeof(AwsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).SelectMany(p => p.PropertyType.Name.EndsWith("ResourceOptions", StringComparison.Ordinal)
            ? p.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(q => q.CanWrite).Select(q => $"EcomOps:Aws:{p.Name}:{q.Name}")
            : [$"EcomOps:Aws:{p.Name}"]),
    ];

    [Theory]
    [MemberData(nameof(Settings))]
    public void ConfigurationTables_DocumentEverySetting(string key)
    {
        Assert.Contains($"| `{key}` |", Readme);
    }
}
