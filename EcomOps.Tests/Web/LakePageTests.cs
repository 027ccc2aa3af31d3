using Bunit;
using EcomOps.Core;
using EcomOps.Core.Storage;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The Lake page over Core's real services and a local lake that the test can make fail.</summary>
public sealed class LakePageTests : IAsyncLifetime
{
    private readonly DashboardContext _context;
    private readonly LogCollector _log = new();
    private InterceptingStore _store = default!;

    // The lake's store the test can make fail replaces Core's: it goes in first, since Core's is a TryAdd (the log collector with it).
    public LakePageTests()
    {
        _context = new DashboardContext(overrides: services => services
            .AddSingleton<IObjectStore>(sp =>
                _store = new InterceptingStore(new LocalObjectStore(sp.GetRequiredService<IOptions<EcomOpsOptions>>().Value.LakeFullPath)))
            .AddSingleton<ILoggerProvider>(_log));
    }

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        Directory.CreateDirectory(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data"));
        File.WriteAllBytes(Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data", "people.csv"), CsvCorpus.Good);
        _ = _context.Get<IObjectStore>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private ISnackbar Snackbar => _context.Get<ISnackbar>();

    [Fact]
    public void ClickingAnObjectsName_OpensItsPreview()
    {
        _context.Get<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("lake?prefix=raw/customer_data/");
        var page = _context.Render<EcomOps.Web.Components.Pages.Lake>();

        page.WaitForElement(".lake-object[data-key='raw/customer_data/people.csv'] .object-name").Click();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".lake-preview .preview-table tbody tr").Count));
        Assert.Contains("Email", page.Find(".lake-preview .preview-table thead").TextContent);
    }

    [Fact]
    public void Browse_WhenTheStoreFails_ShowsTheErrorInTheSnackbarAndLogsIt()
    {
        _store.FailList = new IOException("Could not reach S3 at http://127.0.0.1:9 for list s3://lake (simulated)");

        var page = _context.Render<EcomOps.Web.Components.Pages.Lake>();

        page.WaitForAssertion(() => Assert.Contains("Could not reach S3", page.Find(".lake-error").TextContent));
        Assert.Contains(Snackbar.ShownSnackbars, s => s.Message != null && s.Message.Contains("Could not reach S3", StringComparison.Ordinal) && s.Severity == Severity.Error);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Exception is IOException);

        // The circuit is still alive: once the store answers again, Refresh lists the lake.
        _store.FailList = null;
        page.Find("button[aria-label=Refresh]").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".lake-folder[data-prefix='raw/']")));
        Assert.Empty(page.FindAll(".lake-error"));
    }

    [Fact]
    public void Browse_OfAnInvalidPrefix_SaysWhy_AndShowsTheTopOfTheLake()
    {
        _context.Get<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("lake?prefix=../etc/");

        var page = _context.Render<EcomOps.Web.Components.Pages.Lake>();

        page.WaitForAssertion(() => Assert.Contains("..", page.Find(".lake-error").TextContent));
        Assert.NotEmpty(page.FindAll(".lake-folder[data-prefix='raw/']"));
    }

    [Fact]
    public void Preview_WhenTheStoreFails_ShowsTheErrorInTheSnackbarAndLogsIt()
    {
        _context.Get<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("lake?prefix=raw/customer_data/");
        var page = _context.Render<EcomOps.Web.Components.Pages.Lake>();
        _store.FailRead = (_, _) => new IOException("connection reset (simulated)");

        page.WaitForElement(".lake-object[data-key='raw/customer_data/people.csv'] .preview-action").Click();

        page.WaitForAssertion(() => Assert.Contains(Snackbar.ShownSnackbars, s => s.Message != null && s.Message.Contains("Cannot preview raw/customer_data/people.csv: connection reset", StringComparison.Ordinal)));
        Assert.Contains(_log.Entries, e => e.Exception is IOException);
        Assert.Empty(page.FindAll(".lake-preview .preview-table"));
    }

    [Fact]
    public void Delete_WhenTheStoreFails_ShowsTheErrorInTheSnackbarAndLogsIt()
    {
        var dialogs = _context.Render<MudDialogProvider>();
        _context.Get<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("lake?prefix=raw/customer_data/");
        var page = _context.Render<EcomOps.Web.Components.Pages.Lake>();
        _store.FailDelete = new IOException("S3 denied delete (simulated)");

        page.WaitForElement(".lake-object[data-key='raw/customer_data/people.csv'] .delete-action").Click();
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog button")));
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Delete", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Contains(Snackbar.ShownSnackbars, s => s.Message != null && s.Message.Contains("Could not delete raw/customer_data/people.csv: S3 denied delete", StringComparison.Ordinal)));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Exception is IOException);
        Assert.NotEmpty(page.FindAll(".lake-object[data-key='raw/customer_data/people.csv']"));
    }
}
