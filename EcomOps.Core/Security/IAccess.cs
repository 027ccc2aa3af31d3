namespace EcomOps.Core.Security;

/// <summary>
/// Who is calling Core right now, and the one place Core checks it. The web app sets the caller for each request and
/// each Blazor circuit event; the CLI has one caller for the process; runs execute as <see cref="Caller.System"/>.
/// </summary>
public interface IAccess
{
    /// <summary>The caller of the current flow, or the host's default caller, or null when nobody is signed in.</summary>
    Caller? Current { get; }

    /// <summary>Makes <paramref name="caller"/> the caller of this flow (and what it starts) until the result is disposed.</summary>
    IDisposable Use(Caller caller);

    /// <summary>Whether the current caller may do <paramref name="action"/> (for enabling buttons; Core checks anyway).</summary>
    bool Allows(CoreAction action);

    /// <summary>Returns the current caller when their role allows <paramref name="action"/>.</summary>
    /// <exception cref="AccessDeniedException">Nobody is signed in, or their role does not allow it.</exception>
    Caller Demand(CoreAction action);
}

/// <summary>
/// <see cref="IAccess"/> on an <see cref="AsyncLocal{T}"/>, so the caller flows into whatever the call awaits or starts.
/// <paramref name="fallback"/> gives the caller when none was set: the process's user for the CLI; for the web app, the
/// local admin when it runs without sign-in on loopback, else nobody.
/// </summary>
public sealed class Access(Func<Caller?> fallback) : IAccess
{
    public Access(Caller? fallback)
        : this(() => fallback)
    {
    }

    // Static, as AsyncLocal must be; the value is per flow, so two hosts in one process (tests) keep theirs apart.
    private static readonly AsyncLocal<Caller?> Flow = new();

    public Caller? Current => Flow.Value ?? fallback();

    public IDisposable Use(Caller caller)
    {
        var previous = Flow.Value;
        Flow.Value = caller;
        return new Restore(previous);
    }

    public bool Allows(CoreAction action) => Current?.Has(AccessPolicy.Required(action)) == true;

    public Caller Demand(CoreAction action)
    {
        var caller = Current;
        if (caller is null || !caller.Has(AccessPolicy.Required(action)))
        {
            throw new AccessDeniedException(action, caller);
        }

        return caller;
    }

    private sealed class Restore(Caller? previous) : IDisposable
    {
        public void Dispose() => Flow.Value = previous;
    }
}
