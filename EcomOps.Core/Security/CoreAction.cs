namespace EcomOps.Core.Security;

/// <summary>Everything Core does for someone, each checked against the caller's role (<see cref="AccessPolicy"/>).</summary>
public enum CoreAction
{
    /// <summary>Read any page's data: runs, the lake, previews and downloads, the catalog, histories, loads, the Overview.</summary>
    View,

    RunQuery,
    SaveQuery,
    DeleteSavedQuery,

    Generate,
    Upload,
    DeleteObject,
    Convert,
    Crawl,
    Load,
    InitWarehouse,
    RunPipeline,
    ManagePipelines,
    CancelRun,
    RetryRun,

    /// <summary>See the settings and call the backend's services with the app's credentials (the Settings page's checks, <c>ecomops check</c>).</summary>
    CheckBackend,
}

/// <summary>The one table of which role each <see cref="CoreAction"/> needs, and how messages name the action.</summary>
public static class AccessPolicy
{
    /// <summary>The least role that may do <paramref name="action"/>.</summary>
    public static Role Required(CoreAction action) => action switch
    {
        CoreAction.View => Role.Viewer,
        CoreAction.RunQuery or CoreAction.SaveQuery or CoreAction.DeleteSavedQuery => Role.Analyst,
        CoreAction.CheckBackend => Role.Admin,
        _ => Role.Operator,
    };

    /// <summary>What starting a run of <paramref name="kind"/> (<see cref="Jobs.JobKinds"/>) is, for its check.</summary>
    public static CoreAction ForJobKind(string kind) => kind switch
    {
        Jobs.JobKinds.Generate => CoreAction.Generate,
        Jobs.JobKinds.Upload => CoreAction.Upload,
        Jobs.JobKinds.Convert => CoreAction.Convert,
        Jobs.JobKinds.Crawl => CoreAction.Crawl,
        Jobs.JobKinds.Load => CoreAction.Load,
        Jobs.JobKinds.Pipeline => CoreAction.RunPipeline,

        // Counting a CSV's rows is part of previewing it, which anyone who reads the lake may do.
        Jobs.JobKinds.CountRows => CoreAction.View,

        // A kind nobody listed (a test's, a future one) needs the Operator role until someone says otherwise.
        _ => CoreAction.RunPipeline,
    };

    /// <summary>The action as the end of "… needs the Operator role": "converting CSV to Parquet".</summary>
    public static string Describe(CoreAction action) => action switch
    {
        CoreAction.View => "reading the dashboard's data",
        CoreAction.RunQuery => "running queries",
        CoreAction.SaveQuery => "saving queries",
        CoreAction.DeleteSavedQuery => "deleting saved queries",
        CoreAction.Generate => "generating data",
        CoreAction.Upload => "uploading to the lake",
        CoreAction.DeleteObject => "deleting lake objects",
        CoreAction.Convert => "converting CSV to Parquet",
        CoreAction.Crawl => "crawling the lake",
        CoreAction.Load => "loading the warehouse",
        CoreAction.InitWarehouse => "creating the warehouse's tables",
        CoreAction.RunPipeline => "running pipelines",
        CoreAction.ManagePipelines => "saving, changing and deleting pipelines",
        CoreAction.CancelRun => "cancelling runs",
        CoreAction.RetryRun => "running a run again",
        CoreAction.CheckBackend => "the settings and the backend checks",
        _ => action.ToString(),
    };
}

/// <summary>The caller's role does not allow what they asked; nothing was done.</summary>
public sealed class AccessDeniedException(CoreAction action, Caller? caller)
    : Exception(MessageFor(action, caller))
{
    public CoreAction Action { get; } = action;

    /// <summary>Who asked; null when nobody is signed in.</summary>
    public Caller? Caller { get; } = caller;

    public Role Required => AccessPolicy.Required(Action);

    private static string MessageFor(CoreAction action, Caller? caller)
    {
        var needed = AccessPolicy.Required(action);
        var what = AccessPolicy.Describe(action);
        return caller is null
            ? $"Sign in first: {what} needs the {needed} role."
            : $"{char.ToUpperInvariant(what[0])}{what[1..]} needs the {needed} role; {caller.Name} is {Article(caller.Role)} {caller.Role}. Ask an Admin for the {needed} role.";
    }

    private static string Article(Role role) => role is Role.Admin or Role.Analyst or Role.Operator ? "an" : "a";
}
