using EcomOps.Core.Alerts;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EcomOps.Web.Components.Layout;

/// <summary>A snackbar for every failed run, on every open dashboard; one per run, kept until dismissed.</summary>
public sealed partial class AlertNotifications
{
    private IDisposable? _subscription;

    [Inject]
    private IAlertStream Alerts { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override void OnInitialized() => _subscription = Alerts.Subscribe(OnAlert);

    public void Dispose() => _subscription?.Dispose();

    // Called on the runner's thread: the snackbar is this circuit's, so it is added on the circuit's.
    private void OnAlert(RunAlert alert) => _ = InvokeAsync(async () =>
    {
        try
        {
            Show(alert);
        }
        catch (Exception e)
        {
            await DispatchExceptionAsync(e);
        }
    });

    private void Show(RunAlert alert) =>
        Snackbar.Add(Message(alert), Severity.Error, options =>
        {
            options.RequireInteraction = true;
            options.ShowCloseIcon = true;
        }, key: alert.RunId.ToString());
}
