using EcomOps.Cli;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Cli;

public sealed class GenerateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Generate_WithOut_WritesTheThreeFiles_AndListsThemOnStdout()
    {
        var (code, stdout, stderr) = await RunAsync("generate", "--customers", "50", "--products", "5", "--transactions", "400", "--seed", "9", "--out", _dir.Combine("out"));

        Assert.True(code == 0, stderr);
        Assert.Equal(["catalog_data.csv", "customer_data.csv", "transactions_data.csv"], Directory.EnumerateFiles(_dir.Combine("out")).Select(Path.GetFileName).Order());
        Assert.Equal(401, File.ReadAllLines(_dir.Combine("out", "transactions_data.csv")).Length);
        Assert.Contains("transactions_data.csv\t400 rows", stdout);
        Assert.Contains("transactions_data: 400 / 400 rows", stderr);
    }

    [Fact]
    public async Task Generate_WithoutOut_WritesIntoTheLakeUnderDataRoot()
    {
        var (code, _, stderr) = await RunAsync("--data-root", _dir.Path, "generate", "--customers", "10", "--products", "3", "--transactions", "20");

        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(_dir.Combine("lake", "ecomops-lake", "raw", "customer_data", "customer_data.csv")));
    }

    [Theory]
    [InlineData("Customers must be between 1 and 10,000,000; got 0.", "--customers", "0")]
    [InlineData("Transactions must be between 1 and 200,000,000; got 300,000,000.", "--transactions", "300000000")]
    [InlineData("Cannot parse argument 'lots' for option '--products'", "--products", "lots")]
    [InlineData("End date 2024-01-01 is before start date 2024-06-01", "--start", "2024-06-01", "--end", "2024-01-01")]
    [InlineData("--start must be a date as yyyy-MM-dd, such as 2024-01-31; '01/06/2024' is not.", "--start", "01/06/2024")]
    [InlineData("Unknown locale 'klingon'. Use one of:", "--locale", "klingon")]
    public async Task Generate_BadInput_ExitsWith2_SaysWhyOnStderr_AndWritesNothing(string message, params string[] options)
    {
        var (code, stdout, stderr) = await RunAsync(["--data-root", _dir.Combine("root"), "generate", "--out", _dir.Combine("out"), .. options]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(_dir.Combine("out")));
        Assert.False(Directory.Exists(_dir.Combine("root")));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
