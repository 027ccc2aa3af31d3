using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace EcomOps.Tests.Support;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 that takes webhook POSTs: each request's body is kept, in order, and answered
/// with the next status of <see cref="Answers"/> (200 once they run out). Stopped on dispose.
/// </summary>
public sealed class WebhookListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<(string Method, string ContentType, string Body)> _received = Channel.CreateUnbounded<(string, string, string)>();
    private readonly Task _loop;

    public WebhookListener()
    {
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}/hooks/ecomops/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Url { get; }

    /// <summary>Statuses to answer, first request first.</summary>
    public Queue<HttpStatusCode> Answers { get; } = new();

    /// <summary>Take requests and never answer them, as a webhook that hangs does (until disposed).</summary>
    public bool NeverAnswer { get; set; }

    /// <summary>The next request that arrived (waiting for it up to 30 s, so a broken sender fails instead of hanging).</summary>
    public async Task<(string Method, string ContentType, string Body)> NextAsync() =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Requests that have arrived and were not read yet.</summary>
    public int Pending => _received.Reader.Count;

    /// <summary>A port nothing listens on now: taken from the system, then let go.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _received.Writer.TryComplete();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener's disposal exception: that is how it stops.
        }
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

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            HttpStatusCode status;
            lock (Answers)
            {
                status = Answers.Count > 0 ? Answers.Dequeue() : HttpStatusCode.OK;
            }

            // Kept before answering: once the sender has its answer, the request is here to read.
            _received.Writer.TryWrite((context.Request.HttpMethod, context.Request.ContentType ?? "", body));
            if (NeverAnswer)
            {
                continue;
            }

            context.Response.StatusCode = (int)status;
            context.Response.Close();
        }
    }
}
