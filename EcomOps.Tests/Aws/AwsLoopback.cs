using System.Collections.Specialized;
using System.Net;
using System.Text;
using System.Threading.Channels;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Aws;

/// <summary>A request as the loopback endpoint received it.</summary>
internal sealed record ReceivedRequest(string Method, string Path, NameValueCollection Headers, string Body)
{
    public string? Header(string name) => Headers[name];
}

/// <summary>What the loopback endpoint answers; <see cref="Hold"/> answers nothing until the endpoint stops.</summary>
internal sealed record LoopbackAnswer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, bool Hold = false, string ContentType = "application/x-amz-json-1.1")
{
    public static LoopbackAnswer Json(string body, string requestId = "req-ok") => new(200, body, new Dictionary<string, string> { ["x-amzn-RequestId"] = requestId });

    public static LoopbackAnswer Error(int status, string type, string message, string requestId) =>
        new(status, $$"""{"__type":"{{type}}","message":"{{message}}"}""", new Dictionary<string, string> { ["x-amzn-RequestId"] = requestId });
}

/// <summary>
/// An HTTP endpoint on 127.0.0.1 standing in for an AWS service: keeps each request and answers with
/// <see cref="Answer"/> (called with the request and its 0-based number). Stopped on dispose.
/// </summary>
internal sealed class AwsLoopback : IDisposable
{
    private readonly HttpListener _listener;
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Channel<ReceivedRequest> _arrivals = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public AwsLoopback(Func<ReceivedRequest, int, LoopbackAnswer> answer)
    {
        Answer = answer;
        // A free port can be taken by another test between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Url = $"http://127.0.0.1:{WebhookListener.FreePort()}/";
            _listener = new HttpListener();
            _listener.Prefixes.Add(Url);
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }

        _loop = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public Func<ReceivedRequest, int, LoopbackAnswer> Answer { get; }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The next request to arrive (waiting up to 30 s, so a broken client fails rather than hangs).</summary>
    public async Task<ReceivedRequest> NextArrivalAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener's disposal: that is how it stops.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var received = new ReceivedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", new NameValueCollection(context.Request.Headers), body);
            int number;
            lock (_requests)
            {
                number = _requests.Count;
                _requests.Add(received);
            }

            var answer = Answer(received, number);
            _arrivals.Writer.TryWrite(received);
            if (answer.Hold)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (cancelled) or the endpoint stopped.
        }
    }
}
