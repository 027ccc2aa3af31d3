using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EcomOps.LoadTest.Circuits;

/// <summary>
/// A real Blazor Server circuit without a browser: it fetches a page, starts a circuit over the <c>/_blazor</c> hub
/// with the page's prerendered component markers (as blazor.web.js does), applies and acknowledges every render
/// batch, answers the server's JS interop calls with empty successes, and dispatches clicks, input and navigation
/// the way the browser's event delegator and navigation manager send them.
/// </summary>
internal sealed partial class CircuitClient : IAsyncDisposable
{
    private const int ObjectReferenceResult = 1;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly object MouseClick = new
    {
        detail = 1, screenX = 0, screenY = 0, clientX = 0, clientY = 0, offsetX = 0, offsetY = 0, pageX = 0, pageY = 0,
        movementX = 0, movementY = 0, button = 0, buttons = 0, ctrlKey = false, shiftKey = false, altKey = false, metaKey = false, type = "click",
    };

    private readonly Uri _baseUri;
    private readonly HubConnection _connection;
    private readonly ElementHive _hive = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<ElementHive, bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private readonly LoadErrors _errors;
    private long _lastBatch;
    private long _nextJsObjectId;
    private long _nextCallId;
    private long _interopObjectId;
    private string? _failure;
    private string? _secret;
    private HttpClient? _http;
    private bool _disposing;
    private CancellationToken _opening;

    private CircuitClient(Uri baseUri, LoadErrors errors, ILoggerProvider logs)
    {
        _baseUri = baseUri;
        _errors = errors;
        Uri = baseUri.ToString();
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .ConfigureLogging(l => l.AddProvider(new WhileOpen(logs, this)));
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        _connection = builder.Build();
        _connection.On<int, string>("JS.AttachComponent", (id, _) =>
        {
            lock (_gate)
            {
                _hive.AttachRootComponent(id);
            }
        });
        _connection.On<long, byte[]>("JS.RenderBatch", OnRenderBatchAsync);
        _connection.On<long, string, string, int, long, int>("JS.BeginInvokeJS", OnBeginInvokeJSAsync);
        _connection.On<string, bool, string>("JS.EndInvokeDotNet", (callId, succeeded, result) =>
        {
            if (!succeeded && !Disposing)
            {
                _errors.Add("event dispatch failed", result);
            }
        });
        _connection.On<long>("JS.EndUpdateRootComponents", _ => { });
        _connection.On<string>("JS.Error", error => Fail("circuit error (JS.Error)", error));
        _connection.Closed += e =>
        {
            if (!Disposing)
            {
                Fail("connection closed", e?.Message ?? "the server closed the connection");
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>How many times each JS function the server called was answered, over every circuit.</summary>
    public static ConcurrentDictionary<string, long> JsCallsAnswered { get; } = new(StringComparer.Ordinal);

    /// <summary>The address the circuit is on, as the server's NavigationManager has it.</summary>
    public string Uri { get; private set; }

    // Set by DisposeAsync on the session's thread, read by the connection's handlers on theirs.
    private bool Disposing
    {
        get => Volatile.Read(ref _disposing);
        set => Volatile.Write(ref _disposing, value);
    }

    /// <summary>Fetches <paramref name="path"/> and starts a circuit on it; returns once the server has taken the root components.</summary>
    public static async Task<CircuitClient> OpenAsync(HttpClient http, Uri baseUri, string path, LoadErrors errors, ILoggerProvider logs, CancellationToken cancellationToken)
    {
        var pageUri = new Uri(baseUri, path);
        var html = await http.GetStringAsync(pageUri, cancellationToken);
        var markers = ServerMarker().Matches(html)
            .Select(m => JsonNode.Parse(m.Groups[1].Value)!)
            .Where(m => (string?)m["type"] == "server")
            .OrderBy(m => (int)m["sequence"]!)
            .ToList();
        if (markers.Count == 0)
        {
            throw new InvalidOperationException($"{pageUri} has no interactive server component markers (<!--Blazor:{{\"type\":\"server\",...}}-->).");
        }

        var state = ServerState().Match(html) is { Success: true } s ? s.Groups[1].Value : "";
        var client = new CircuitClient(baseUri, errors, logs) { Uri = pageUri.ToString(), _opening = cancellationToken };
        try
        {
            await client._connection.StartAsync(cancellationToken);
            var secret = await client._connection.InvokeAsync<string?>("StartCircuit", baseUri.ToString(), pageUri.ToString(), "[]", state, cancellationToken);
            if (string.IsNullOrEmpty(secret))
            {
                throw new InvalidOperationException($"The server refused to start a circuit on {pageUri}.");
            }

            client._secret = secret;
            client._http = http;

            // blazor.web.js numbers the page's root components from 1 in document order and adds them in batch 1.
            var operations = new JsonObject
            {
                ["batchId"] = 1,
                ["operations"] = new JsonArray([.. markers.Select((m, i) => (JsonNode)new JsonObject { ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = m.DeepClone() })]),
            };
            await client._connection.SendAsync("UpdateRootComponents", operations.ToJsonString(), state, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until a render batch makes <paramref name="done"/> true (checked at once, then after every batch).</summary>
    public Task WaitForAsync(Func<ElementHive, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken) =>
        InteractAsync(null, done, what, timeout, cancellationToken);

    /// <summary>
    /// Does <paramref name="act"/> and waits for the render batch that makes <paramref name="done"/> true, which is
    /// registered first (and not checked before acting, so a page's old state cannot satisfy it); returns the time
    /// from acting to that batch, the latency a user sees.
    /// </summary>
    public async Task<TimeSpan> InteractAsync(Func<CancellationToken, Task>? act, Func<ElementHive, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ThrowIfFailed();
            if (act is null && done(_hive))
            {
                return TimeSpan.Zero;
            }

            _waiters.Add((done, signal));
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            if (act is not null)
            {
                await act(cancellationToken);
            }

            await signal.Task.WaitAsync(timeout, cancellationToken);
            return Stopwatch.GetElapsedTime(started);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not appear on {Uri} within {timeout.TotalSeconds:0.#} s.");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Signal == signal);
            }
        }
    }

    public T Read<T>(Func<ElementHive, T> read)
    {
        lock (_gate)
        {
            return read(_hive);
        }
    }

    /// <summary>Clicks the first element matching <paramref name="match"/>: the nearest handler from it upwards gets it, as the browser's bubbling does.</summary>
    public Task ClickAsync(Func<Node, bool> match, string what, CancellationToken cancellationToken) =>
        DispatchAsync(match, what, "click", MouseClick, cancellationToken);

    /// <summary>Types <paramref name="value"/> into an input as one <c>input</c> or <c>change</c> event, as the browser reports it.</summary>
    public Task TypeAsync(Func<Node, bool> match, string what, string eventName, string value, CancellationToken cancellationToken) =>
        DispatchAsync(match, what, eventName, new { value }, cancellationToken);

    /// <summary>Follows a link inside the app: the server's router renders the new page (blazor.web.js's interactive navigation).</summary>
    public async Task NavigateAsync(string path, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, path).ToString();
        await _connection.SendAsync("OnLocationChanged", uri, null, true, cancellationToken);
        Uri = uri;
    }

    /// <summary>Disconnect beacons sent, and how they ended (answered, failed, or still unanswered at the end).</summary>
    public static ConcurrentBag<Task<bool>> Beacons { get; } = [];

    /// <summary>
    /// Closes the circuit as a closing tab does: blazor.web.js posts the circuit's secret to <c>_blazor/disconnect</c>
    /// with sendBeacon on pagehide (so the server disposes the circuit at once instead of keeping it for
    /// reconnection) and does not wait for the answer; neither does this.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Disposing = true;
        if (_http is not null && _secret is not null)
        {
            Beacons.Add(SendBeaconAsync(_http, new Uri(_baseUri, "_blazor/disconnect"), _secret));
        }

        await _connection.DisposeAsync();
    }

    private static async Task<bool> SendBeaconAsync(HttpClient http, Uri uri, string secret)
    {
        try
        {
            using var form = new MultipartFormDataContent { { new StringContent(secret), "circuitId" } };
            using var response = await http.PostAsync(uri, form);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task DispatchAsync(Func<Node, bool> match, string what, string eventName, object eventArgs, CancellationToken cancellationToken)
    {
        string descriptor;
        lock (_gate)
        {
            ThrowIfFailed();
            var target = _hive.Root.Descendants().FirstOrDefault(n => n.Kind == NodeKind.Element && match(n))
                ?? throw new InvalidOperationException($"No {what} on {Uri}.");
            var handler = target;
            while (handler is not null && !handler.Events.ContainsKey(eventName))
            {
                handler = handler.Parent;
            }

            if (handler is null)
            {
                throw new InvalidOperationException($"The {what} on {Uri} has no {eventName} handler.");
            }

            // No eventFieldInfo: it only spares the server a re-render of the typed value, and naming the wrong
            // component in it would fail the dispatch.
            descriptor = JsonSerializer.Serialize(new object?[] { new { eventHandlerId = handler.Events[eventName], eventName, eventFieldInfo = (object?)null }, eventArgs }, Json);
        }

        var callId = Interlocked.Increment(ref _nextCallId).ToString(CultureInfo.InvariantCulture);
        await _connection.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", Interlocked.Read(ref _interopObjectId), descriptor, cancellationToken);
    }

    private async Task OnRenderBatchAsync(long batchId, byte[] data)
    {
        string? error = null;
        lock (_gate)
        {
            if (batchId > _lastBatch)
            {
                try
                {
                    _hive.Apply(RenderBatch.Read(data));
                    _lastBatch = batchId;
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException or InvalidOperationException)
                {
                    error = e.Message;
                    Fail("render batch not applied", $"batch {batchId}: {e.Message}");
                }

                foreach (var waiter in _waiters.Where(w => w.Done(_hive)).ToList())
                {
                    waiter.Signal.TrySetResult();
                }
            }
        }

        await _connection.SendAsync("OnRenderCompleted", batchId, error);
    }

    private async Task OnBeginInvokeJSAsync(long asyncHandle, string identifier, string argsJson, int resultType, long targetInstanceId, int callType)
    {
        JsCallsAnswered.AddOrUpdate(identifier, 1, (_, n) => n + 1);
        if (identifier == "Blazor._internal.attachWebRendererInterop")
        {
            // Its second argument is the renderer's interop object, the target of every DispatchEventAsync.
            var dotNetObject = JsonNode.Parse(argsJson)?[1]?["__dotNetObject"];
            Interlocked.Exchange(ref _interopObjectId, dotNetObject is null ? 0 : (long)dotNetObject);
        }

        if (asyncHandle == 0)
        {
            return;
        }

        object? result = resultType == ObjectReferenceResult ? new Dictionary<string, long> { ["__jsObjectId"] = Interlocked.Increment(ref _nextJsObjectId) } : null;
        await _connection.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, JsonSerializer.Serialize(new object?[] { asyncHandle, true, result }, Json));
    }

    private void Fail(string kind, string message)
    {
        if (Disposing)
        {
            // Calls still in flight when the tab closes fail on the server's side; a browser never sees them.
            return;
        }

        _errors.Add(kind, message);
        lock (_gate)
        {
            _failure ??= $"{kind}: {message}";
            foreach (var waiter in _waiters)
            {
                waiter.Signal.TrySetException(new InvalidOperationException(_failure));
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException(_failure);
        }
    }

    /// <summary>The client's log, silenced once it is closing (messages still arriving then are no one's problem).</summary>
    private sealed class WhileOpen(ILoggerProvider inner, CircuitClient client) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName), client);

        public void Dispose()
        {
        }

        private sealed class Logger(ILogger inner, CircuitClient client) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => inner.BeginScope(state);

            // A connection start cancelled because the run is stopping is the run's doing, not an error either.
            public bool IsEnabled(LogLevel logLevel) => !client.Disposing && !client._opening.IsCancellationRequested && inner.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    inner.Log(logLevel, eventId, state, exception, formatter);
                }
            }
        }
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex ServerMarker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ServerState();
}
