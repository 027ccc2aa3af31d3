using EcomOps.Bench;
using EcomOps.LoadTest.Circuits;
using static EcomOps.Bench.BenchReport;

namespace EcomOps.LoadTest;

/// <summary>The printed result of a load run: what was run, latencies, the server's CPU and memory, errors, targets.</summary>
internal sealed class LoadSummary(
    BenchReport report,
    LoadSettings settings,
    ResourceSampler sampler,
    Latencies latencies,
    LoadErrors errors,
    SessionContext context,
    DashboardProcess app,
    LoadPhases phases)
{
    private const double LatencyTargetMs = 300;
    private const double FlatMegabytesPerMinute = 5;
    private const double GeneratorCoreLimit = 0.5;

    public void Print(string? loadBefore, string? loadAfter, TimeSpan prepared, long setupErrors, double? circuitsMid, double? circuitsAfter, IReadOnlyList<(string When, long? Bytes)> live)
    {
        var steady = (From: phases.RampEnd, To: phases.LoadEnd.At);
        var window = steady.To - steady.From;
        var rampEnd = sampler.At(steady.From);
        var mid = sampler.At(steady.From + (window / 2));

        report.Heading("load");
        report.Table([new("Machine", Numeric: false), new("Value", Numeric: false)],
            MachineInfo.Describe(typeof(DashboardProcess).Assembly, loadBefore).Append((Name: "Load average after the run (1/5/15 min)", Value: loadAfter ?? "unknown")).Select(r => (IReadOnlyList<string>)[r.Name, r.Value]));
        report.Line();
        report.Line($"How the load was made: {settings.Sessions} real Blazor Server circuits from this process, each a SignalR client on /_blazor (blazorpack, WebSockets) that starts its circuit from the Overview's prerendered markers, applies and acknowledges every render batch, answers the server's JS interop calls with empty results, and clicks and navigates as blazor.web.js sends them (no browser, no JS). Each session tours Query (waits for the editor, runs the saved query '{DashboardPages.SavedQuery}' and waits for its rows), Loads, Jobs, Catalog, Lake, Overview, thinking {settings.ThinkMin.TotalSeconds:0.#}-{settings.ThinkMax.TotalSeconds:0.#} s (seeded) before each step; sessions started evenly over {settings.Ramp.TotalSeconds:0} s. Beside them {settings.Browsers} headless Chromium tab(s) change pages through the nav drawer and measure click to the new document title, first alone (the anchor), then under the load.");
        report.Line($"Prepared by the Overview's demo pipeline in {prepared.TotalSeconds:0.0} s (setup errors: {setupErrors}).");
        report.Line();

        report.Table([new("Run", Numeric: false), new("Value")],
        [
            ["circuit sessions", Count(settings.Sessions)],
            ["browser tabs", Count(settings.Browsers)],
            ["load duration s (ramp included)", Fixed((phases.LoadEnd.At - phases.LoadStart.At).TotalSeconds, 1)],
            ["steady window s (after the ramp)", Fixed(window.TotalSeconds, 1)],
            ["interactions, circuits (whole load)", Count(latencies.CountBetween(CircuitSession.Client, phases.LoadStart.At, phases.LoadEnd.At + TimeSpan.FromSeconds(1)))],
            ["interactions, browsers (whole load)", Count(latencies.CountBetween(BrowserSessions.Client, phases.AnchorEnd.At, phases.LoadEnd.At + TimeSpan.FromSeconds(1)))],
            ["errors (whole run)", Count(errors.Total)],
            ["circuits open mid-window (ecomops_circuits_active)", circuitsMid is { } m ? Count(m) : "unknown"],
            ["circuits open 10 s after the sessions closed", circuitsAfter is { } a ? Count(a) : "unknown"],
            ["disconnect beacons answered / failed / unanswered at the end", Text($"{Beacons(true)} / {Beacons(false)} / {CircuitClient.Beacons.Count(b => !b.IsCompleted)}")],
        ]);
        report.Line();

        report.Line($"Latencies over the whole run (anchor, ramp and steady window; the targets below use the steady window only):");
        var rows = latencies.Between(TimeSpan.Zero, TimeSpan.MaxValue)
            .Select(s => (IReadOnlyList<string>)[s.Client, s.Kind, Count(s.Ms.Length), Fixed(Latencies.Percentile(s.Ms, 50), 1), Fixed(Latencies.Percentile(s.Ms, 95), 1), Fixed(Latencies.Percentile(s.Ms, 99), 1), Fixed(s.Ms[^1], 1)]);
        report.Table([new("Client", Numeric: false), new("Interaction", Numeric: false), new("n"), new("p50 ms"), new("p95 ms"), new("p99 ms"), new("max ms")], rows);
        report.Line();

        var steadyInteractions = latencies.CountBetween(CircuitSession.Client, steady.From, steady.To) + latencies.CountBetween(BrowserSessions.Client, steady.From, steady.To);
        var serverCpu = phases.LoadEnd.ServerCpu - rampEnd.ServerCpu;
        var ownCpu = phases.LoadEnd.OwnCpu - rampEnd.OwnCpu;
        var browserCpu = phases.LoadEnd.BrowsersCpu - rampEnd.BrowsersCpu;
        var anchorSeconds = (phases.AnchorEnd.At - phases.AnchorStart.At).TotalSeconds;
        var steadySamples = sampler.Samples.Where(s => s.At >= steady.From && s.At <= steady.To).ToList();
        var slope = Slope(steadySamples, s => s.ServerRss);
        var heapSlope = Slope(steadySamples, s => s.ServerHeap);
        report.Table([new("Resource", Numeric: false), new("Value")],
        [
            ["server CPU, cores (steady window)", Fixed(serverCpu.TotalSeconds / window.TotalSeconds, 2)],
            ["server CPU ms per interaction (steady window, circuits and browsers)", steadyInteractions == 0 ? "-" : Fixed(serverCpu.TotalMilliseconds / steadyInteractions, 1)],
            ["server CPU, cores, idle (no client, 10 s)", Fixed((phases.IdleEnd.ServerCpu - phases.IdleStart.ServerCpu).TotalSeconds / (phases.IdleEnd.At - phases.IdleStart.At).TotalSeconds, 2)],
            ["server CPU, cores, browsers alone (anchor)", anchorSeconds <= 0 ? "-" : Fixed((phases.AnchorEnd.ServerCpu - phases.AnchorStart.ServerCpu).TotalSeconds / anchorSeconds, 2)],
            ["load generator's own CPU, cores (circuit clients + Playwright's .NET side)", Fixed(ownCpu.TotalSeconds / window.TotalSeconds, 2)],
            ["browsers' CPU, cores (Chromium + Playwright driver)", Fixed(browserCpu.TotalSeconds / window.TotalSeconds, 2)],
            ["server RSS MB, load start", Megabytes(phases.LoadStart.ServerRss)],
            ["server RSS MB, ramp end", Megabytes(rampEnd.ServerRss)],
            ["server RSS MB, mid-window", Megabytes(mid.ServerRss)],
            ["server RSS MB, load end", Megabytes(phases.LoadEnd.ServerRss)],
            ["server RSS MB, 10 s / 75 s after the sessions closed", Text($"{Megabytes(phases.AfterClose.ServerRss)} / {Megabytes(phases.AfterTimeout.ServerRss)}")],
            ["server RSS slope MB/min (least squares, steady window)", Fixed(slope, 2)],
            ["server managed heap MB after the last GC, load start / ramp end / mid / end / after close",
                Text($"{Megabytes(phases.LoadStart.ServerHeap)} / {Megabytes(rampEnd.ServerHeap)} / {Megabytes(mid.ServerHeap)} / {Megabytes(phases.LoadEnd.ServerHeap)} / {Megabytes(phases.AfterClose.ServerHeap)}")],
            ["server managed heap slope MB/min (least squares, steady window)", Fixed(heapSlope, 2)],
            ["server live managed heap MB (forced full GC): " + string.Join(" / ", live.Select(l => l.When)), string.Join(" / ", live.Select(l => l.Bytes is { } b ? Megabytes(b) : "?"))],
            ["server gen2 collections during the steady window", Count(phases.LoadEnd.Gen2Collections - rampEnd.Gen2Collections)],
        ]);
        report.Line();

        var every30s = sampler.Samples.Where(x => x.At >= phases.LoadStart.At).GroupBy(x => (int)((x.At - phases.LoadStart.At).TotalSeconds / 30)).Select(g => g.First()).ToList();
        report.Line($"Server RSS MB every 30 s from the load's start: {string.Join(", ", every30s.Select(x => Megabytes(x.ServerRss)))}");
        report.Line($"Server managed heap MB (after the last GC) every 30 s: {string.Join(", ", every30s.Select(x => Megabytes(x.ServerHeap)))}");
        report.Line($"Saved query row counts seen: {string.Join(", ", context.QueryRows.OrderBy(p => p.Key).Select(p => Text($"{p.Key} rows x{p.Value}")))}");
        report.Check("saved query rows", context.QueryRows.Count == 1 && context.QueryRows.Keys.Single() > 0,
            "every run of the saved query returned the same, non-zero number of rows");
        PrintErrors();

        var steadyLatencies = latencies.Between(steady.From, steady.To);
        double P95(string client, string kindStart) =>
            steadyLatencies.Where(x => x.Client == client && x.Kind.StartsWith(kindStart, StringComparison.Ordinal)).Select(x => Latencies.Percentile(x.Ms, 95)).DefaultIfEmpty(double.NaN).Max();
        var pageP95 = P95(CircuitSession.Client, "page change");
        var queryP95 = P95(CircuitSession.Client, "run saved query");
        var browserP95 = latencies.Between(steady.From, steady.To).Where(s => s.Client == BrowserSessions.Client)
            .Select(s => Latencies.Percentile(s.Ms, 95)).DefaultIfEmpty(double.NaN).Max();
        var rampLive = live.FirstOrDefault(l => l.When == "ramp end").Bytes;
        var endLive = live.FirstOrDefault(l => l.When == "window end").Bytes;
        var liveSlope = rampLive is { } r0 && endLive is { } r1 && window.TotalMinutes > 0.5 ? (r1 - r0) / 1e6 / (window.TotalMinutes - 0.05) : double.NaN;
        report.Line();
        report.Table([new("Target", Numeric: false), new("Goal", Numeric: false), new("Measured", Numeric: false), new("Met", Numeric: false)],
        [
            ["concurrent sessions", Text($">= 50"), Count(settings.Sessions), settings.Sessions >= 50 ? "met" : "not met"],
            ["errors", "0", Count(errors.Total), errors.Total == 0 ? "met" : "not met"],
            ["p95 page change, circuits (steady)", Text($"< {LatencyTargetMs} ms"), Fixed(pageP95, 1), pageP95 < LatencyTargetMs ? "met" : "not met"],
            ["p95 saved query click to rows, circuits (steady)", Text($"< {LatencyTargetMs} ms"), Fixed(queryP95, 1), queryP95 < LatencyTargetMs ? "met" : "not met"],
            ["p95 page change, browsers under load (steady)", Text($"< {LatencyTargetMs} ms"), double.IsNaN(browserP95) ? "-" : Fixed(browserP95, 1), double.IsNaN(browserP95) ? "not measured" : browserP95 < LatencyTargetMs ? "met" : "not met"],
            ["server memory flat: live heap, ramp end to window end", Text($"grows <= {FlatMegabytesPerMinute} MB/min"), Fixed(liveSlope, 2), liveSlope <= FlatMegabytesPerMinute ? "met" : "not met"],
            ["server memory flat: managed heap after GC", Text($"|slope| <= {FlatMegabytesPerMinute} MB/min"), Fixed(heapSlope, 2), Math.Abs(heapSlope) <= FlatMegabytesPerMinute ? "met" : "not met"],
            ["server memory flat: RSS", Text($"|slope| <= {FlatMegabytesPerMinute} MB/min"), Fixed(slope, 2), Math.Abs(slope) <= FlatMegabytesPerMinute ? "met" : "not met"],
            ["load generator CPU", Text($"< {GeneratorCoreLimit} core"), Fixed(ownCpu.TotalSeconds / window.TotalSeconds, 2), ownCpu.TotalSeconds / window.TotalSeconds < GeneratorCoreLimit ? "met" : "not met"],
        ]);
    }

    private void PrintErrors()
    {
        report.Line();
        var byKind = errors.ByKind();
        if (byKind.Count > 0)
        {
            report.Table([new("Error kind", Numeric: false), new("n"), new("First message", Numeric: false)],
                byKind.Select(e => (IReadOnlyList<string>)[e.Kind, Count(e.Count), e.FirstMessage.ReplaceLineEndings(" ")]));
            report.Line();
        }

        var problems = app.Problems;
        report.Line($"Server log lines at warning or above: {problems.Count}");
        foreach (var line in problems.Take(5))
        {
            report.Line($"    {line}");
        }

        report.Line($"JS interop calls the circuits answered (the server's calls a browser would run): {string.Join(", ", CircuitClient.JsCallsAnswered.OrderByDescending(p => p.Value).Select(p => Text($"{p.Key} x{p.Value}")))}");
    }

    private static int Beacons(bool answered) => CircuitClient.Beacons.Count(b => b.IsCompletedSuccessfully && b.Result == answered);

    // Least-squares slope over time, in MB per minute.
    private static double Slope(IReadOnlyList<ResourceSample> samples, Func<ResourceSample, long> bytes)
    {
        if (samples.Count < 2)
        {
            return double.NaN;
        }

        var xs = samples.Select(s => s.At.TotalMinutes).ToArray();
        var ys = samples.Select(s => bytes(s) / 1e6).ToArray();
        var (mx, my) = (xs.Average(), ys.Average());
        var num = xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my));
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return den == 0 ? double.NaN : num / den;
    }
}
