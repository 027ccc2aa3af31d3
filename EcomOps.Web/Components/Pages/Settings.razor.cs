using System.Globalization;
using EcomOps.Core.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;

namespace EcomOps.Web.Components.Pages;

public sealed partial class Settings : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Dictionary<string, BackendCheckResult> _results = [];
    private readonly HashSet<string> _running = [];

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }

    protected override void OnInitialized()
    {
        // Such as who the AWS credentials are: free to ask, and the first thing to know.
        foreach (var check in Checks.Checks.Where(c => c.OnOpen))
        {
            _ = CheckAsync(check.Name);
        }
    }

    private async Task CheckAllAsync() => await Task.WhenAll(Checks.Checks.Select(c => CheckAsync(c.Name)));

    private async Task CheckAsync(string name)
    {
        if (!_running.Add(name))
        {
            return;
        }

        try
        {
            var result = await Checks.RunAsync(name, _cancellation.Token);
            _results[name] = result;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _running.Remove(name);
        }

        await InvokeAsync(StateHasChanged);
    }

    private static Color ColorOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => Color.Success,
        HealthStatus.Degraded => Color.Warning,
        _ => Color.Error,
    };

    private static string Milliseconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms");
}
