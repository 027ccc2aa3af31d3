using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using ScatterMode = Plotly.Blazor.Traces.ScatterLib.ModeFlag;
using ScatterFill = Plotly.Blazor.Traces.ScatterLib.FillEnum;

namespace EcomOps.Web.Components.Shared;

public sealed partial class QueryChart
{
    private const int NoSeries = -1;

    // The modebar keeps Plotly's own camera button too; the PNG button is there for those who never hover.
    private readonly Config _config = new() { Responsive = true, DisplayLogo = false };
    private readonly Plotly.Blazor.Layout _layout = new() { Height = 380, Margin = new Plotly.Blazor.LayoutLib.Margin { T = 20, B = 60, L = 60, R = 20 } };
    private PlotlyChart? _chart;
    private QueryResult? _for;
    private ChartKind? _kind;
    private int _x;
    private int _y;
    private int? _series;

    [Parameter, EditorRequired]
    public QueryResult Result { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<QueryChart> Logger { get; set; } = default!;

    // Plotly.Blazor draws once; a new key redraws the chart when the result, kind, axes or series change.
    private (QueryResult, ChartKind?, int, int, int?) ChartKey => (Result, _kind, _x, _y, _series);

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_for, Result))
        {
            return;
        }

        _for = Result;
        var suggestion = ChartSuggestion.Suggest(Result.Columns);
        _kind = suggestion?.Kind;
        (_x, _y, _series) = suggestion is null ? (0, 0, null) : (suggestion.X, suggestion.Y, suggestion.Series);
    }

    private async Task DownloadPngAsync()
    {
        if (_chart is null)
        {
            return;
        }

        try
        {
            await _chart.DownloadImage(ImageFormat.Png, 600, 1200, "query-chart");
        }
        catch (JSException e)
        {
            Logger.LogWarning(e, "Downloading the chart as PNG failed");
            Snackbar.Add($"The chart could not be saved as PNG: {e.Message}", Severity.Warning);
        }
    }

    private IList<ITrace> Traces()
    {
        if (_kind == ChartKind.Pie)
        {
            return [new Pie { Labels = Values(Result.Rows, _x), Values = Values(Result.Rows, _y) }];
        }

        // One trace per value of the series column, in the order the values first come.
        var groups = _series is { } series
            ? Result.Rows.GroupBy(r => QueryValues.Display(r[series])).Select(g => (Name: (string?)g.Key, Rows: (IEnumerable<object?[]>)g))
            : [(Name: (string?)null, Rows: Result.Rows.AsEnumerable())];
        return [.. groups.Select(g => Trace(g.Name, g.Rows))];
    }

    private ITrace Trace(string? name, IEnumerable<object?[]> rows)
    {
        // A line joins points in x order, whatever order the result came in.
        if (_kind is ChartKind.Line or ChartKind.Area)
        {
            rows = rows.OrderBy(r => r[_x] as IComparable, Comparer<IComparable?>.Create(CompareSameKind));
        }

        var list = rows.ToList();
        var (x, y) = (Values(list, _x), Values(list, _y));
        var legend = name is not null;
        return _kind switch
        {
            ChartKind.Bar => new Bar { X = x, Y = y, Name = name, ShowLegend = legend },
            ChartKind.Line => new Scatter { X = x, Y = y, Name = name, ShowLegend = legend, Mode = ScatterMode.Lines | ScatterMode.Markers },
            ChartKind.Area => new Scatter { X = x, Y = y, Name = name, ShowLegend = legend, Mode = ScatterMode.Lines, Fill = ScatterFill.ToZeroY },
            _ => new Scatter { X = x, Y = y, Name = name, ShowLegend = legend, Mode = ScatterMode.Markers },
        };
    }

    private static List<object> Values(IEnumerable<object?[]> rows, int column) => [.. rows.Select(r => Axis(r[column]))];

    private static int CompareSameKind(IComparable? a, IComparable? b) =>
        a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.GetType() == b.GetType() ? a.CompareTo(b) : string.CompareOrdinal(QueryValues.Display(a), QueryValues.Display(b));

    // Plotly takes numbers as numbers and everything else (dates too) as invariant text.
    private static object Axis(object? value) => value switch
    {
        null => "",
        decimal d => d,
        long or int or short or byte or double or float => value,
        _ => QueryValues.Display(value),
    };
}
