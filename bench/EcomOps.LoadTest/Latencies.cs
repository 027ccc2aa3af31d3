using System.Collections.Concurrent;

namespace EcomOps.LoadTest;

/// <summary>Interaction latencies by who measured them (circuit clients, browsers) and kind, with when they ended.</summary>
internal sealed class Latencies
{
    private readonly ConcurrentDictionary<(string Client, string Kind), ConcurrentQueue<(TimeSpan At, double Ms)>> _samples = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(string client, string kind, TimeSpan at, TimeSpan latency)
    {
        _samples.GetOrAdd((client, kind), _ => new()).Enqueue((at, latency.TotalMilliseconds));
        Interlocked.Increment(ref _count);
    }

    /// <summary>Samples that ended within [from, to) of the run's clock, per client and kind, in a stable order.</summary>
    public IReadOnlyList<(string Client, string Kind, double[] Ms)> Between(TimeSpan from, TimeSpan to) =>
        _samples.OrderBy(p => p.Key.Client, StringComparer.Ordinal).ThenBy(p => p.Key.Kind, StringComparer.Ordinal)
            .Select(p => (p.Key.Client, p.Key.Kind, p.Value.Where(s => s.At >= from && s.At < to).Select(s => s.Ms).Order().ToArray()))
            .Where(p => p.Item3.Length > 0)
            .ToList();

    public long CountBetween(string client, TimeSpan from, TimeSpan to) =>
        _samples.Where(p => p.Key.Client == client).Sum(p => p.Value.Count(s => s.At >= from && s.At < to));

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
