using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.Tests.Security;

/// <summary>Whatever a line logs, through any ILogger of the process, the providers get it with secrets masked.</summary>
public sealed class SecretLoggingTests
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void ALineQuotingKeys_ReachesEveryProviderMasked_MessageValuesAndException()
    {
        var collector = new LogCollector();
        var states = new StateCapture();
        using var host = new CoreHost(services => services.AddLogging(logging => logging.AddProvider(collector).AddProvider(states)));
        var logger = host.Get<ILogger<SecretLoggingTests>>();
        var copy = $"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={KeyId};aws_secret_access_key={Secret}' CSV";
        var failure = new IOException($"403 Forbidden for https://b.s3.amazonaws.com/k?X-Amz-Credential={KeyId}%2F20261201&X-Amz-Signature=0a1b2c3d");

        logger.LogWarning(failure, "COPY {Copy} failed at {Line}", copy, 12);

        var (_, exception, message) = Assert.Single(collector.Entries);
        Assert.Equal("COPY COPY t FROM 's3://b/k' CREDENTIALS '***' CSV failed at 12", message);
        Assert.Contains("X-Amz-Credential=***", exception!.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(IOException), exception.ToString(), StringComparison.Ordinal);
        var values = Assert.Single(states.Values);
        Assert.Equal("COPY t FROM 's3://b/k' CREDENTIALS '***' CSV", values["Copy"]);
        Assert.Equal(12, values["Line"]);
        Assert.Equal("COPY {Copy} failed at {Line}", values["{OriginalFormat}"]);
        foreach (var text in new[] { message, exception.ToString(), string.Join(' ', values.Values) })
        {
            Assert.DoesNotContain(KeyId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnOrdinaryLine_ReachesTheProvidersAsLogged()
    {
        var collector = new LogCollector();
        using var host = new CoreHost(services => services.AddLogging(logging => logging.AddProvider(collector)));
        var failure = new InvalidOperationException("Table ecom.sales does not exist");

        host.Get<ILogger<SecretLoggingTests>>().LogError(failure, "Load {QueryId} into {Table} failed", 7, "ecom.sales");

        var (_, exception, message) = Assert.Single(collector.Entries);
        Assert.Equal("Load 7 into ecom.sales failed", message);
        Assert.Same(failure, exception);
    }

    /// <summary>Keeps each line's structured values, as JSON consoles and OpenTelemetry read them.</summary>
    private sealed class StateCapture : ILoggerProvider, ILogger
    {
        public List<Dictionary<string, object?>> Values { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                lock (Values)
                {
                    Values.Add(pairs.ToDictionary(p => p.Key, p => p.Value));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
