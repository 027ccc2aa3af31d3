using System.Diagnostics.CodeAnalysis;
using System.Globalization;

/// <summary>
/// Runs inside the dashboard's process (loaded by the runtime through DOTNET_STARTUP_HOOKS, which the load run
/// sets only for the process it starts), so the run can see the managed heap as well as the RSS: the app's
/// /metrics has no runtime meters, and the heap after a collection is what tells a leak from a lazy GC. Every
/// second it appends one line to the file named by ECOMOPS_LOAD_GC_FILE: unix ms, heap size after the last
/// collection, committed bytes, and the gen0/gen1/gen2 collection counts. When the file named by
/// <see cref="LiveRequest"/> appears, it runs a full blocking collection (as dotnet-gcdump would) and appends the
/// heap left, the live bytes, to <see cref="LiveAnswers"/>: the figure that tells a leak from garbage the GC has not
/// yet collected. It touches nothing else in the app.
/// </summary>
[SuppressMessage("Design", "CA1050:Declare types in namespaces", Justification = "The runtime looks for a startup hook as a type named StartupHook outside any namespace.")]
internal static class StartupHook
{
    public const string FileVariable = "ECOMOPS_LOAD_GC_FILE";

    public static string LiveRequest(string file) => file + ".collect";

    public static string LiveAnswers(string file) => file + ".live";

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(FileVariable) is not { Length: > 0 } path)
        {
            return;
        }

        var thread = new Thread(() => Write(path)) { IsBackground = true, Name = "ecomops-load-gc-sampler" };
        thread.Start();
    }

    private static void Write(string path)
    {
        using var file = new StreamWriter(path, append: false) { AutoFlush = true };
        while (true)
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            file.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {info.HeapSizeBytes} {info.TotalCommittedBytes} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}"));
            for (var i = 0; i < 10; i++)
            {
                if (File.Exists(LiveRequest(path)))
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    File.AppendAllText(LiveAnswers(path), string.Create(CultureInfo.InvariantCulture, $"{GC.GetTotalMemory(forceFullCollection: false)}\n"));
                    File.Delete(LiveRequest(path));
                }

                Thread.Sleep(100);
            }
        }
    }
}
