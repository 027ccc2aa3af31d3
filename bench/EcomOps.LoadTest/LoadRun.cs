using System.Diagnostics;
using System.Globalization;
using EcomOps.Bench;
using EcomOps.LoadTest.Circuits;

namespace EcomOps.LoadTest;

/// <summary>The settings of one run, from the command line.</summary>
internal sealed record LoadSettings(
    int Sessions,
    TimeSpan Duration,
    TimeSpan Ramp,
    long MaxInteractions,
    int Browsers,
    int AnchorChanges,
    TimeSpan ThinkMin,
    TimeSpan ThinkMax,
    int Seed,
    string AppFolder,
    string Chromium)
{
    public const string Usage = """
          load [--sessions N] [--duration 3m] [--ramp 20s] [--max-interactions N] [--browsers N] [--anchor-changes N]
               [--think 1-3] [--seed N] [--app DIR] [--chromium PATH]
            N real Blazor circuits (SignalR clients, no browser) tour the dashboard's pages and run a saved query on
            the Query page, for --duration after starting over --ramp, at most --max-interactions (20,000) in all; beside them
            --browsers Chromium tabs change pages (measured first with no load, --anchor-changes each). Reports errors,
            latency percentiles, the server's CPU per interaction and its memory over time. --app is the published
            dashboard (default EcomOps.Web/bin/Release/net10.0/publish; bench/load.sh publishes it).
        """;

    public static LoadSettings From(BenchArguments options)
    {
        var think = (options.String("--think") ?? "1-3").Split('-');
        if (think.Length != 2 || !double.TryParse(think[0], CultureInfo.InvariantCulture, out var thinkMin) || !double.TryParse(think[1], CultureInfo.InvariantCulture, out var thinkMax)
            || thinkMin < 0 || thinkMax < thinkMin)
        {
            throw new BenchArgumentException("Option --think must be MIN-MAX in seconds, such as 1-3 (think time between a session's steps, uniform, seeded).");
        }

        return new LoadSettings(
            (int)options.Long("--sessions", 50, 1, 1000),
            ReadDuration(options, "--duration", TimeSpan.FromMinutes(3)),
            ReadDuration(options, "--ramp", TimeSpan.FromSeconds(20)),
            options.Long("--max-interactions", 20_000),
            (int)options.Long("--browsers", 2, 0, 10),
            (int)options.Long("--anchor-changes", 15, 0, 10_000),
            TimeSpan.FromSeconds(thinkMin),
            TimeSpan.FromSeconds(thinkMax),
            (int)options.Long("--seed", 42, 0, int.MaxValue),
            options.String("--app") ?? Path.Combine(RepositoryRoot(), "EcomOps.Web", "bin", "Release", "net10.0", "publish"),
            options.String("--chromium") ?? Environment.GetEnvironmentVariable("ECOMOPS_CHROMIUM") ?? "/usr/bin/chromium");
    }

    // 90s, 3m, 1h; a bare number is seconds.
    private static TimeSpan ReadDuration(BenchArguments options, string name, TimeSpan defaultValue)
    {
        var text = options.String(name);
        if (text is null)
        {
            return defaultValue;
        }

        var unit = text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 };
        var digits = unit == 0 ? text : text[..^1];
        if (!double.TryParse(digits, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new BenchArgumentException($"Option {name} must be a duration such as 90s, 3m or 1h; got '{text}'.");
        }

        return TimeSpan.FromSeconds(value * (unit == 0 ? 1 : unit));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EcomOps.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

/// <summary>
/// One load run: the dashboard in its own process over a new data root, prepared by the Overview's demo pipeline
/// (so the catalog, warehouse and saved query have data), then the browsers alone (the anchor), then the circuit
/// sessions with the browsers measuring beside them, the server's /proc read every second throughout.
/// </summary>
internal static class LoadRun
{
    public const string Command = "load";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchArguments options, BenchReport report, CancellationToken cancellationToken)
    {
        var settings = LoadSettings.From(options);
        options.EnsureAllUsed();
        var loadBefore = MachineInfo.LoadAverage();

        await using var app = await DashboardProcess.StartAsync(settings.AppFolder, cancellationToken);
        report.Line($"Dashboard started: pid {app.ProcessId}, {app.BaseUri}, published build at {settings.AppFolder}; its output goes to {app.LogFile}");
        var clock = Stopwatch.StartNew();
        var errors = new LoadErrors();
        using var logs = new ErrorLoggerProvider(errors);
        using var http = new HttpClient { Timeout = StepTimeout };
        var latencies = new Latencies();
        var context = new SessionContext(http, app.BaseUri, clock, settings.ThinkMin, settings.ThinkMax, StepTimeout,
            new InteractionBudget(settings.MaxInteractions), latencies, errors, logs);
        var sampler = new ResourceSampler(app.ProcessId, app.GcFile, clock);

        var prepared = await PrepareAsync(context, report, cancellationToken);
        var setupErrors = errors.Total;

        // The server on its own for a while: what its background work (job runner, schedules) costs with no one watching.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var idleStart = sampler.Take();
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        var idleEnd = sampler.Take();

        await using var browsers = settings.Browsers > 0
            ? await BrowserSessions.OpenAsync(settings.Chromium, app.BaseUri, settings.Browsers, StepTimeout)
            : null;
        var anchorStart = sampler.Take();
        if (browsers is not null && settings.AnchorChanges > 0)
        {
            report.Line($"Anchor: {settings.Browsers} browser tab(s), {settings.AnchorChanges} page changes each, no other load...");
            await browsers.RunAsync("no load", settings.AnchorChanges, context, settings.Seed + 10_000, cancellationToken);
        }

        var anchorEnd = sampler.Take();
        report.Line($"Load: {settings.Sessions} circuit sessions over {settings.Ramp.TotalSeconds:0} s, then until {settings.Duration.TotalSeconds:0} s in all...");
        using var stopSampler = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = sampler.RunAsync(stopSampler.Token);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopLoad.CancelAfter(settings.Duration);
        var loadStart = sampler.Take();
        var sessions = Enumerable.Range(0, settings.Sessions).Select(i => Task.Run(async () =>
        {
            await Task.Delay(settings.Ramp * i / settings.Sessions, stopLoad.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            await CircuitSession.RunAsync(context, settings.Seed + i, stopLoad.Token);
        })).ToList();
        var circuitsMid = ReadCircuitsAtAsync(http, app.BaseUri, settings.Ramp + ((settings.Duration - settings.Ramp) / 2), stopLoad.Token);

        // Live heap (after a forced full collection in the server) at the load's start, the ramp's end, mid-window
        // and just before the end: 3 short pauses during the load, the price of telling a leak from lazy garbage.
        var live = new List<(string When, long? Bytes)> { ("load start", await sampler.LiveHeapAsync(cancellationToken)) };
        var liveDuringLoad = Task.Run(async () =>
        {
            var points = new[] { ("ramp end", settings.Ramp), ("mid-window", settings.Ramp + ((settings.Duration - settings.Ramp) / 2)), ("window end", settings.Duration - TimeSpan.FromSeconds(3)) };
            var begun = Stopwatch.GetTimestamp();
            var taken = new List<(string, long?)>();
            foreach (var (when, at) in points)
            {
                var wait = at - Stopwatch.GetElapsedTime(begun);
                if (wait > TimeSpan.Zero && !stopLoad.IsCancellationRequested)
                {
                    await Task.Delay(wait, stopLoad.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                if (!stopLoad.IsCancellationRequested)
                {
                    taken.Add((when, await sampler.LiveHeapAsync(cancellationToken)));
                }
            }

            return taken;
        });
        var browsing = browsers is null
            ? Task.CompletedTask
            : Task.Delay(settings.Ramp, stopLoad.Token).ContinueWith(_ => browsers.RunAsync("under load", int.MaxValue, context, settings.Seed + 20_000, stopLoad.Token), TaskScheduler.Default).Unwrap();
        await Task.WhenAll([.. sessions, browsing]);
        var loadEnd = sampler.Take();
        live.AddRange(await liveDuringLoad);

        // Closed sessions post the disconnect beacon, so their circuits should be gone; give the GC a moment.
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        var afterClose = sampler.Take();
        var circuitsAfter = await ReadCircuitsAsync(http, app.BaseUri, cancellationToken);
        live.Add(("10 s after the sessions closed", await sampler.LiveHeapAsync(cancellationToken)));

        // Past the server's 60 s JS interop time-out, so a circuit whose disposal waits on a JS call that no closed
        // tab will answer has ended too: what is still live then is kept by the app, not by the closing.
        await Task.Delay(TimeSpan.FromSeconds(65), cancellationToken);
        var afterTimeout = sampler.Take();
        live.Add(("75 s after", await sampler.LiveHeapAsync(cancellationToken)));
        await stopSampler.CancelAsync();
        await sampling;
        await Task.WhenAny(Task.WhenAll(CircuitClient.Beacons), Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));

        var phases = new LoadPhases(idleStart, idleEnd, anchorStart, anchorEnd, loadStart, loadStart.At + settings.Ramp, loadEnd, afterClose, afterTimeout);
        new LoadSummary(report, settings, sampler, latencies, errors, context, app, phases).Print(
            loadBefore, MachineInfo.LoadAverage(), prepared, setupErrors, await circuitsMid, circuitsAfter, live);
        return report.AllChecksPassed ? 0 : 1;
    }

    /// <summary>Runs the demo pipeline from the Overview (generate, upload, convert, crawl, load) so every page has data.</summary>
    private static async Task<TimeSpan> PrepareAsync(SessionContext context, BenchReport report, CancellationToken cancellationToken)
    {
        report.Line($"Preparing: the Overview's demo pipeline, through a circuit...");
        await using var circuit = await CircuitClient.OpenAsync(context.Http, context.BaseUri, DashboardPages.Overview.Path, context.Errors, context.Logs, cancellationToken);
        await circuit.WaitForAsync(DashboardPages.IsInteractive, "the interactive layout", StepTimeout, cancellationToken);
        var took = await circuit.InteractAsync(
            ct => circuit.ClickAsync(n => n.Attribute("id") == "run-demo", "Run demo pipeline button", ct),
            h => DashboardPages.DemoStatus(h) is "Succeeded" or "Failed" or "Cancelled" or "Interrupted",
            "the demo pipeline's end",
            TimeSpan.FromMinutes(10),
            cancellationToken);
        var status = circuit.Read(DashboardPages.DemoStatus);
        report.Check("demo pipeline", status == "Succeeded", BenchReport.Text($"{status} in {took.TotalSeconds:0.0} s"));
        return took;
    }

    private static async Task<double?> ReadCircuitsAtAsync(HttpClient http, Uri baseUri, TimeSpan after, CancellationToken stop)
    {
        try
        {
            await Task.Delay(after, stop);
            return await ReadCircuitsAsync(http, baseUri, stop);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The dashboard's own count of open circuits, from its Prometheus endpoint, or null if it did not answer.</summary>
    private static async Task<double?> ReadCircuitsAsync(HttpClient http, Uri baseUri, CancellationToken cancellationToken)
    {
        try
        {
            var metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"), cancellationToken);
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("ecomops_circuits_active", StringComparison.Ordinal));
            return line is not null && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>Readings at the edges of the run's phases; the steady window is from the end of the ramp to the end of the load.</summary>
internal sealed record LoadPhases(ResourceSample IdleStart, ResourceSample IdleEnd, ResourceSample AnchorStart, ResourceSample AnchorEnd, ResourceSample LoadStart, TimeSpan RampEnd, ResourceSample LoadEnd, ResourceSample AfterClose, ResourceSample AfterTimeout);
