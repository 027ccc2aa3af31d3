using System.Text;
using Bunit;
using EcomOps.Core.Datasets;
using EcomOps.Core.Lake;
using EcomOps.Core.Storage;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Shared;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Lake page's preview grid and upload panel, with Core's real services over a temporary data root.</summary>
public sealed class LakeComponentsTests : IAsyncLifetime
{
    private readonly DashboardContext _context = new();

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void PreviewGrid_ShowsColumnsWithTypes_RowsAndTheRowCount()
    {
        var preview = new LakePreview(
            new ObjectInfo("raw/catalog_data/catalog_data.csv", 8_608, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "\"e\""),
            "csv",
            DatasetRegistry.Products,
            DatasetRegistry.Products.Columns.Select(c => new PreviewColumn(c.Name, c.AthenaType)).ToList(),
            [["1", "Handmade Metal Bike", "Shoes", "633.80", "56"], ["2", "Licensed Frozen Sausages", "Home", "640.48", "501"]],
            200,
            null,
            null);

        var panel = _context.Render<LakePreviewPanel>(p => p.Add(x => x.Preview, preview));

        var headers = panel.FindAll(".preview-table th").Select(th => th.TextContent).ToList();
        Assert.Equal("Pricedecimal(10,2)", headers[3]);
        Assert.Equal(2, panel.FindAll(".preview-table tbody tr").Count);
        Assert.Equal("Licensed Frozen Sausages", panel.FindAll(".preview-table tbody tr")[1].Children[1].TextContent);
        Assert.Equal("200 rows", panel.Find(".row-count").TextContent);
        Assert.Contains("modified 2026-01-02 03:04:05 UTC", panel.Find(".preview-meta").TextContent);
    }

    [Fact]
    public void PreviewGrid_WhileALargeFileIsCounted_SaysSo()
    {
        var preview = new LakePreview(new ObjectInfo("raw/x.csv", 1, DateTimeOffset.UnixEpoch, "e"), "csv", null, [new("a", "string")], [["1"]], null, Guid.NewGuid(), "The header matches no dataset; columns are shown as text.");

        var panel = _context.Render<LakePreviewPanel>(p => p.Add(x => x.Preview, preview));

        Assert.Equal("counting rows…", panel.Find(".row-count").TextContent);
        Assert.Contains("matches no dataset", panel.Markup);
    }

    [Theory]
    [MemberData(nameof(CsvCorpus.Malformed), MemberType = typeof(CsvCorpus))]
    public void Upload_OfAMalformedFile_ShowsItsMessage(string name, byte[] content, string message, bool refused)
    {
        var panel = _context.Render<UploadPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, $"{name}.csv"));

        var item = panel.WaitForElement($".upload-item[data-file='{name}.csv']");
        panel.WaitForAssertion(() => Assert.Equal(refused ? "refused" : "ready", panel.Find(".upload-item").GetAttribute("data-state")));
        var shown = panel.Find(refused ? ".upload-error" : ".upload-bad-rows").TextContent;
        Assert.Contains(message, shown);
        Assert.Equal(refused, item.QuerySelector(".upload-start") is null);
    }

    [Fact]
    public void Upload_OverAnExistingFile_IsOnlyPossibleAfterConfirming()
    {
        Directory.CreateDirectory(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data"));
        File.WriteAllBytes(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data", "people.csv"), CsvCorpus.Good);
        var panel = _context.Render<UploadPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Encoding.UTF8.GetString(CsvCorpus.Good), "people.csv"));

        panel.WaitForAssertion(() => Assert.Equal("ready", panel.Find(".upload-item").GetAttribute("data-state")));
        Assert.Contains("Replace the existing raw/customer_data/people.csv", panel.Find(".overwrite-confirm").TextContent);
        Assert.True(panel.Find(".upload-start").HasAttribute("disabled"));

        panel.Find(".overwrite-confirm input").Change(true);

        Assert.False(panel.Find(".upload-start").HasAttribute("disabled"));
    }

    [Fact]
    public void Upload_OfAGoodFile_RunsAndLandsInTheLake()
    {
        var panel = _context.Render<UploadPanel>(p => p.Add(x => x.Prefix, "raw/customer_data/"));

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(CsvCorpus.Good, "new-people.csv"));
        panel.WaitForAssertion(() => Assert.Equal("ready", panel.Find(".upload-item").GetAttribute("data-state")));
        Assert.Contains("raw/customer_data/new-people.csv", panel.Find(".upload-item").TextContent);
        panel.Find(".upload-start").Click();

        panel.WaitForAssertion(() => Assert.Equal("succeeded", panel.Find(".upload-item").GetAttribute("data-state")), TimeSpan.FromSeconds(10));
        Assert.Equal(CsvCorpus.Good, File.ReadAllBytes(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data", "new-people.csv")));
    }
}
