using EcomOps.Cli;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Security;

/// <summary>Upload count and size caps per upload, file names made safe, and bad keys refused where they enter Core.</summary>
public sealed class UploadLimitsTests : IDisposable
{
    private readonly CoreHost _host = new(configuration: new()
    {
        ["EcomOps:Limits:MaxUploadFiles"] = "2",
        ["EcomOps:Limits:MaxUploadBatchBytes"] = "1000",
    });

    private readonly TempDirectory _dir = new();

    private ILakeService Lake => _host.Get<ILakeService>();

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Batch_OverTheFileCount_IsRefused_NamingTheFirstFileOver_TheLimit_AndTheSetting()
    {
        var error = Assert.Throws<UploadRejectedException>(() => Lake.CheckUploadBatch(
            [new UploadRequest("a.csv", Size: 10), new UploadRequest("b.csv", Size: 10), new UploadRequest("c.csv", Size: 10)]));

        Assert.Equal(
            "This upload has 3 files; at most 2 go in one upload (EcomOps:Limits:MaxUploadFiles), and 'c.csv' is file 3. Upload them in groups of 2 or fewer. Nothing was uploaded.",
            error.Message);
    }

    [Fact]
    public void Batch_OverTheTotalBytes_IsRefused_NamingTheFileThatCrossesIt()
    {
        var error = Assert.Throws<UploadRejectedException>(() => Lake.CheckUploadBatch([new UploadRequest("a.csv", Size: 600), new UploadRequest("b.csv", Size: 600)]));

        Assert.Contains("'b.csv' brings this upload to 1,200 bytes, over the limit of 1,000 bytes for one upload (EcomOps:Limits:MaxUploadBatchBytes)", error.Message, StringComparison.Ordinal);
        Lake.CheckUploadBatch([new UploadRequest("a.csv", Size: 500), new UploadRequest("b.csv", Size: 500)]);
    }

    [Fact]
    public async Task CliUpload_OfTooManyFiles_UploadsNone_AndSaysWhy()
    {
        var files = new List<string>();
        foreach (var name in new[] { "one.csv", "two.csv", "three.csv" })
        {
            files.Add(_dir.Combine(name));
            await File.WriteAllBytesAsync(files[^1], CsvCorpus.Good);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--data-root", _dir.Combine("data"), "--EcomOps:Limits:MaxUploadFiles=2", "lake", "upload", .. files], stdout, stderr);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("'three.csv' is file 3", stderr.ToString(), StringComparison.Ordinal);
        var lake = _dir.Combine("data", "lake", "ecomops-lake", "raw");
        Assert.Empty(Directory.Exists(lake) ? Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories) : []);
    }

    [Theory]
    [InlineData("../../etc/people.csv", "people.csv")]
    [InlineData("..\\..\\windows\\people.csv", "people.csv")]
    [InlineData("C:\\Users\\ada\\people.csv", "people.csv")]
    [InlineData(".hidden.csv", "hidden.csv")]
    [InlineData("--delete-all.csv", "delete-all.csv")]
    [InlineData("people..csv", "people.csv")]
    [InlineData("peo\u0000ple\r\n.csv", "people.csv")]
    [InlineData("invoice\u202Evsc.exe", "invoicevsc.exe")]
    [InlineData("zero\u200Bwidth.csv", "zerowidth.csv")]
    [InlineData("CON.csv", "_CON.csv")]
    [InlineData("lpt1", "_lpt1")]
    [InlineData("what?<*>|:\".csv", "what_______.csv")]
    [InlineData("%2e%2e.csv", "_2e_2e.csv")]
    [InlineData("trailing. . ", "trailing")]
    [InlineData("plain name (1).csv", "plain name (1).csv")]
    public void FileName_IsSanitised(string sent, string stored) => Assert.Equal(stored, UploadFileName.Sanitize(sent));

    [Theory]
    [InlineData("...")]
    [InlineData("../")]
    [InlineData("\u202E\u200B")]
    public void FileName_WithNothingUsable_IsRefused(string sent)
    {
        var error = Assert.Throws<UploadRejectedException>(() => UploadFileName.Sanitize(sent));
        Assert.Contains("nothing usable as a file name", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', error.Message);
    }

    [Fact]
    public void FileName_OverTheFileSystemLimit_IsRefused()
    {
        var error = Assert.Throws<UploadRejectedException>(() => UploadFileName.Sanitize(new string('é', 200) + ".csv"));
        Assert.Contains("is 404 bytes long; a file name may have at most 255 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_StoresTheSanitisedName_ThatTheCheckShowedBeforehand()
    {
        var sent = new UploadRequest("..\u202E/.people\u202E.csv", Size: CsvCorpus.Good.Length);

        var check = await Lake.CheckUploadAsync(sent, new MemoryStream(CsvCorpus.Good));
        var info = await Lake.UploadAsync(sent, new MemoryStream(CsvCorpus.Good));

        Assert.Equal("raw/customer_data/people.csv", check.TargetKey);
        Assert.Equal(check.TargetKey, info.Key);
        Assert.True(File.Exists(Path.Combine(_host.LakePath, "raw", "customer_data", "people.csv")));
    }

    [Theory]
    [InlineData("../outside.csv", "could leave the lake")]
    [InlineData("raw/%2e%2e/%2e%2e/x.csv", "could leave the lake")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("raw/invoice\u202Evsc.csv", "U+202E")]
    [InlineData("raw/a\u0007b.csv", "control character")]
    public async Task BadKey_IsRefusedAtEveryLakeEntry_AndNothingIsWritten(string key, string reason)
    {
        await Lake.UploadAsync(new UploadRequest("people.csv"), new MemoryStream(CsvCorpus.Good));
        var before = Directory.EnumerateFiles(_host.DataRoot, "*", SearchOption.AllDirectories).Where(f => !f.Contains("ops.db", StringComparison.Ordinal)).Order().ToList();

        Assert.Contains(reason, (await Assert.ThrowsAsync<UploadRejectedException>(() => Lake.UploadAsync(new UploadRequest("people.csv", Key: key), new MemoryStream(CsvCorpus.Good)))).Message, StringComparison.Ordinal);
        Assert.Contains(reason, (await Assert.ThrowsAsync<ArgumentException>(() => Lake.PreviewAsync(key))).Message, StringComparison.Ordinal);
        Assert.Contains(reason, (await Assert.ThrowsAsync<ArgumentException>(() => Lake.DeleteAsync(key))).Message, StringComparison.Ordinal);
        Assert.Contains(reason, (await Assert.ThrowsAsync<ArgumentException>(() => Lake.BrowseAsync(key + "/"))).Message, StringComparison.Ordinal);

        var warehouse = _host.Get<IWarehouse>();
        await warehouse.InitAsync();
        var copy = await Assert.ThrowsAsync<LoadRefusedException>(() => warehouse.CopyAsync(
            CopyParser.Parse($"COPY public.customer_data FROM 's3://ecomops-lake/{key}' IAM_ROLE default CSV IGNOREHEADER 1"), new LoadRunContext("test")));
        Assert.Contains("is not a lake location", copy.Message, StringComparison.Ordinal);
        Assert.Contains(reason, copy.Message, StringComparison.Ordinal);

        var after = Directory.EnumerateFiles(_host.DataRoot, "*", SearchOption.AllDirectories).Where(f => !f.Contains("ops.db", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(before, after.Where(f => !f.Contains("warehouse", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public void ObjectKey_WithABidiOverride_IsNotAKey() =>
        Assert.Equal("it contains the invisible formatting character U+202E; remove it", ObjectKey.Problem("raw/customer_data/\u202Evsc.csv"));
}
