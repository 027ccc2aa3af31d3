using EcomOps.LoadTest.Circuits;

namespace EcomOps.LoadTest;

/// <summary>A page a session visits: its path, its nav link's text and the document title that shows it has rendered.</summary>
internal sealed record DashboardPage(string Path, string NavText)
{
    public string Title => NavText + " · EcomOps";
}

/// <summary>What the sessions look at in the dashboard's markup: the same classes and ids the browser tests use.</summary>
internal static class DashboardPages
{
    public static readonly DashboardPage Overview = new("/", "Overview");
    public static readonly DashboardPage Query = new("/query", "Query");

    /// <summary>The tour each session repeats: the Query page (where a saved query runs) and the pages around it.</summary>
    public static IReadOnlyList<DashboardPage> Tour { get; } =
    [
        Query,
        new("/loads", "Loads"),
        new("/jobs", "Jobs"),
        new("/catalog", "Catalog"),
        new("/lake", "Lake"),
        Overview,
    ];

    /// <summary>The saved query each visit to Query runs (from sql/athena_queries.sql; the Overview's demo runs it too).</summary>
    public const string SavedQuery = "Category share";

    public static bool IsInteractive(ElementHive page) => page.Root.Descendants().Any(n => n.Attribute("data-interactive") == "true");

    public static bool HasTitle(ElementHive page, string title) =>
        page.Root.Descendants().Any(n => n is { Kind: NodeKind.Element, Name: "title" } && n.TextContent() == title);

    public static bool EditorReady(ElementHive page) =>
        page.Root.Descendants().Any(n => n.HasClass("query-sql-editor-frame") && n.Attribute("data-ready") == "true");

    public static bool IsSavedRunButton(Node node) =>
        node.Name == "button" && node.HasClass("saved-run") && node.Attribute("aria-label") == "Run " + SavedQuery;

    public static bool IsQueryRunning(ElementHive page) => page.Root.Descendants().Any(n => n.HasClass("query-running"));

    /// <summary>The result's row count once a result is shown and no query runs, or null.</summary>
    public static int? ResultRows(ElementHive page)
    {
        if (IsQueryRunning(page))
        {
            return null;
        }

        var stats = page.Root.Descendants().FirstOrDefault(n => n.HasClass("query-stats"));
        return stats?.Attribute("data-rows") is { } rows && int.TryParse(rows, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    public static string? QueryError(ElementHive page) =>
        page.Root.Descendants().FirstOrDefault(n => n.HasClass("query-error"))?.TextContent().Trim();

    public static string? DemoStatus(ElementHive page) =>
        page.Root.Descendants().FirstOrDefault(n => n.HasClass("demo"))?.Attribute("data-demo-status");
}
