using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EcomOps.Tests.Pipeline;

/// <summary>Saved pipelines and their schedules, on a fake clock: what fires, when, and how often after downtime.</summary>
public sealed class PipelineScheduleTests : IDisposable
{
    private static readonly DateTimeOffset Monday0930 = new(2026, 3, 23, 9, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Monday0930);
    private readonly CoreHost _host;

    public PipelineScheduleTests() => _host = new CoreHost(services => services.AddSingleton<TimeProvider>(_clock));

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IPipelineService Pipelines => _host.Get<IPipelineService>();

    // A crawl of an empty lake: a real run that needs no data.
    private static PipelineOptions CrawlOnly => new(Steps: [PipelineStep.Crawl]);

    [Fact]
    public async Task ScheduleMissedWhileTheAppWasDown_RunsOnceAtStartUp_NotOncePerMissedOccurrence()
    {
        var hourly = await Pipelines.CreatePipelineAsync(new SavedPipelineRequest("hourly crawl", CrawlOnly, "0 * * * *"));

        // EcomOps is down from 09:30 until 15:10: six hourly occurrences pass, 10:00 to 15:00.
        _clock.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(40));
        var scheduler = _host.Services.GetServices<IHostedService>().OfType<PipelineScheduler>().Single();
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            // Recording the run on the saved pipeline is the last thing the scheduler does for it.
            await Eventually.UntilAsync(async () => (await Pipelines.GetPipelineAsync(hourly.Id))!.LastRunId is not null);

            // The clock has not moved since: nothing more is owed, however often the schedules are looked at.
            Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
            var runs = await RunsOfAsync(hourly.Id);
            var run = Assert.Single(runs);
            Assert.Equal("schedule", run.StartedBy);
            var saved = (await Pipelines.GetPipelineAsync(hourly.Id))!;
            Assert.Equal(new DateTimeOffset(2026, 3, 23, 15, 0, 0, TimeSpan.Zero), saved.LastFiredAt);
            Assert.Equal(run.Id, saved.LastRunId);
            var job = await _host.Get<IJobRunner>().WaitAsync(run.Id);
            Assert.Equal("2026-03-23 15:00:00 UTC", job.Parameters["scheduled for"]);
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }

        // The next occurrence fires once, when it comes.
        _clock.Advance(TimeSpan.FromMinutes(49));
        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(await scheduler.RunDueAsync(CancellationToken.None));
        Assert.Equal(2, (await RunsOfAsync(hourly.Id)).Count);
    }

    [Fact]
    public async Task NewSchedule_DoesNotFireForOccurrencesBeforeItWasSaved_AndADisabledOneNeverFires()
    {
        var daily = await Pipelines.CreatePipelineAsync(new SavedPipelineRequest("daily", CrawlOnly, "0 2 * * *"));
        var off = await Pipelines.CreatePipelineAsync(new SavedPipelineRequest("off", CrawlOnly, "* * * * *", Enabled: false));
        var scheduler = _host.Services.GetServices<IHostedService>().OfType<PipelineScheduler>().Single();

        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromDays(1));

        var started = Assert.Single(await scheduler.RunDueAsync(CancellationToken.None));
        Assert.Equal(daily.Id, started.PipelineId);
        Assert.Empty(await RunsOfAsync(off.Id));
        await _host.Get<IJobRunner>().WaitAsync(started.Id);
    }

    [Fact]
    public void NextOccurrences_AreInTheScheduleTimeZone_AcrossADaylightSavingChange()
    {
        // Paris moves to summer time on Sunday 2026-03-29: noon there is 11:00 UTC before and 10:00 UTC after.
        var week = Pipelines.NextOccurrences("0 12 * * *", "Europe/Paris", 7);

        Assert.Equal(new DateTimeOffset(2026, 3, 23, 12, 0, 0, TimeSpan.FromHours(1)), week[0]);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 11, 0, 0, TimeSpan.Zero), week[5].ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.FromHours(2)), week[6]);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 10, 0, 0, TimeSpan.Zero), week[6].ToUniversalTime());
        Assert.Equal(week.Take(5), Pipelines.NextOccurrences("0 12 * * *", "Europe/Paris"));

        // 06:00 in New York on Mondays is 10:00 UTC (summer time there began on 8 March): today's is still to come.
        var weekly = Pipelines.NextOccurrences("0 6 * * MON", "America/New_York");
        Assert.Equal([23, 30, 6, 13, 20], weekly.Select(o => o.Day));
        Assert.All(weekly, o => Assert.Equal((DayOfWeek.Monday, 6, TimeSpan.FromHours(-4)), (o.DayOfWeek, o.Hour, o.Offset)));
    }

    [Theory]
    [InlineData("0 25 * * *", "UTC", "is not a cron expression")]
    [InlineData("every hour", "UTC", "Write 5 fields")]
    [InlineData("0 2 * * *", "Mars/Olympus", "Unknown time zone 'Mars/Olympus'")]
    public async Task BadSchedule_IsRefusedWithWhatToWrite_AndNothingIsSaved(string cron, string zone, string message)
    {
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Pipelines.NextOccurrences(cron, zone)).Message);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Pipelines.CreatePipelineAsync(new SavedPipelineRequest("nightly", CrawlOnly, cron, zone)));
        Assert.Contains(message, error.Message);
        Assert.Empty(await Pipelines.ListPipelinesAsync());
    }

    [Fact]
    public async Task SavedPipelines_AreCreatedUpdatedAndDeleted_AndNamesAreUnique()
    {
        var nightly = await Pipelines.CreatePipelineAsync(new SavedPipelineRequest("Nightly", CrawlOnly, "0 2 * * *", "Europe/Paris"));
        var taken = await Assert.ThrowsAsync<ArgumentException>(() => Pipelines.CreatePipelineAsync(new SavedPipelineRequest("nightly", CrawlOnly)));
        Assert.Contains("already called 'nightly'", taken.Message);

        var updated = await Pipelines.UpdatePipelineAsync(nightly.Id, new SavedPipelineRequest("Nightly load", CrawlOnly with { Steps = [PipelineStep.Convert, PipelineStep.Load] }, "0 3 * * *", "Europe/Paris"));

        var read = Assert.Single(await Pipelines.ListPipelinesAsync());
        Assert.Equal(("Nightly load", "0 3 * * *", "Europe/Paris"), (read.Name, read.Cron, read.TimeZone));
        Assert.Equal([PipelineStep.Convert, PipelineStep.Load], read.Options.EffectiveSteps);
        Assert.Equal(updated.Id, read.Id);
        Assert.True(await Pipelines.DeletePipelineAsync(nightly.Id));
        Assert.Empty(await Pipelines.ListPipelinesAsync());
        Assert.False(await Pipelines.DeletePipelineAsync(nightly.Id));
    }

    private async Task<IReadOnlyList<PipelineRun>> RunsOfAsync(Guid pipelineId) =>
        await Pipelines.ListAsync(new PipelineRunFilter(PipelineId: pipelineId));
}
