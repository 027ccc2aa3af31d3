using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EcomOps.Tools;

/// <summary>
/// s3rver 3.7.1 from <c>tools/s3rver</c> on 127.0.0.1 and a free port, over a folder, with one bucket
/// created. Compiled into both the tests (S3rverFixture) and the upload benchmark, so the benchmark measures
/// the server the S3 tests trust. Disposing kills its whole process tree.
/// </summary>
internal sealed class S3rverProcess : IAsyncDisposable
{
    /// <summary>s3rver's built-in account; it accepts no other. Public test values, not secrets.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private S3rverProcess(string package)
    {
        Package = package;
    }

    /// <summary>The tools/s3rver folder it runs from.</summary>
    public string Package { get; }

    public string ServiceUrl { get; private set; } = string.Empty;

    public int ProcessId { get; private set; }

    /// <summary>Starts s3rver over <paramref name="dataFolder"/> with <paramref name="bucket"/> configured.</summary>
    public static async Task<S3rverProcess> StartAsync(string dataFolder, string bucket, CancellationToken cancellationToken)
    {
        var package = FindPackage();
        var cli = Path.Combine(package, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed ({cli} is missing). Run ./test.sh, which installs it first, or 'npm ci --prefix tools/s3rver'.");
        }

        var server = new S3rverProcess(package);
        try
        {
            // The port is free when asked for but could be taken before s3rver binds it; then try another.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort();
                server._process = server.Start(cli, dataFolder, bucket, port);
                if (await WaitUntilListeningAsync(server._process, port, cancellationToken).ConfigureAwait(false))
                {
                    server.ServiceUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
                    server.ProcessId = server._process.Id;
                    return server;
                }

                await server.StopAsync().ConfigureAwait(false);
                if (attempt == 3)
                {
                    throw new InvalidOperationException(
                        $"s3rver did not start on 127.0.0.1 within {StartTimeout.TotalSeconds:0} s (3 attempts). Its output:{Environment.NewLine}{string.Join(Environment.NewLine, server._output)}");
                }
            }
        }
        catch
        {
            // Cancelled or failed while starting: the caller gets no object to dispose, so stop it here.
            await server.StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The last lines s3rver printed, for a failure message.</summary>
    public string RecentOutput() => string.Join(Environment.NewLine, _output);

    public ValueTask DisposeAsync() => new(StopAsync());

    private Process Start(string cli, string dataFolder, string bucket, int port)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Package,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only has in its
        // legacy provider; without it every truncated listing fails with a 500.
        start.ArgumentList.Add("--openssl-legacy-provider");
        // Makes s3rver read CopyObject's source header as S3 does (see the file).
        start.ArgumentList.Add("--require");
        start.ArgumentList.Add(Path.Combine(Package, "s3rver-fixes.js"));
        foreach (var argument in new[] { cli, "-d", dataFolder, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--configure-bucket", bucket })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for s3rver.");
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("Could not run 'node' for s3rver: install Node.js 18 or later and put it on PATH (./test.sh does on Debian).", e);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        // The last lines are what explain a failure; s3rver logs every request, so keep only those.
        _output.Enqueue(line);
        if (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    private static async Task<bool> WaitUntilListeningAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                return false;
            }

            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        return false;
    }

    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        process.Dispose();
    }

    /// <summary>
    /// tools/s3rver of the repository this was built from: found by walking up from the binary
    /// (.../bin/...), then from the current directory.
    /// </summary>
    private static string FindPackage()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var package = Path.Combine(folder.FullName, "tools", "s3rver");
                if (File.Exists(Path.Combine(package, "package.json")))
                {
                    return package;
                }
            }
        }

        throw new InvalidOperationException(
            $"Cannot find tools/s3rver above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}; run from the repository.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
