using Bunit;
using EcomOps.Core;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Shared;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace EcomOps.Tests.Security;

/// <summary>The Lake page's upload panel under the upload limits: what a user sees before anything is sent.</summary>
public sealed class UploadPanelLimitsTests : IAsyncLifetime
{
    private readonly DashboardContext _context = new();

    public Task InitializeAsync()
    {
        _context.Services.Configure<LimitsOptions>(limits => limits.MaxUploadFiles = 2);
        _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void Drop_OfMoreFilesThanTheLimit_ShowsTheRefusal_AndListsNoneToUpload()
    {
        var panel = _context.Render<UploadPanel>();

        panel.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(CsvCorpus.Good, "a.csv"),
            InputFileContent.CreateFromBinary(CsvCorpus.Good, "b.csv"),
            InputFileContent.CreateFromBinary(CsvCorpus.Good, "c.csv"));

        panel.WaitForAssertion(() => Assert.Contains("at most 2 go in one upload (EcomOps:Limits:MaxUploadFiles), and 'c.csv' is file 3", panel.Find(".upload-batch-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll(".upload-item"));
        var spool = Path.Combine(_context.DataRoot, "uploads");
        Assert.False(Directory.Exists(spool) && Directory.EnumerateFileSystemEntries(spool).Any(), "a refused drop must not start receiving any file");
    }

    [Fact]
    public void File_WithAnUnsafeName_ShowsTheNameItWillHave_BeforeTheUpload()
    {
        var panel = _context.Render<UploadPanel>(p => p.Add(x => x.Prefix, "incoming/"));

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(CsvCorpus.Good, ".people\u202Ev\u200Bsc.csv"));

        panel.WaitForAssertion(() => Assert.Equal("ready", panel.Find(".upload-item").GetAttribute("data-state")));
        Assert.Equal("stored as peoplevsc.csv", panel.Find(".upload-stored-name").TextContent);
        Assert.Contains("incoming/peoplevsc.csv", panel.Find(".upload-item").TextContent, StringComparison.Ordinal);
    }
}
