namespace EcomOps.Core.Generation;

/// <summary>
/// A counter-based random stream: one per (seed, dataset, row id), derived with SplitMix64. Any row can
/// be regenerated alone, in any order, on any thread - so transactions can look up "their" customer's
/// signup date and country, and the product's price, without holding those tables in memory.
/// </summary>
internal struct RowRandom
{
    private ulong _state;

    public RowRandom(int seed, ulong stream, long id)
    {
        _state = Mix(((ulong)(uint)seed << 32) ^ stream) ^ Mix((ulong)id + 0x632BE59BD9B4E019UL);
    }

    /// <summary>Next 64 random bits (SplitMix64).</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform integer in [0, n) by multiply-shift (Lemire), no division.</summary>
    public long Below(long n) => (long)Math.BigMul(Next(), (ulong)n, out _);

    /// <summary>Index into a list of <paramref name="count"/> items.</summary>
    public int Index(int count) => (int)Below(count);

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
