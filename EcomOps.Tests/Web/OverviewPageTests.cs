using Bunit;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Tests.Support;
using MudBlazor;
using OverviewPage = EcomOps.Web.Components.Pages.Overview;

namespace EcomOps.Tests.Web;

/// <summary>The Overview page over Core's real runs: the figures on a fresh start, after a failure, after the chain, and the demo button.</summary>
public sealed class OverviewPageTests : IAsyncLifetime
{
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
    public void AFreshStart_ShowsNoRunsNoFailures_AndEachDatasetInTheReconciliation()
    {
        var page = _context.Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Equal("0", page.Find(".kpi-runs-today").GetAttribute("data-value")), Slow);
        Assert.Equal("0", page.Find(".kpi-failures").GetAttribute("data-value"));
        Assert.NotNull(page.Find(".no-failures"));
        Assert.Equal("none", page.Find(".demo").GetAttribute("data-demo-status"));
        page.WaitForAssertion(() => Assert.Equal(["customer_data", "catalog_data", "transactions_data"], page.FindAll(".reconciliation-row").Select(r => r.GetAttribute("data-dataset"))), Slow);
    }

    [Fact]
    public async Task AFailedRun_IsCountedAndListed_WithALinkToIt()
    {
        var failed = await _context.Get<IPipelineService>().StartAsync(new PipelineOptions([PipelineStep.Generate, PipelineStep.Load], Small));
        await _context.Get<IJobRunner>().WaitAsync(failed.Id);

        var page = _context.Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".failure-row")), Slow);
        Assert.NotEqual("0", page.Find(".kpi-failures").GetAttribute("data-value"));
        Assert.All(page.FindAll(".failure-row a"), a => Assert.False(string.IsNullOrEmpty(a.GetAttribute("href"))));
    }

    [Fact]
    public async Task AfterTheChainTwice_TheWarehouseRowsShowOnce_EveryDatasetReconciles_AndLineageTracesALoad()
    {
        // Twice, as a demo-giver clicks again: the load step replaces the tables' rows, so nothing is doubled.
        for (var i = 0; i < 2; i++)
        {
            var run = await _context.Get<IPipelineService>().StartAsync(new PipelineOptions(Generation: Small));
            Assert.Equal(JobStatus.Succeeded, (await _context.Get<IJobRunner>().WaitAsync(run.Id)).Status);
        }

        var page = _context.Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Equal("500", page.Find(".kpi-warehouse .warehouse-table[data-table='public.transactions_data']").GetAttribute("data-rows")), Slow);
        // The KPIs show before the reconciliation is read: wait for it too.
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".reconciliation-row[data-reconciled='true']").Count), Slow);
        Assert.Equal("500", page.Find(".reconciliation-row[data-dataset='transactions_data'] .warehouse").GetAttribute("data-rows"));
        Assert.Equal("500", page.Find(".reconciliation-row[data-dataset='transactions_data'] .raw").GetAttribute("data-rows"));

        // The page refreshes itself: a click can meet a re-render that replaced its handler, so it is retried until one lands.
        page.WaitForAssertion(() => page.Find(".reconciliation-row[data-dataset='transactions_data'] td a").Click(), Slow);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".lineage .lineage-node[data-kind='Load']")), Slow);
        Assert.NotEmpty(page.FindAll(".lineage .lineage-node[data-kind='RawFile']"));
    }

    [Fact]
    public async Task RunDemoPipeline_StartsTheWholeChain_AndShowsItsTimelineQueryAndLoads()
    {
        var page = _context.Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("#run-demo")), Slow);

        page.WaitForAssertion(() => page.Find("#run-demo").Click(), Slow);

        var runs = await _context.Get<IPipelineService>().ListAsync(new PipelineRunFilter());
        var demo = Assert.Single(runs);
        Assert.Equal(PipelineOptions.DefaultSteps, demo.Options.EffectiveSteps);
        await _context.Get<IJobRunner>().WaitAsync(demo.Id);
        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find(".demo").GetAttribute("data-demo-status")), Slow);
        page.WaitForAssertion(() => Assert.NotNull(page.Find(".demo-chart")), Slow);
        Assert.Equal("generate:succeeded,convert:succeeded,crawl:succeeded,load:succeeded", page.Find(".demo .timeline").GetAttribute("data-steps"));
        Assert.Equal(GenerationLimits.DefaultTransactions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            page.Find(".demo-loads tr[data-table='public.transactions_data']").GetAttribute("data-rows"));
    }
}
