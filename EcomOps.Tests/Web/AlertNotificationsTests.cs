using Bunit;
using EcomOps.Core.Alerts;
using EcomOps.Core.Conversion;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Lake;
using EcomOps.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor;

namespace EcomOps.Tests.Web;

/// <summary>The layout's alerts: a failed run shows as a snackbar with a link that opens the run on the Jobs page.</summary>
public sealed class AlertNotificationsTests : IAsyncLifetime
{
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(30);

    private readonly DashboardContext _context = new();
    private IRenderedComponent<MudSnackbarProvider> _snackbars = default!;

    public async Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        _snackbars = _context.Render<MudSnackbarProvider>();
        foreach (var monitor in _context.Services.GetServices<IHostedService>().OfType<AlertMonitor>())
        {
            await monitor.StartAsync(CancellationToken.None);
        }

        var generate = _context.Get<IGenerationService>().StartGeneration(new GenerationOptions(20, 5, 50));
        await Runner.WaitAsync(generate.Id);
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private IJobRunner Runner => _context.Get<IJobRunner>();

    [Fact]
    public async Task FailedConversion_ShowsASnackbar_SayingWhatFailedAndWhy_WithALinkToTheRun()
    {
        _context.Render<AlertNotificationsHost>();

        var failed = await FailAConversionAsync();

        _snackbars.WaitForAssertion(() => Assert.NotNull(_snackbars.Find($".run-alert[data-run='{failed.Id}']")), Busy);
        var alert = _snackbars.Find($".run-alert[data-run='{failed.Id}']");
        Assert.Contains("Convert customer_data to Parquet failed", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("more than 0 rows were rejected", alert.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/jobs?run={failed.Id}", alert.QuerySelector("a.run-alert-link")!.GetAttribute("href"));
        Assert.Single(_snackbars.FindAll(".mud-snackbar"));
        Assert.Contains("mud-alert-filled-error", _snackbars.Find(".mud-snackbar").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAlertsLink_OpensThatRunsDetailsOnTheJobsPage()
    {
        var failed = await FailAConversionAsync();

        _context.Get<NavigationManager>().NavigateTo($"/jobs?run={failed.Id}");
        var page = _context.Render<EcomOps.Web.Components.Pages.Jobs>();

        page.WaitForAssertion(() => Assert.Contains(failed.Id.ToString(), page.Find(".job-detail").TextContent, StringComparison.Ordinal), Busy);
        Assert.Contains("Convert customer_data to Parquet", page.Find(".job-detail").TextContent, StringComparison.Ordinal);
        Assert.Contains("more than 0 rows were rejected", page.Find(".detail-error").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMistypedRunInTheAddress_OpensTheJobsPageWithoutDetails()
    {
        var failed = await FailAConversionAsync();

        _context.Get<NavigationManager>().NavigateTo("/jobs?run=not-a-run");
        var page = _context.Render<EcomOps.Web.Components.Pages.Jobs>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find($".job-row[data-run='{failed.Id}']")), Busy);
        Assert.Empty(page.FindAll(".job-detail"));
    }

    [Fact]
    public void AClosedConnection_ShowsNoMoreAlerts_AndAnOpenOneShowsEachRunOnce()
    {
        var stream = _context.Get<AlertStream>();
        var host = _context.Render<AlertNotificationsHost>();
        var before = Alert("before");
        stream.Publish(before);
        stream.Publish(before);
        _snackbars.WaitForAssertion(() => Assert.NotNull(_snackbars.Find($".run-alert[data-run='{before.RunId}']")), Busy);

        host.Render(p => p.Add(h => h.Shown, false));
        var whileClosed = Alert("while closed");
        stream.Publish(whileClosed);
        host.Render(p => p.Add(h => h.Shown, true));
        var after = Alert("after");
        stream.Publish(after);

        // Alerts reach the snackbar in the order they were raised: once the last is there, any earlier one would be too.
        _snackbars.WaitForAssertion(() => Assert.NotNull(_snackbars.Find($".run-alert[data-run='{after.RunId}']")), Busy);
        Assert.Empty(_snackbars.FindAll($".run-alert[data-run='{whileClosed.RunId}']"));
        Assert.Single(_snackbars.FindAll($".run-alert[data-run='{before.RunId}']"));
    }

    private static RunAlert Alert(string title) =>
        new(Guid.NewGuid(), JobKinds.Convert, title, "convert", "customer_data", "something broke", DateTimeOffset.UnixEpoch);

    // Bad rows in the customers' raw folder: with no bad rows allowed, that conversion fails.
    private async Task<JobRun> FailAConversionAsync()
    {
        var raw = Path.Combine(_context.DataRoot, "lake", "ecomops-lake", "raw", "customer_data");
        File.WriteAllBytes(Path.Combine(raw, "bad.csv"), CsvCorpus.Lines(CsvCorpus.CustomersHeader, "900,x,x@x.com,c,2024-02-30"));
        var run = Assert.Single(_context.Get<IConversionService>().StartConversion(new ConversionOptions(MaxErrors: 0), ["customer_data"]));
        var failed = await Runner.WaitAsync(run.Id);
        Assert.Equal(JobStatus.Failed, failed.Status);
        return failed;
    }
}
