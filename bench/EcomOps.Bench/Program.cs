using System.Diagnostics;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;

var options = new GenerationOptions(Customers: 1000, Products: 200, Transactions: 1000);
var gen = new RowGenerator(options);
foreach (var ds in DatasetCatalog.All)
{
    var rows = options.RowsFor(ds.Name);
    var path = Path.Combine(Path.GetTempPath(), ds.Name + ".bench.csv");
    var sw = Stopwatch.StartNew();
    long bytes;
    await using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
    {
        bytes = await GeneratedCsv.WriteAsync(gen, ds, rows, fs);
    }
    sw.Stop();
    Console.WriteLine($"{ds.Name}: {rows:N0} rows {bytes / 1e6:N0} MB in {sw.Elapsed.TotalSeconds:N2}s = {rows / sw.Elapsed.TotalSeconds / 1e6:N2} M rows/s; peak WS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB");
    Console.WriteLine(string.Join("\n", File.ReadLines(path).Take(4))); File.Delete(path);
}
