using EcomOps.Core.Overview;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using ScatterMode = Plotly.Blazor.Traces.ScatterLib.ModeFlag;

namespace EcomOps.Web.Model;

/// <summary>The Overview's two charts and the names it shows lineage steps by.</summary>
public static class OverviewCharts
{
    private static Plotly.Blazor.LayoutLib.Margin Margin => new() { T = 10, B = 50, L = 60, R = 10 };

    // Days as categories: on a date axis a single day's bar is a sliver one millisecond wide.
    public static Plotly.Blazor.Layout RowsLayout() => new()
    {
        Height = 240,
        Margin = Margin,
        XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category }],
    };

    public static Plotly.Blazor.Layout DurationsLayout() => new() { Height = 240, Margin = Margin };

    public static IList<ITrace> RowsPerDay(IReadOnlyList<DailyRowsLoaded> days) =>
        [new Bar { X = [.. days.Select(d => (object)d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))], Y = [.. days.Select(d => (object)d.Rows)], Name = "rows loaded" }];

    /// <summary>One series per job kind, so a slow convert stands out from quick crawls.</summary>
    public static IList<ITrace> Durations(IReadOnlyList<JobDurationPoint> points) =>
    [
        .. points.GroupBy(p => p.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (ITrace)new Scatter
        {
            X = [.. g.Select(p => (object)p.StartedAt.UtcDateTime)],
            Y = [.. g.Select(p => (object)Math.Round(p.Duration.TotalSeconds, 3))],
            Mode = ScatterMode.Markers,
            Name = g.Key,
        }),
    ];

    public static string KindName(LineageNodeKind kind) => kind switch
    {
        LineageNodeKind.RawFile => "Raw files",
        LineageNodeKind.ConversionRun => "Conversion runs",
        LineageNodeKind.ParquetFile => "Parquet files",
        LineageNodeKind.CrawlRun => "Crawls",
        LineageNodeKind.CatalogTable => "Catalog table",
        LineageNodeKind.Load => "Loads",
        LineageNodeKind.WarehouseTable => "Warehouse table",
        _ => kind.ToString(),
    };
}
