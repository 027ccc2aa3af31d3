using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Query;

/// <summary>
/// A query run was refused because its user has started <c>EcomOps:Limits:QueriesPerMinute</c> queries in the last
/// minute. Nothing ran and nothing was recorded; <see cref="RetryAfter"/> says when the next one may start.
/// </summary>
public sealed class QueryRateLimitedException(string message, TimeSpan retryAfter) : QueryRefusedException(QueryRule.TooManyQueries, message)
{
    /// <summary>How long until the user may run a query again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Query runs per user and minute (<c>EcomOps:Limits:QueriesPerMinute</c>). Queries from the dashboard run over the
/// Blazor circuit, not over HTTP, so an HTTP rate limiter never sees them: the limit is kept here, where every way
/// in (editor, builder, saved queries, downloads, CLI) passes.
/// </summary>
internal sealed class QueryRateLimit : IDisposable
{
    private readonly int _perMinute;
    private readonly PartitionedRateLimiter<string> _limiter;

    public QueryRateLimit(IOptions<LimitsOptions> options)
    {
        _perMinute = options.Value.QueriesPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetFixedWindowLimiter(user, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = _perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Takes one query run of <paramref name="user"/>'s allowance.</summary>
    /// <exception cref="QueryRateLimitedException">The user has none left this minute.</exception>
    public void Acquire(string? user)
    {
        // Names differ in case between sign-in providers; one person is one allowance.
        var key = string.IsNullOrWhiteSpace(user) ? "(anonymous)" : user.Trim().ToLowerInvariant();
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        throw new QueryRateLimitedException(
            string.Create(CultureInfo.InvariantCulture, $"Too many queries: {_perMinute} a minute per user. Wait {seconds} s and run it again."),
            TimeSpan.FromSeconds(seconds));
    }

    public void Dispose() => _limiter.Dispose();
}
