using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Shared;

public sealed partial class QueryBuilder : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private IReadOnlyList<CatalogTable> _tables = [];
    private IReadOnlyList<CatalogPartition> _partitions = [];

    /// <summary>The form; the page keeps it so that the builder survives switching tabs.</summary>
    [Parameter, EditorRequired]
    public BuilderForm Form { get; set; } = default!;

    /// <summary>A query of the page is running.</summary>
    [Parameter]
    public bool Running { get; set; }

    [Parameter]
    public EventCallback<string> OnRun { get; set; }

    [Parameter]
    public EventCallback<string> OnEditAsSql { get; set; }

    [Inject]
    private ICatalog Catalog { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<QueryBuilder> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _tables = await Catalog.ListTablesAsync(null, _cancellation.Token);
            if (Form.Table is { } table)
            {
                _partitions = await Catalog.GetPartitionsAsync(table.Database, table.Name, _cancellation.Token);
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Listing the catalog's tables for the builder failed");
            Snackbar.Add($"Cannot list the catalog's tables: {e.Message}", Severity.Error);
        }
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private async Task SetTableAsync(string fullName)
    {
        var table = _tables.FirstOrDefault(t => t.FullName == fullName);
        Form.SetTable(table);
        _partitions = [];
        if (table is null)
        {
            return;
        }

        try
        {
            _partitions = await Catalog.GetPartitionsAsync(table.Database, table.Name, _cancellation.Token);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Reading the partitions of {Table} failed", fullName);
            Snackbar.Add($"Cannot read the partitions of {fullName}; the estimate leaves them out.", Severity.Warning);
        }
    }

    private void SetColumns(IEnumerable<string>? columns)
    {
        Form.Columns.Clear();
        Form.Columns.AddRange(columns ?? []);
    }

    // The SQL and estimate of the form as it stands, or why it cannot be built yet (QuerySqlBuilder's own message).
    private (string? Sql, string? Estimate, string? Error) Build()
    {
        if (Form.ToSpec() is not { } spec || Form.Table is not { } table)
        {
            return (null, null, "Pick a table to start.");
        }

        try
        {
            var sql = QuerySqlBuilder.ToSql(spec, table, Time);
            var estimate = ScanEstimate.Compute(spec.ResolveDates(Time), table, _partitions).Description;
            return (sql, estimate, null);
        }
        catch (ArgumentException e)
        {
            return (null, null, e.Message);
        }
    }
}
