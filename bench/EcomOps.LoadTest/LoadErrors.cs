using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EcomOps.LoadTest;

/// <summary>Every error the run saw, counted by kind, with the first message of each kind kept for the report.</summary>
internal sealed class LoadErrors
{
    private readonly ConcurrentDictionary<string, Tally> _byKind = new(StringComparer.Ordinal);

    public long Total => _byKind.Values.Sum(t => t.Count);

    public void Add(string kind, string message)
    {
        var tally = _byKind.GetOrAdd(kind, _ => new Tally(message));
        Interlocked.Increment(ref tally.Count);
    }

    public IReadOnlyList<(string Kind, long Count, string FirstMessage)> ByKind() =>
        _byKind.OrderByDescending(p => p.Value.Count).Select(p => (p.Key, Interlocked.Read(ref p.Value.Count), p.Value.FirstMessage)).ToList();

    private sealed class Tally(string firstMessage)
    {
        public long Count;

        public string FirstMessage { get; } = firstMessage;
    }
}

/// <summary>
/// Warnings and errors the SignalR client logs (a hub message with no handler, a message it cannot bind, a lost
/// connection) are errors of the run, not noise: they mean the circuit client did not behave as a browser would.
/// </summary>
internal sealed class ErrorLoggerProvider(LoadErrors errors) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(errors, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LoadErrors errors, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Add($"signalr client {logLevel} ({eventId.Name ?? category})", formatter(state, exception) + (exception is null ? "" : $" ({exception.Message})"));
            }
        }
    }
}
