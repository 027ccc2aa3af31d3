using Microsoft.Extensions.Logging;

namespace EcomOps.Tests.Support;

/// <summary>Keeps what was logged, to check that failures reach the log.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly List<(LogLevel Level, Exception? Exception, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, Exception? Exception, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (collector._entries)
            {
                collector._entries.Add((logLevel, exception, formatter(state, exception)));
            }
        }
    }
}
