using EcomOps.Core.Security;
using MudBlazor;

namespace EcomOps.Web.Components.Layout;

/// <summary>Every page of the dashboard, in pipeline order: the nav drawer and the Overview both list them.</summary>
/// <param name="Needs">The Core action opening it is (its role comes from <see cref="AccessPolicy"/>); the nav shows each person the pages they may open.</param>
public sealed record NavPage(string Href, string Title, string Icon, bool Built, string Summary, CoreAction Needs = CoreAction.View);

public static class NavPages
{
    public static IReadOnlyList<NavPage> All { get; } =
    [
        new("", "Overview", Icons.Material.Filled.Dashboard, true, "The pipeline at a glance."),
        new("pipeline", "Pipeline", Icons.Material.Filled.AccountTree, true, "The whole chain as one run: live timeline, retry from the failed step, schedules."),
        new("generate", "Generate", Icons.Material.Filled.AutoAwesome, true, "Make synthetic customers, products and transactions."),
        new("lake", "Lake", Icons.Material.Filled.Folder, true, "Upload, browse and preview files in the lake."),
        new("jobs", "Jobs", Icons.Material.Filled.Schedule, true, "Convert CSV to Parquet; watch and cancel runs; run history."),
        new("catalog", "Catalog", Icons.Material.Filled.TableChart, true, "Crawl the Parquet into tables and partitions."),
        new("query", "Query", Icons.Material.Filled.Search, true, "Athena-dialect SQL with a visual builder and charts."),
        new("loads", "Loads", Icons.Material.Filled.Storage, true, "Redshift COPY into the warehouse; load history and errors."),
        new("settings", "Settings", Icons.Material.Filled.Settings, true, "Backend, data root and other settings in effect.", CoreAction.CheckBackend),
    ];

    public static NavPage For(string href) => All.First(p => p.Href == href);
}
