using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace EcomOps.Web.Components.Shared;

public sealed partial class QueryChart
{
    private readonly Config _config = new() { Responsive = true, DisplayLogo = false };
    private readonly Plotly.Blazor.Layout _layout = new() { Height = 380, Margin = new Plotly.Blazor.LayoutLib.Margin { T = 20, B = 60, L = 60, R = 20 } };
    private QueryResult? _for;
    private ChartKind? _kind;
    private int _x;
    private int _y;

    [Parameter, EditorRequired]
    public QueryResult Result { get; set; } = default!;

    // Plotly.Blazor draws once; a new key redraws the chart when the result, kind or axes change.
    private (QueryResult, ChartKind?, int, int) ChartKey => (Result, _kind, _x, _y);

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_for, Result))
        {
            return;
        }

        _for = Result;
        var suggestion = ChartSuggestion.Suggest(Result.Columns);
        _kind = suggestion?.Kind;
        (_x, _y) = suggestion is null ? (0, 0) : (suggestion.X, suggestion.Y);
    }

    private IList<ITrace> Traces()
    {
        // A line joins points in x order, whatever order the result came in.
        var rows = _kind is ChartKind.Line or ChartKind.Area ? Result.Rows.OrderBy(r => r[_x] as IComparable, Comparer<IComparable?>.Create(CompareSameKind)) : Result.Rows.AsEnumerable();
        var x = rows.Select(r => Axis(r[_x])).ToList();
        var y = rows.Select(r => Axis(r[_y])).ToList();
        return _kind switch
        {
            ChartKind.Bar => [new Bar { X = x, Y = y }],
            ChartKind.Pie => [new Pie { Labels = x, Values = y }],
            ChartKind.Line => [new Scatter { X = x, Y = y, Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines | Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers }],
            ChartKind.Area => [new Scatter { X = x, Y = y, Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines, Fill = Plotly.Blazor.Traces.ScatterLib.FillEnum.ToZeroY }],
            _ => [new Scatter { X = x, Y = y, Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers }],
        };
    }

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
