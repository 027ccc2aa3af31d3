using EcomOps.Cli;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Cli;

public sealed class LakeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Raw(params string[] parts) => _dir.Combine(["data", "lake", "ecomops-lake", "raw", .. parts]);

    [Fact]
    public async Task Upload_ThenLs_Preview_Get_Rm()
    {
        var file = _dir.Combine("people.csv");
        await File.WriteAllBytesAsync(file, CsvCorpus.Good);

        var upload = await RunAsync("lake", "upload", file);
        Assert.True(upload.Code == 0, upload.Stderr);
        Assert.Contains("raw/customer_data/people.csv", upload.Stdout);

        var ls = await RunAsync("lake", "ls", "raw/");
        Assert.Contains("raw/customer_data/", ls.Stdout);

        var preview = await RunAsync("lake", "preview", "raw/customer_data/people.csv", "--rows", "2");
        Assert.Equal(0, preview.Code);
        var lines = preview.Stdout.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("CustomerID", lines[0]);
        Assert.Contains("date", lines[1]);
        Assert.Contains("Ada Lovelace", lines[2]);
        Assert.Contains("3 rows", preview.Stderr);

        var copy = _dir.Combine("copy.csv");
        var get = await RunAsync("lake", "get", "raw/customer_data/people.csv", "--out", copy);
        Assert.Equal(0, get.Code);
        Assert.Equal(CsvCorpus.Good, await File.ReadAllBytesAsync(copy));

        var rm = await RunAsync("lake", "rm", "raw/customer_data/people.csv");
        Assert.Equal(0, rm.Code);
        Assert.False(File.Exists(Raw("customer_data", "people.csv")));
    }

    [Fact]
    public async Task Upload_IsARunInTheHistory_AndJobsRetryRunsItAgain()
    {
        var file = _dir.Combine("people.csv");
        await File.WriteAllBytesAsync(file, CsvCorpus.Good);
        Assert.Equal(0, (await RunAsync("lake", "upload", file, "--overwrite")).Code);

        var ls = await RunAsync("jobs", "ls", "--kind", "upload");
        var line = Assert.Single(ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        Assert.Contains("Succeeded", line);
        Assert.Contains("Upload people.csv", line);

        await File.WriteAllBytesAsync(file, CsvCorpus.Lines(CsvCorpus.CustomersHeader, "7,Grace Hopper,grace@example.com,US,2024-03-09"));
        var retry = await RunAsync("jobs", "retry", line[..8]);

        Assert.True(retry.Code == 0, retry.Stderr);
        Assert.Contains("Succeeded", retry.Stdout);
        Assert.Contains("Grace Hopper", await File.ReadAllTextAsync(Raw("customer_data", "people.csv")));
        Assert.Equal(2, (await RunAsync("jobs", "ls", "--kind", "upload")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [Fact]
    public async Task Upload_OfAFileWithAWrongHeader_ExitsWith2_AndUploadsNothing()
    {
        var file = _dir.Combine("orders.csv");
        await File.WriteAllTextAsync(file, "CustomerID,Name,Emial,Country,SignupDate\n1,a,b,c,2024-01-01\n");

        var (code, stdout, stderr) = await RunAsync("lake", "upload", file);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("'orders.csv' line 1: the header does not match customer_data: 'Emial' should be 'Email'", stderr);
        Assert.False(Directory.Exists(Raw()));
    }

    [Fact]
    public async Task Upload_WithBadRows_NeedsAcceptBadRows_AndExistingNeedsOverwrite()
    {
        var file = _dir.Combine("people.csv");
        await File.WriteAllBytesAsync(file, CsvCorpus.Lines(CsvCorpus.CustomersHeader, "1,a,a@x.com,c,2024-01-01", "2,b,b@x.com,c,31/01/2024"));

        var refused = await RunAsync("lake", "upload", file);
        Assert.Equal(2, refused.Code);
        Assert.Contains("line 3, column SignupDate: '31/01/2024' is not a date", refused.Stderr);

        Assert.Equal(0, (await RunAsync("lake", "upload", file, "--accept-bad-rows")).Code);

        var again = await RunAsync("lake", "upload", file, "--accept-bad-rows");
        Assert.Equal(2, again.Code);
        Assert.Contains("already exists", again.Stderr);
        Assert.Equal(0, (await RunAsync("lake", "upload", file, "--accept-bad-rows", "--overwrite")).Code);
    }

    [Theory]
    [InlineData("preview", "../../etc/passwd", "Invalid object key '../../etc/passwd'")]
    [InlineData("preview", "raw/none.csv", "No object 'raw/none.csv'")]
    [InlineData("rm", "raw/none.csv", "no object 'raw/none.csv' in the lake; nothing deleted")]
    [InlineData("get", "/etc/passwd", "Invalid object key '/etc/passwd'")]
    public async Task BadKeys_ExitWith2_AndSayWhich(string command, string key, string message)
    {
        var (code, _, stderr) = await RunAsync("lake", command, key);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
