using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using EcomOps.Web.Components.Dialogs;
using EcomOps.Web.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Catalog : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private IReadOnlyList<CatalogTableRow> _rows = [];
    private IReadOnlyList<string> _databases = [];
    private string? _database;
    private bool _listLoading;
    private bool _listLoaded;
    private bool _starting;
    private JobRun? _crawl;
    private Guid? _reloadedAfter;

    // Bumped when a crawl ends, so an open table view reads its table again.
    private int _generation;
    private RunFollower? _follower;
    private IDisposable? _subscription;

    [Parameter]
    public string? Database { get; set; }

    [Parameter]
    public string? Table { get; set; }

    [Inject]
    private ICatalog CatalogReader { get; set; } = default!;

    [Inject]
    private ICatalogService CatalogService { get; set; } = default!;

    [Inject]
    private IJobRunner Runner { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<Catalog> Logger { get; set; } = default!;

    private bool CrawlRunning => _crawl is { IsFinished: false };

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("catalog", CatalogLinks.List),
        new(Database ?? "", null, disabled: true),
        new(Table ?? "", null, disabled: true),
    ];

    protected override async Task OnInitializedAsync()
    {
        _follower = new RunFollower(Runner, OnCrawlChanged, Logger);

        // Subscribed before reading the latest crawl: one started from another tab in between is not missed.
        _subscription = Runner.Subscribe(OnRunChanged);
        try
        {
            // A crawl started elsewhere (another tab, the CLI) that is still going is shown as if started here.
            var latest = (await Runner.ListAsync(new JobRunFilter(Kind: JobKinds.Crawl, Limit: 1), _cancellation.Token)).FirstOrDefault();
            if (latest is { IsFinished: false })
            {
                _crawl = latest;
                _follower.Follow(latest.Id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogWarning(e, "Could not read the latest crawl");
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        if (Table is null)
        {
            await LoadListAsync();
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _follower?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    private async Task RefreshAsync()
    {
        await LoadListAsync();
        StateHasChanged();
    }

    private async Task SetDatabaseAsync(string? database)
    {
        _database = database;
        await LoadListAsync();
    }

    private async Task LoadListAsync()
    {
        if (_listLoading)
        {
            return;
        }

        _listLoading = true;
        var token = _cancellation.Token;
        try
        {
            _databases = await CatalogReader.ListDatabasesAsync(token);
            if (_database is not null && !_databases.Contains(_database))
            {
                _database = null;
            }

            _rows = await CatalogTableRow.LoadAsync(CatalogReader, _database, token);
            _listLoaded = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page is going away.
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Listing the catalog's tables failed");
            Snackbar.Add($"Cannot list the catalog's tables: {e.Message}", Severity.Error);
        }
        finally
        {
            _listLoading = false;
        }
    }

    private async Task OpenCrawlAsync()
    {
        if (_starting || CrawlRunning)
        {
            return;
        }

        _starting = true;
        try
        {
            var dialog = await Dialogs.ShowAsync<CrawlDialog>("Run crawler", new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
            if (await dialog.Result is not { Canceled: false, Data: CrawlOptions options })
            {
                return;
            }

            _crawl = CatalogService.StartCrawl(options);
            _follower?.Follow(_crawl.Id);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Snackbar.Add($"Could not start the crawl: {e.Message}", Severity.Error);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not start a crawl");
            Snackbar.Add($"Could not start the crawl: {e.Message}", Severity.Error);
        }
        finally
        {
            _starting = false;
            StateHasChanged();
        }
    }

    private async Task CancelCrawlAsync()
    {
        if (_crawl is not { } crawl)
        {
            return;
        }

        try
        {
            if (!await Runner.CancelAsync(crawl.Id, _cancellation.Token))
            {
                Snackbar.Add("The crawl had already finished.", Severity.Info);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Could not cancel crawl {RunId}", crawl.Id);
            Snackbar.Add($"Could not cancel the crawl: {e.Message}", Severity.Error);
        }
    }

    private void DismissCrawl()
    {
        _follower?.Stop();
        _crawl = null;
    }

    private Task OnCrawlChanged(JobRun run) => InvokeAsync(async () =>
    {
        if (_follower?.RunId != run.Id)
        {
            return;
        }

        _crawl = run;
        if (run.IsFinished && _reloadedAfter != run.Id)
        {
            // What the crawl changed is in the catalog now: the list and an open table show it.
            _reloadedAfter = run.Id;
            _generation++;
            await LoadListAsync();
        }

        StateHasChanged();
    });

    private void OnRunChanged(JobRun run)
    {
        if (run.Kind == JobKinds.Crawl && run.Status == JobStatus.Queued && (_crawl is null || run.QueuedAt > _crawl.QueuedAt))
        {
            _ = InvokeAsync(() =>
            {
                _crawl = run;
                _follower?.Follow(run.Id);
                StateHasChanged();
            });
        }
    }
}
