using System.Collections.Concurrent;
using System.Diagnostics;
using EcomOps.LoadTest.Circuits;
using Microsoft.Extensions.Logging;

namespace EcomOps.LoadTest;

/// <summary>What every session shares: the app, the clock, the bounds and where results go.</summary>
internal sealed record SessionContext(
    HttpClient Http,
    Uri BaseUri,
    Stopwatch Clock,
    TimeSpan ThinkMin,
    TimeSpan ThinkMax,
    TimeSpan Timeout,
    InteractionBudget Budget,
    Latencies Latencies,
    LoadErrors Errors,
    ILoggerProvider Logs)
{
    /// <summary>How many times the saved query returned each row count: one count, or the sessions disagree.</summary>
    public ConcurrentDictionary<int, long> QueryRows { get; } = new();
}

/// <summary>The run's bound on interactions over all sessions: once spent, every session stops after its current step.</summary>
internal sealed class InteractionBudget(long max)
{
    private long _left = max;

    public bool TryTake() => Interlocked.Decrement(ref _left) >= 0;
}

/// <summary>
/// One simulated user on a real circuit: opens the Overview, then tours the pages through the nav (the router's
/// navigation), and on the Query page runs a saved query and waits for its rows, with a seeded think time
/// before each step. An error ends nothing but the step: it is counted, and a broken circuit is replaced.
/// </summary>
internal static class CircuitSession
{
    public const string Client = "circuit";

    public static async Task RunAsync(SessionContext context, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var step = random.Next(DashboardPages.Tour.Count);
        while (!stop.IsCancellationRequested)
        {
            CircuitClient? circuit = null;
            try
            {
                var started = Stopwatch.GetTimestamp();
                circuit = await CircuitClient.OpenAsync(context.Http, context.BaseUri, DashboardPages.Overview.Path, context.Errors, context.Logs, stop);
                await circuit.WaitForAsync(DashboardPages.IsInteractive, "the interactive layout", context.Timeout, stop);
                context.Latencies.Add(Client, "open Overview (GET + circuit to interactive)", context.Clock.Elapsed, Stopwatch.GetElapsedTime(started));
                var page = DashboardPages.Overview;
                while (!stop.IsCancellationRequested)
                {
                    var next = DashboardPages.Tour[step++ % DashboardPages.Tour.Count];
                    if (next == page)
                    {
                        continue;
                    }

                    await ThinkAsync(context, random, stop);
                    if (!context.Budget.TryTake())
                    {
                        return;
                    }

                    var changed = await circuit.InteractAsync(
                        ct => circuit.NavigateAsync(next.Path, ct), h => DashboardPages.HasTitle(h, next.Title), $"the title '{next.Title}'", context.Timeout, stop);
                    context.Latencies.Add(Client, "page change (navigate to new title)", context.Clock.Elapsed, changed);
                    page = next;
                    if (next == DashboardPages.Query)
                    {
                        await RunSavedQueryAsync(context, circuit, random, stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException or HttpRequestException or IOException
                or Microsoft.AspNetCore.SignalR.HubException or System.Net.WebSockets.WebSocketException)
            {
                // An HTTP request's own time-out surfaces as a cancellation while the run's token is still live.
                context.Errors.Add(e is TimeoutException or OperationCanceledException ? "timed out" : "session step failed", e.Message);

                // A pause before the new circuit, so a server that is down is not hammered by reconnects.
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                if (circuit is not null)
                {
                    await circuit.DisposeAsync();
                }
            }
        }
    }

    private static async Task RunSavedQueryAsync(SessionContext context, CircuitClient circuit, Random random, CancellationToken stop)
    {
        // A user waits for the editor before running anything; leaving while Monaco starts is its own hazard (see README).
        await circuit.WaitForAsync(DashboardPages.EditorReady, "the SQL editor", context.Timeout, stop);
        await ThinkAsync(context, random, stop);
        if (!context.Budget.TryTake())
        {
            return;
        }

        var sawRunning = false;
        var took = await circuit.InteractAsync(
            ct => circuit.ClickAsync(DashboardPages.IsSavedRunButton, $"run button of '{DashboardPages.SavedQuery}'", ct),
            h =>
            {
                sawRunning |= DashboardPages.IsQueryRunning(h);
                return sawRunning && (DashboardPages.ResultRows(h) is not null || DashboardPages.QueryError(h) is not null);
            },
            $"the rows of '{DashboardPages.SavedQuery}'",
            context.Timeout,
            stop);
        if (circuit.Read(DashboardPages.QueryError) is { } error)
        {
            context.Errors.Add("saved query failed", error);
            return;
        }

        context.QueryRows.AddOrUpdate(circuit.Read(DashboardPages.ResultRows) ?? -1, 1, (_, n) => n + 1);
        context.Latencies.Add(Client, $"run saved query '{DashboardPages.SavedQuery}' (click to rows)", context.Clock.Elapsed, took);
    }

    private static Task ThinkAsync(SessionContext context, Random random, CancellationToken stop)
    {
        var range = context.ThinkMax - context.ThinkMin;
        return Task.Delay(context.ThinkMin + (range * random.NextDouble()), stop);
    }
}
