using System.Net;
using System.Text.Json;
using EcomOps.Core.Alerts;
using EcomOps.Core.Jobs;
using EcomOps.Tests.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Alerts;

/// <summary>Failed runs reach operators: the in-process alert stream and a real webhook endpoint on 127.0.0.1.</summary>
public sealed class AlertTests : IDisposable
{
    private readonly WebhookListener _webhook = new();
    private readonly LogCollector _log = new();
    private readonly List<CoreHost> _hosts = [];

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        _webhook.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task FailedRun_IsPostedToTheWebhook_WithItsStepDatasetErrorAndLink()
    {
        var (runner, _) = await StartAsync(new() { ["EcomOps:Alerts:WebhookUrl"] = _webhook.Url, ["EcomOps:Alerts:DashboardUrl"] = "https://ecomops.example.com/" });

        var run = runner.Start(TestScripts.Job((context, _, _) =>
        {
            context.BeginStep("read", 10);
            context.CompleteStep("read", 10);
            context.BeginStep("write", 10);
            throw new InvalidOperationException("The disk is full.");
        }, title: "Convert customer_data", dataset: "customer_data", steps: ["read", "write", "commit"]));
        var failed = await runner.WaitAsync(run.Id);

        var request = await _webhook.NextAsync();
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(run.Id, body.GetProperty("runId").GetGuid());
        Assert.Equal("test", body.GetProperty("kind").GetString());
        Assert.Equal("write", body.GetProperty("step").GetString());
        Assert.Equal("customer_data", body.GetProperty("target").GetString());
        Assert.Equal("The disk is full.", body.GetProperty("error").GetString());
        Assert.Equal($"https://ecomops.example.com/jobs?run={run.Id}", body.GetProperty("link").GetString());
        Assert.Equal(failed.EndedAt, body.GetProperty("at").GetDateTimeOffset());
        Assert.Contains("Convert customer_data failed at step 'write' (customer_data): The disk is full.", body.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyFailedRunsArePosted_OncePerRun_AFailedChildRunToo()
    {
        var (runner, monitor) = await StartAsync(new() { ["EcomOps:Alerts:WebhookUrl"] = _webhook.Url });
        var ok = runner.Start(TestScripts.Job((_, _, _) => Task.CompletedTask, title: "fine"));
        await runner.WaitAsync(ok.Id);

        var child = TestScripts.Job((_, _, _) => throw new InvalidOperationException("The step broke."), title: "step");
        Guid childId = default;
        var parent = runner.Start(TestScripts.Job(async (context, _, token) =>
        {
            childId = context.StartChild(child).Id;
            var finished = await context.WaitForChildrenAsync([childId], token);
            throw new InvalidOperationException($"Step {finished[0].Title} failed.");
        }, title: "pipeline"));
        await runner.WaitAsync(parent.Id);
        await monitor.SendingAsync();

        var first = JsonDocument.Parse((await _webhook.NextAsync()).Body).RootElement;
        var second = JsonDocument.Parse((await _webhook.NextAsync()).Body).RootElement;
        var posted = new[] { first, second }.ToDictionary(b => b.GetProperty("runId").GetGuid());
        Assert.Equal(0, _webhook.Pending);
        Assert.Equal(new HashSet<Guid> { childId, parent.Id }, posted.Keys.ToHashSet());
        Assert.Equal(parent.Id, posted[childId].GetProperty("parentRunId").GetGuid());
        Assert.Equal("The step broke.", posted[childId].GetProperty("error").GetString());
        Assert.DoesNotContain(ok.Id, posted.Keys);
    }

    [Fact]
    public async Task WebhookAnsweringServerErrors_IsTriedAgain_UntilItAccepts()
    {
        _webhook.Answers.Enqueue(HttpStatusCode.InternalServerError);
        _webhook.Answers.Enqueue(HttpStatusCode.ServiceUnavailable);
        var (runner, monitor) = await StartAsync(new() { ["EcomOps:Alerts:WebhookUrl"] = _webhook.Url, ["EcomOps:Alerts:Retries"] = "3" });

        var run = runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("boom")));
        await runner.WaitAsync(run.Id);
        await monitor.SendingAsync();

        var bodies = new[] { (await _webhook.NextAsync()).Body, (await _webhook.NextAsync()).Body, (await _webhook.NextAsync()).Body };
        Assert.All(bodies, b => Assert.Equal(run.Id, JsonDocument.Parse(b).RootElement.GetProperty("runId").GetGuid()));
        Assert.Equal(0, _webhook.Pending);
        Assert.DoesNotContain(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("webhook", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("posted to the webhook", StringComparison.Ordinal) && e.Message.Contains("attempt 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebhookDown_TheRunStillEndsWithItsOwnError_AndTheFailureIsLogged()
    {
        var nobody = $"http://127.0.0.1:{WebhookListener.FreePort()}/services/T0/B0/secret?token=secret";
        var (runner, monitor) = await StartAsync(new() { ["EcomOps:Alerts:WebhookUrl"] = nobody, ["EcomOps:Alerts:Retries"] = "1", ["EcomOps:Alerts:TimeoutSeconds"] = "5" });
        var shown = new List<RunAlert>();
        using var subscription = _hosts[^1].Get<IAlertStream>().Subscribe(a => { lock (shown) { shown.Add(a); } });

        var run = runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("The source is gone.")));
        var failed = await runner.WaitAsync(run.Id);
        await monitor.SendingAsync();

        Assert.Equal((JobStatus.Failed, "The source is gone."), (failed.Status, failed.Error));
        Assert.Equal(run.Id, Assert.Single(shown).RunId);
        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("webhook", StringComparison.Ordinal));
        Assert.Contains($"Alert for run {run.Id} could not be posted to the webhook http://127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 2 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("secret", StringComparison.Ordinal));

        // The runner goes on working after the webhook failed.
        var next = runner.Start(TestScripts.Job((_, _, _) => Task.CompletedTask));
        Assert.Equal(JobStatus.Succeeded, (await runner.WaitAsync(next.Id)).Status);
    }

    [Fact]
    public async Task WebhookThatNeverAnswers_IsGivenUpAfterTheTimeout_AndTheFailureIsLogged()
    {
        _webhook.NeverAnswer = true;
        var (runner, monitor) = await StartAsync(new() { ["EcomOps:Alerts:WebhookUrl"] = _webhook.Url, ["EcomOps:Alerts:Retries"] = "0", ["EcomOps:Alerts:TimeoutSeconds"] = "1" });

        var run = runner.Start(TestScripts.Job((_, _, _) => throw new InvalidOperationException("boom")));
        Assert.Equal(JobStatus.Failed, (await runner.WaitAsync(run.Id)).Status);
        await monitor.SendingAsync();

        Assert.Equal(run.Id, JsonDocument.Parse((await _webhook.NextAsync()).Body).RootElement.GetProperty("runId").GetGuid());
        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("webhook", StringComparison.Ordinal));
        Assert.Contains("after 1 attempt(s): no answer within 1 s (EcomOps:Alerts:TimeoutSeconds)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EcomOps:Alerts:WebhookUrl", "hooks.example.com/x", "EcomOps:Alerts:WebhookUrl 'hooks.example.com/x' is not an absolute http or https URL")]
    [InlineData("EcomOps:Alerts:WebhookUrl", "ftp://hooks.example.com/x", "EcomOps:Alerts:WebhookUrl 'ftp://hooks.example.com/x' is not an absolute http or https URL")]
    [InlineData("EcomOps:Alerts:TimeoutSeconds", "0", "EcomOps:Alerts:TimeoutSeconds is 0; set 1-300 seconds")]
    [InlineData("EcomOps:Alerts:Retries", "11", "EcomOps:Alerts:Retries is 11; set 0-10")]
    public void BadSetting_IsRefusedAtStartUp_NamingTheKey(string key, string value, string message)
    {
        using var host = new CoreHost(configuration: new() { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Get<IOptions<AlertOptions>>().Value);

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    private async Task<(IJobRunner Runner, AlertMonitor Monitor)> StartAsync(Dictionary<string, string?> settings)
    {
        var host = new CoreHost(services =>
        {
            services.AddLogging(logging => logging.AddProvider(_log));

            // Retries wait 1 s, 2 s, ... in production; the tests need the order of attempts, not the wait.
            services.PostConfigure<AlertOptions>(o => o.RetryDelay = TimeSpan.FromMilliseconds(20));
        }, settings);
        _hosts.Add(host);
        var monitor = host.Services.GetServices<IHostedService>().OfType<AlertMonitor>().Single();
        await monitor.StartAsync(CancellationToken.None);
        return (host.Get<IJobRunner>(), monitor);
    }
}
