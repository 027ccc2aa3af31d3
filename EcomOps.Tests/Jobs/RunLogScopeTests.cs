using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Tests.Jobs;

/// <summary>Every line logged while a run works says which run it is, as the console and any log shipper see it.</summary>
public sealed class RunLogScopeTests : IDisposable
{
    private readonly ScopeCapturingLogs _logs = new();
    private readonly CoreHost _host;

    public RunLogScopeTests() => _host = new CoreHost(services => services.AddLogging(logging => logging.AddProvider(_logs)));

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task EveryLineOfARun_CarriesItsRunId_AlsoWithTwoRunsAtOnce_AndOnABackgroundTaskOfTheHandler()
    {
        var runner = _host.Get<IJobRunner>();
        var logger = _host.Get<ILoggerFactory>().CreateLogger("EcomOps.Tests.Handler");
        using var bothWorking = new CountdownEvent(2);
        var work = TestScripts.Job(async (context, job, token) =>
        {
            logger.LogInformation("handler line 1 of {Own}", context.RunId);
            bothWorking.Signal();
            await Task.Run(() => bothWorking.Wait(token), token);
            await Task.Run(() => logger.LogInformation("handler line 2 of {Own}, from a background task", context.RunId), token);
            logger.LogWarning("handler line 3 of {Own}", context.RunId);
            if (job.Argument == "fail")
            {
                throw new InvalidOperationException("failing on purpose");
            }
        }, steps: ["s"]);

        var first = runner.Start(work);
        var second = runner.Start(work with { Argument = "fail" });
        await runner.WaitAsync(first.Id);
        await runner.WaitAsync(second.Id);

        foreach (var run in new[] { first, second })
        {
            var id = run.Id.ToString();
            var lines = _logs.Entries.Where(e => e.Message.Contains(id, StringComparison.Ordinal)).ToList();

            // The handler's three lines, and the runner's start, failure and end lines.
            Assert.Equal(3, lines.Count(l => l.Category == "EcomOps.Tests.Handler"));
            Assert.Contains(lines, l => l.Category == typeof(JobRunner).FullName && l.Message.Contains("started", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Category == typeof(JobRunner).FullName && l.Message.Contains(run == first ? "Succeeded after" : "Failed after", StringComparison.Ordinal));
            Assert.All(lines, l => Assert.True(l.RunId == id, $"'{l.Message}' ({l.Category}) was logged with run id {l.RunId ?? "(none)"}, not {id}"));
        }
    }

    /// <summary>Keeps each line with the innermost <c>RunId</c> of the scopes it was logged in.</summary>
    private sealed class ScopeCapturingLogs : ILoggerProvider, ISupportExternalScope
    {
        private readonly List<(string Category, string Message, string? RunId)> _entries = [];
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<(string Category, string Message, string? RunId)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapturingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string? runId = null;
                owner._scopes.ForEachScope((scope, _) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "RunId").Value is { } value)
                    {
                        runId = value.ToString();
                    }
                }, (object?)null);
                lock (owner._entries)
                {
                    owner._entries.Add((category, formatter(state, exception), runId));
                }
            }
        }
    }
}
