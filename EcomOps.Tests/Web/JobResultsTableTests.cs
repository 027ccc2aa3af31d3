using Bunit;
using EcomOps.Core.Jobs;
using EcomOps.Web.Components.Shared;
using MudBlazor.Services;

namespace EcomOps.Tests.Web;

/// <summary>A run's result lines: a remote engine's https address (a Glue run's logs) is a link, nothing else is.</summary>
public sealed class JobResultsTableTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    public JobResultsTableTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 never calls a test class's DisposeAsync.
    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    [Fact]
    public void AnHttpsValue_OpensInANewTab_OtherValuesStayText()
    {
        const string logs = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws-glue$252Fjobs$252Foutput/log-events/jr_1";
        var table = _context.Render<JobResultsTable>(p => p.Add(c => c.Results, new JobResult[]
        {
            new("logs", logs),
            new("script", "javascript:alert('x') https://example.com"),
            new("source", "http://127.0.0.1:9000/raw/customer_data/"),
            new("rows", "42"),
        }));

        var link = Assert.Single(table.FindAll("a.result-link"));
        Assert.Equal(logs, link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Contains("noopener", link.GetAttribute("rel"));
        Assert.Contains("javascript:alert", table.Markup);
        Assert.Contains("http://127.0.0.1:9000/raw/customer_data/", table.Markup);
    }
}
