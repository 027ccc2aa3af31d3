using Bunit;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Tests.Support;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PipelinePage = EcomOps.Web.Components.Pages.Pipeline;

namespace EcomOps.Tests.Web;

/// <summary>The Pipeline page over Core's real pipeline runs: starting one, a run's steps and timeline, retry from the failed step, schedules.</summary>
public sealed class PipelinePageTests : IAsyncLifetime
{
    // The whole suite shares two cores: a run of the chain can take seconds.
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);
    private static readonly GenerationOptions Small = new(100, 20, 500);

    private readonly DashboardContext _context = new();

    public Task InitializeAsync()
    {
        _context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public async Task ASizeThatIsNotANumber_IsNamed_AndNoRunStarts()
    {
        var page = _context.Render<PipelinePage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".no-runs")), Slow);

        page.Find(".size-transactions input").Change("lots");
        page.WaitForAssertion(() => page.Find("#start-pipeline").Click(), Slow);

        page.WaitForAssertion(() => Assert.Contains("Transactions", page.Find(".start-problem").TextContent), Slow);
        Assert.Empty(await _context.Get<IPipelineService>().ListAsync(new PipelineRunFilter()));
    }

    [Fact]
    public async Task StartingARun_OpensIt_AndItsStepsEndSucceededOnTheTimeline()
    {
        var page = _context.Render<PipelinePage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".no-runs")), Slow);
        page.Find(".size-customers input").Change("100");
        page.Find(".size-products input").Change("20");
        page.Find(".size-transactions input").Change("500");

        page.WaitForAssertion(() => page.Find("#start-pipeline").Click(), Slow);

        var navigation = _context.Get<NavigationManager>();
        page.WaitForAssertion(() => Assert.Contains("/pipeline/", navigation.Uri, StringComparison.Ordinal), Slow);
        var id = Guid.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..]);
        await _context.Get<IJobRunner>().WaitAsync(id);
        var opened = _context.Render<PipelinePage>(p => p.Add(x => x.RunId, id));
        opened.WaitForAssertion(() => Assert.Equal("Succeeded", opened.Find(".run-detail").GetAttribute("data-status")), Slow);
        Assert.Equal("generate:succeeded,convert:succeeded,crawl:succeeded,load:succeeded", opened.Find(".timeline").GetAttribute("data-steps"));
        Assert.Equal(4, opened.FindAll(".step-row[data-status='succeeded']").Count);
        Assert.Equal("Succeeded", opened.Find($".pipeline-row[data-run-id='{id}']").GetAttribute("data-status"));
        Assert.Empty(opened.FindAll(".retry-run"));
    }

    [Fact]
    public async Task AFailedRun_ShowsItsFailedStepAndError_AndRetryRunsFromThereKeepingWhatSucceeded()
    {
        // Loading Parquet that was never converted fails the load step; generation before it succeeds.
        var failed = await _context.Get<IPipelineService>().StartAsync(new PipelineOptions([PipelineStep.Generate, PipelineStep.Load], Small));
        await _context.Get<IJobRunner>().WaitAsync(failed.Id);

        var page = _context.Render<PipelinePage>(p => p.Add(x => x.RunId, failed.Id));

        page.WaitForAssertion(() => Assert.Equal("Failed", page.Find(".run-detail").GetAttribute("data-status")), Slow);
        Assert.Equal("succeeded", page.Find(".step-row[data-step='generate']").GetAttribute("data-status"));
        Assert.Equal("failed", page.Find(".step-row[data-step='load']").GetAttribute("data-status"));
        Assert.Contains("Retry from load", page.Find(".retry-run").TextContent, StringComparison.Ordinal);

        page.WaitForAssertion(() => page.Find(".retry-run").Click(), Slow);

        var navigation = _context.Get<NavigationManager>();
        page.WaitForAssertion(() => Assert.DoesNotContain(failed.Id.ToString(), navigation.Uri, StringComparison.Ordinal), Slow);
        var retry = Guid.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..]);
        await _context.Get<IJobRunner>().WaitAsync(retry);
        var opened = _context.Render<PipelinePage>(p => p.Add(x => x.RunId, retry));
        opened.WaitForAssertion(() => Assert.StartsWith("generate:reused,load:", opened.Find(".timeline").GetAttribute("data-steps"), StringComparison.Ordinal), Slow);
        Assert.Contains("retry of", opened.Find(".retry-of").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ACronExpression_ShowsItsNextFiveRuns_AndABadOneSaysWhatIsWrong()
    {
        var page = _context.Render<PipelinePage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".save-cron")), Slow);

        page.Find(".save-cron input").Input("0 2 * * *");
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll(".next-runs li").Count), Slow);
        Assert.All(page.FindAll(".next-runs li"), li => Assert.Contains("02:00 +00:00", li.TextContent, StringComparison.Ordinal));

        page.Find(".save-cron input").Input("every day");
        page.WaitForAssertion(() => Assert.NotEmpty(page.Find(".schedule-error").TextContent), Slow);
        Assert.Empty(page.FindAll(".next-runs li"));
    }
}
