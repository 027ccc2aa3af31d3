namespace EcomOps.Core.Security;

/// <summary>
/// What a person may do, each role including the ones before it: a Viewer reads the pages; an Analyst also runs and
/// saves queries; an Operator also generates, uploads, converts, crawls, loads, deletes and runs pipelines; an Admin
/// also uses the settings and the backend checks.
/// </summary>
public enum Role
{
    Viewer = 1,
    Analyst = 2,
    Operator = 3,
    Admin = 4,
}

/// <summary>Who is asking Core to do something: a person signed in, the local admin, the CLI's user or the app itself.</summary>
/// <param name="Name">What the run history, query history and load history record as the user.</param>
/// <param name="Role">What they may do.</param>
/// <param name="Via">How they were identified: <see cref="Vias"/>.</param>
public sealed record Caller(string Name, Role Role, string Via)
{
    /// <summary>The single user of a dashboard that listens on loopback only with no sign-in configured.</summary>
    public static Caller LocalAdmin { get; } = new("local-admin", Role.Admin, Vias.LocalAdmin);

    /// <summary>
    /// The app's own work with no person behind it: schedules firing, runs resumed after a restart, start-up seeding.
    /// Whoever started a run was checked when it started; its steps then run as the app.
    /// </summary>
    public static Caller System(string name) => new(name, Role.Admin, Vias.System);

    /// <summary>A run doing its work: as the app, on behalf of <paramref name="startedBy"/>, who was checked when it started.</summary>
    public static Caller ForRun(string startedBy) => new(startedBy, Role.Admin, Vias.Run);

    /// <summary>The person at a shell running the CLI: the operating system's user name.</summary>
    public static Caller ProcessUser(Role role) => new(string.IsNullOrWhiteSpace(Environment.UserName) ? "cli" : Environment.UserName, role, Vias.Process);

    /// <summary>Whether the role includes <paramref name="needed"/>.</summary>
    public bool Has(Role needed) => Role >= needed;

    public override string ToString() => $"{Name} ({Role})";
}

/// <summary>How a <see cref="Caller"/> was identified.</summary>
public static class Vias
{
    public const string LocalAdmin = "local admin (loopback, no sign-in)";
    public const string Password = "password";
    public const string OpenIdConnect = "OpenID Connect";
    public const string Process = "operating system user";
    public const string System = "system";
    public const string Run = "a run, on behalf of whoever started it";
}
