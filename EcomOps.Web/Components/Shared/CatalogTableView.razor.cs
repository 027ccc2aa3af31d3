using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Lake;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Shared;

public sealed partial class CatalogTableView : IDisposable
{
    private const int SampleRows = 20;

    private readonly CancellationTokenSource _cancellation = new();
    private CatalogTable? _table;
    private IReadOnlyList<CatalogPartition> _partitions = [];
    private IReadOnlyList<TableVersion> _versions = [];
    private VersionComparison? _comparison;
    private int _left;
    private int _right;
    private LakePreview? _sample;
    private bool _sampleLoading;
    private string? _sampleError;
    private bool _loading;
    private (string, string, int)? _loaded;

    [Parameter, EditorRequired]
    public string Database { get; set; } = "";

    [Parameter, EditorRequired]
    public string Table { get; set; } = "";

    /// <summary>Changed by the page after a crawl, to read the table again.</summary>
    [Parameter]
    public int Generation { get; set; }

    [Inject]
    private ICatalog Catalog { get; set; } = default!;

    [Inject]
    private ICatalogService CatalogService { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<CatalogTableView> Logger { get; set; } = default!;

    private CatalogTableRow Row => new(_table!, _partitions.Count);

    protected override async Task OnParametersSetAsync()
    {
        var key = (Database, Table, Generation);
        if (_loaded == key)
        {
            return;
        }

        var sameTable = _loaded is { } previous && previous.Item1 == Database && previous.Item2 == Table;
        _loaded = key;
        await LoadAsync(keepSelection: sameTable);
    }

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string PartitionName(CatalogTable table, CatalogPartition partition) =>
        string.Join('/', table.PartitionKeys.Zip(partition.Values, (k, v) => $"{k.Name}={v}"));

    private static string StateClass(ColumnState state) => state switch
    {
        ColumnState.Added => "column-added",
        ColumnState.Removed => "column-removed",
        ColumnState.TypeChanged => "column-type-changed",
        _ => "",
    };

    private static Color StateColor(ColumnState state) => state switch
    {
        ColumnState.Added => Color.Success,
        ColumnState.Removed => Color.Error,
        _ => Color.Warning,
    };

    private static string StateText(ColumnState state) => state switch
    {
        ColumnState.Added => "added",
        ColumnState.Removed => "removed",
        ColumnState.TypeChanged => "type changed",
        _ => "",
    };

    private async Task LoadAsync(bool keepSelection)
    {
        if (_loading)
        {
            return;
        }

        _loading = true;
        var token = _cancellation.Token;
        try
        {
            _table = await Catalog.GetTableAsync(Database, Table, token);
            if (_table is null)
            {
                _partitions = [];
                _versions = [];
                _comparison = null;
                _sample = null;
                return;
            }

            _partitions = await Catalog.GetPartitionsAsync(_table.Database, _table.Name, token);
            _versions = await Catalog.GetVersionsAsync(_table.Database, _table.Name, token);
            if (!keepSelection || _versions.All(v => v.Version != _left) || _versions.All(v => v.Version != _right))
            {
                // Previous against latest: what the last change did.
                _right = _versions.Count > 0 ? _versions[0].Version : 0;
                _left = _versions.Count > 1 ? _versions[1].Version : _right;
            }

            Compare();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The view is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Reading catalog table {Database}.{Table} failed", Database, Table);
            Snackbar.Add($"Cannot read {Database}.{Table} from the catalog: {e.Message}", Severity.Error);
        }
        finally
        {
            _loading = false;
            StateHasChanged();
        }

        if (_table is not null)
        {
            await LoadSampleAsync();
        }
    }

    private async Task LoadSampleAsync()
    {
        if (_sampleLoading || _table is not { } table)
        {
            return;
        }

        _sampleLoading = true;
        _sampleError = null;
        _sample = null;
        var token = _cancellation.Token;
        try
        {
            _sample = await CatalogService.SampleAsync(table.Database, table.Name, SampleRows, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The view is going away.
        }
        catch (KeyNotFoundException e)
        {
            _sampleError = e.Message;
        }
        catch (Exception e)
        {
            Logger.LogWarning(e, "Sampling {Table} failed", table.FullName);
            _sampleError = $"Cannot read a sample of {table.FullName}: {e.Message}";
            Snackbar.Add(_sampleError, Severity.Error);
        }
        finally
        {
            _sampleLoading = false;
            StateHasChanged();
        }
    }

    private void CloseSample() => _sample = null;

    private void SetLeft(int version)
    {
        _left = version;
        Compare();
    }

    private void SetRight(int version)
    {
        _right = version;
        Compare();
    }

    private void Compare()
    {
        var left = _versions.FirstOrDefault(v => v.Version == _left);
        var right = _versions.FirstOrDefault(v => v.Version == _right);
        _comparison = left is not null && right is not null && _versions.Count > 1 ? CatalogService.Compare(left, right) : null;
    }

    // The Query page fills its editor with the table's starter query.
    private string QueryUrl => $"/query?table={Uri.EscapeDataString(_table?.FullName ?? $"{Database}.{Table}")}";
}
