namespace EcomOps.Core.Alerts;

/// <summary>A run that failed, as operators are told about it: in the dashboard and, when configured, at the webhook.</summary>
/// <param name="Step">The step that was working when it failed, if the run has steps.</param>
/// <param name="Target">The dataset or warehouse table it worked on, if any.</param>
/// <param name="ParentId">The run (a pipeline) whose step this run was, if any.</param>
/// <param name="At">When it failed.</param>
public sealed record RunAlert(Guid RunId, string Kind, string Title, string? Step, string? Target, string Error, DateTimeOffset At, Guid? ParentId = null)
{
    /// <summary>The dashboard path that shows the run.</summary>
    public string Link => $"/jobs?run={RunId}";

    /// <summary>One line for people: what failed, where, and why.</summary>
    public string Summary =>
        $"{Title} failed{(Step is null ? "" : $" at step '{Step}'")}{(Target is null ? "" : $" ({Target})")}: {Error}";
}

/// <summary>Failed runs of this process as they happen, for every open dashboard connection.</summary>
public interface IAlertStream
{
    /// <summary>
    /// Calls <paramref name="onAlert"/> once for each run of this process that fails from now on, on a background
    /// thread. Dispose the result to stop; an exception thrown by the callback is logged and does not reach others.
    /// </summary>
    IDisposable Subscribe(Action<RunAlert> onAlert);
}
