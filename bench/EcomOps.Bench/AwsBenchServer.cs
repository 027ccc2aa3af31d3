using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EcomOps.Bench;

/// <summary>
/// An HTTP endpoint on 127.0.0.1 answering AWS JSON 1.1 calls with fixed bodies chosen by the <c>X-Amz-Target</c>
/// header, for the <c>aws</c> benchmark. It does as little as it can per request (the answers are prepared bytes), so the
/// time it takes is the same for our client and the plain-HttpClient anchor and cancels out of the difference. Several
/// accept loops, so concurrent callers are served concurrently. Stopped on dispose.
/// </summary>
internal sealed class AwsBenchServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<string, byte[], byte[]?> _answer;
    private readonly Task[] _loops;
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, bool> _connections = new();
    private long _signed;
    private long _unsigned;
    private long _failures;

    /// <param name="answer">The body for a target and request body, or null for an error (a 400 the caller sees).</param>
    /// <param name="acceptLoops">How many requests may be served at once.</param>
    public AwsBenchServer(Func<string, byte[], byte[]?> answer, int acceptLoops)
    {
        _answer = answer;
        // A port found free can be taken before it is bound (other engineers' tests bind loopback too): try a few.
        for (var attempt = 1; ; attempt++)
        {
            Url = BenchReport.Text($"http://127.0.0.1:{FreePort()}/");
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

        _loops = [.. Enumerable.Range(0, acceptLoops).Select(_ => Task.Run(AcceptAsync))];
    }

    public string Url { get; }

    /// <summary>Requests that carried a SigV4 <c>Authorization</c> header, and those that carried none.</summary>
    public (long Signed, long Unsigned) Signing => (Interlocked.Read(ref _signed), Interlocked.Read(ref _unsigned));

    /// <summary>Requests answered with an error (unknown target, or the answer function refused the body).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Distinct client connections seen (remote address and port), signed requests' and unsigned ones'.</summary>
    public (int Signed, int Unsigned) Connections => (_connections.Count(c => c.Value), _connections.Count(c => !c.Value));

    public long Calls(string target) => _calls.TryGetValue(target, out var count) ? count : 0;

    public void Dispose()
    {
        _listener.Stop();
        try
        {
            Task.WaitAll(_loops, TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loops end with the listener's disposal exceptions; nothing is left to clean up.
        }

        _listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptAsync()
    {
        var buffer = new MemoryStream();
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                buffer.SetLength(0);
                await context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
                var target = context.Request.Headers["X-Amz-Target"] ?? "";
                _calls.AddOrUpdate(target, 1, (_, n) => n + 1);
                var signed = context.Request.Headers["Authorization"]?.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) == true;
                _connections.TryAdd(context.Request.RemoteEndPoint, signed);
                if (signed)
                {
                    Interlocked.Increment(ref _signed);
                }
                else
                {
                    Interlocked.Increment(ref _unsigned);
                }

                var body = _answer(target, buffer.ToArray());
                var response = context.Response;
                response.ContentType = "application/x-amz-json-1.1";
                response.Headers["x-amzn-RequestId"] = "5f3c1b9e-8d2a-4c7e-9b61-0a4d2e8f7c13";
                if (body is null)
                {
                    Interlocked.Increment(ref _failures);
                    response.StatusCode = 400;
                    body = """{"__type":"InvalidRequestException","message":"The bench server does not answer this request."}"""u8.ToArray();
                }

                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The caller went away (or the server is stopping): nothing to answer.
                Interlocked.Increment(ref _failures);
            }
        }
    }
}
