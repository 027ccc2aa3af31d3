using EcomOps.Core.Security;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Auth;

/// <summary>The CLI's side of sign-in, each command a new ecomops process: making password hashes, and EcomOps:Auth:CliRole.</summary>
public sealed class CliAuthTests : IDisposable
{
    private readonly TempDirectory _dataRoot = new();

    public void Dispose() => _dataRoot.Dispose();

    [Theory]
    [InlineData("a long enough passphrase\n")]
    [InlineData("a long enough passphrase\r\n")]
    [InlineData("a long enough passphrase")]
    public async Task HashPassword_FromStandardInput_PrintsAHashSignInAccepts(string input)
    {
        var (code, stdout, stderr) = await CliBinary.RunAsync(["users", "hash-password"], input: input);

        Assert.True(code == 0, stderr);
        var hash = stdout.Trim();
        Assert.Null(PasswordHash.Problem(hash));
        Assert.True(PasswordHash.Verify("a long enough passphrase", hash));
        Assert.DoesNotContain("passphrase", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "no password on standard input")]
    [InlineData("\n", "no password on standard input")]
    [InlineData("short\n", "at least 12 characters")]
    [InlineData("elevenchars\n", "at least 12 characters")]
    public async Task HashPassword_EmptyOrShort_IsRefusedWithUsageError_AndPrintsNoHash(string input, string expected)
    {
        var (code, stdout, stderr) = await CliBinary.RunAsync(["users", "hash-password"], input: input);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(PasswordHash.Scheme, stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("convert", "--all")]
    [InlineData("generate", "--transactions", "10")]
    public async Task CliRoleViewer_ChangingCommands_ExitDeniedNamingTheOperatorRole(params string[] command)
    {
        var (code, stdout, stderr) = await RunAsViewerAsync(command);

        Assert.True(code == 77, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("needs the Operator role", stderr, StringComparison.Ordinal);
        Assert.Contains("Viewer", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliRoleViewer_ListingJobs_Works()
    {
        var (code, stdout, stderr) = await RunAsViewerAsync(["jobs", "ls"]);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("role", stderr, StringComparison.OrdinalIgnoreCase);
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsViewerAsync(string[] command) =>
        CliBinary.RunAsync([.. command, "--data-root", _dataRoot.Path], environment: new Dictionary<string, string?> { ["EcomOps__Auth__CliRole"] = "Viewer" });
}
