namespace EcomOps.Core.Jobs;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; would post to a context).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
