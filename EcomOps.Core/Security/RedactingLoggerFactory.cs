using System.Collections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Security;

/// <summary>
/// The safety net under every log line of the process: wraps the host's <see cref="ILoggerFactory"/> so each logger masks
/// secret-looking values (<see cref="SecretRedactor"/>) in the formatted message, in the structured values sinks such as
/// JSON consoles and OpenTelemetry read, and in the exception's text, before any provider sees them. The call sites that
/// log SQL, COPY text, URLs or exceptions redact too; this catches the ones that forget.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>
    /// Replaces the <see cref="ILoggerFactory"/> registered so far (by <c>AddLogging</c>, which hosts call first) with one
    /// wrapped in this factory. Does nothing when none is registered yet or it is already wrapped.
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService);
        if (registered is null || registered.ImplementationFactory?.Target is Wrapper)
        {
            return;
        }

        services.Remove(registered);
        services.Add(ServiceDescriptor.Singleton<ILoggerFactory>(new Wrapper(registered).Create));
    }

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    // Builds the factory as it was registered (a type, a factory or an instance), then wraps it.
    private sealed class Wrapper(ServiceDescriptor registered)
    {
        public ILoggerFactory Create(IServiceProvider services)
        {
            var factory = registered.ImplementationInstance as ILoggerFactory
                ?? registered.ImplementationFactory?.Invoke(services) as ILoggerFactory
                ?? (ILoggerFactory)ActivatorUtilities.CreateInstance(services, registered.ImplementationType!);
            return new RedactingLoggerFactory(factory);
        }
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var redacted = SecretRedactor.Redact(message);
            var loggedException = exception is null ? null : SecretRedactor.ForLog(exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var valuesHoldSecret = values is not null && values.Any(v => v.Value is string text && v.Key != "{OriginalFormat}" && SecretRedactor.ContainsSecret(text));
            if (redacted == message && ReferenceEquals(loggedException, exception) && !valuesHoldSecret)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            inner.Log(logLevel, eventId, new RedactedState(values ?? [], redacted), loggedException, static (s, _) => s.Message);
        }
    }

    /// <summary>The state a provider gets for a line that held a secret: the masked message and masked values.</summary>
    private sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>> values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values = [.. values.Select(v =>
            v.Value is string text && v.Key != "{OriginalFormat}" ? new KeyValuePair<string, object?>(v.Key, SecretRedactor.Redact(text)) : v)];

        public string Message { get; } = message;

        public int Count => _values.Length;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
