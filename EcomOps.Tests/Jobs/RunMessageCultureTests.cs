using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Jobs;

/// <summary>
/// Errors kept in the run history are read later, by other people, on the dashboard or the CLI: they say the
/// same whatever culture the server that ran the job had.
/// </summary>
public sealed class RunMessageCultureTests : IDisposable
{
    private readonly CoreHost _host = new();
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;

    public RunMessageCultureTests() => CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        _host.Dispose();
    }

    [Fact]
    public async Task UploadOverTheLimit_OnAGermanServer_StoresItsErrorWithInvariantNumbers()
    {
        var lake = _host.Get<ILakeService>();

        var upload = lake.StartBrowserUpload(new UploadRequest("big.csv", Size: 3_000_000_000));
        await upload.ReceiveAsync(new MemoryStream(CsvCorpus.Good));
        await _host.Get<IJobRunner>().WaitAsync(upload.Run.Id);

        var stored = (await _host.Get<IJobHistory>().GetAsync(upload.Run.Id))!;
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Contains("'big.csv' is 3,000,000,000 bytes, over the upload limit of 2,147,483,648 bytes", stored.Error);
    }

    [Fact]
    public async Task ConversionOverMaxErrors_OnAGermanServer_StoresItsErrorWithInvariantNumbers()
    {
        var lines = new List<string> { CsvCorpus.TransactionsHeader };
        lines.AddRange(Enumerable.Range(1, 1_001).Select(i => $"{i},1,1,2024-01-01 10:00:00,not-a-number,Chile"));
        Directory.CreateDirectory(Path.Combine(_host.LakePath, "raw", "transactions_data"));
        await File.WriteAllTextAsync(Path.Combine(_host.LakePath, "raw", "transactions_data", "bad.csv"), string.Join('\n', lines) + "\n");

        var started = _host.Get<IConversionService>().StartConversion(new ConversionOptions(MaxErrors: 1_000), ["transactions_data"]).Single();
        await _host.Get<IJobRunner>().WaitAsync(started.Id);

        var stored = (await _host.Get<IJobHistory>().GetAsync(started.Id))!;
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Contains("more than 1,000 rows were rejected", stored.Error);
        Assert.Contains("The 1,001 rejected rows", stored.Error);
    }
}
