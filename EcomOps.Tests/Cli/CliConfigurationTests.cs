using EcomOps.Cli;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Cli;

/// <summary>
/// The CLI reads the dashboard's settings sources, with the precedence the README gives: a flag on the command
/// line, then --EcomOps:Key=value, then EcomOps__Key environment variables, then appsettings.json.
/// </summary>
public sealed class CliConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EcomOpsOption_OnTheCommandLine_SetsTheLakeBucket()
    {
        var root = _dir.Combine("root");

        var (code, _, stderr) = await RunInProcessAsync("--data-root", root, "generate", "--customers", "1", "--products", "1", "--transactions", "1", "--EcomOps:LakeBucket=other-lake");

        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(root, "lake", "other-lake", "raw", "customer_data", "customer_data.csv")));
    }

    [Fact]
    public async Task DataRootFlag_WinsOverEcomOpsDataRootOnTheCommandLine()
    {
        var (code, _, stderr) = await RunInProcessAsync("--EcomOps:DataRoot", _dir.Combine("setting"), "generate", "--customers", "1", "--products", "1", "--transactions", "1", "--data-root", _dir.Combine("flag"));

        Assert.True(code == 0, stderr);
        Assert.Equal(["flag"], Roots());
    }

    [Theory]
    [InlineData(false, false, false, "appsettings")]
    [InlineData(true, false, false, "environment")]
    [InlineData(true, true, false, "option")]
    [InlineData(true, true, true, "flag")]
    [InlineData(false, false, true, "flag")]
    public async Task DataRoot_ComesFromTheFirstSourceThatSetsIt_FlagThenOptionThenEnvironmentThenAppsettings(bool environment, bool option, bool flag, string expected)
    {
        var workingDirectory = Directory.CreateDirectory(_dir.Combine("cwd")).FullName;
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "appsettings.json"), $$"""{ "EcomOps": { "DataRoot": "{{_dir.Combine("appsettings")}}" } }""");
        var args = new List<string> { "generate", "--customers", "1", "--products", "1", "--transactions", "1" };
        if (option)
        {
            args.Add($"--EcomOps:DataRoot={_dir.Combine("option")}");
        }

        if (flag)
        {
            args.AddRange(["--data-root", _dir.Combine("flag")]);
        }

        var (code, _, stderr) = await CliBinary.RunAsync(args, workingDirectory, environment ? new Dictionary<string, string?> { ["EcomOps__DataRoot"] = _dir.Combine("environment") } : null);

        Assert.True(code == 0, stderr);
        Assert.Equal([expected], Roots());
    }

    /// <summary>The folders of <see cref="_dir"/> that a command wrote a lake into.</summary>
    private List<string> Roots() =>
        [.. Directory.EnumerateDirectories(_dir.Path).Where(d => Directory.Exists(Path.Combine(d, "lake"))).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    private static async Task<(int Code, string Stdout, string Stderr)> RunInProcessAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
