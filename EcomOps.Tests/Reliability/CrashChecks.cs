using System.Globalization;
using System.Text;
using System.Text.Json;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Reliability;

/// <summary>Inputs for the crash tests and the checks made after each kill, read with independent readers (DuckDB, SQLite).</summary>
public static class CrashChecks
{
    public const string TransactionsHeader = "TransactionID,CustomerID,ProductID,Timestamp,Amount,Country";

    /// <summary>A transactions CSV of <paramref name="rows"/> valid rows from id <paramref name="firstId"/>, written directly (much faster than the generator).</summary>
    public static void WriteTransactions(string path, long firstId, int rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(TransactionsHeader);
        writer.Write('\n');
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        for (var i = 0; i < rows; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{firstId + i},{i % 5000},{i % 700},{start.AddSeconds(i * 13L):yyyy-MM-dd HH:mm:ss},{i % 10_000 / 100m:0.00},{(i % 3 == 0 ? "Chile" : "Peru")}\n"));
        }
    }

    /// <summary>
    /// What a reader of a dataset's Parquet folder sees: every file under it (as a glob over the folder finds them) opened
    /// with DuckDB, and the rows of all of them. Fails when a file does not open, when the folder holds anything but
    /// Parquet parts and the commit markers, when parts of two runs are mixed, or when the manifest does not list
    /// exactly the parts there.
    /// </summary>
    public static long VisibleRows(string datasetFolder, string context)
    {
        if (!Directory.Exists(datasetFolder))
        {
            return 0;
        }

        var files = Directory.EnumerateFiles(datasetFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var parts = files.Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        var others = files.Except(parts).Select(Path.GetFileName).Where(n => n is not "_manifest.json" and not "_SUCCESS").ToList();
        Assert.True(others.Count == 0, $"{context}: a reader of {datasetFolder} sees leftovers: {string.Join(", ", others)}");

        using var duck = new DuckDb();
        long total = 0;
        foreach (var part in parts)
        {
            try
            {
                total += duck.Long($"SELECT count(*) FROM read_parquet({DuckDb.Literal(part)})");
            }
            catch (Exception e)
            {
                Assert.Fail($"{context}: {part} is visible but does not open: {e.Message}");
            }
        }

        // Part files are named part-<run id>-<n>: one conversion's output carries one run id.
        var runs = parts.Select(p => Path.GetFileName(p)["part-".Length..][..36]).Distinct().ToList();
        Assert.True(runs.Count <= 1, $"{context}: parts of {runs.Count} runs are mixed in {datasetFolder}: {string.Join(", ", runs)}");
        var manifestPath = Path.Combine(datasetFolder, "_manifest.json");
        if (parts.Count > 0)
        {
            Assert.True(File.Exists(manifestPath) && File.Exists(Path.Combine(datasetFolder, "_SUCCESS")), $"{context}: {parts.Count} parts without a manifest and _SUCCESS");
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            var listed = manifest.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();
            var lake = datasetFolder[..datasetFolder.IndexOf(Path.DirectorySeparatorChar + "parquet" + Path.DirectorySeparatorChar, StringComparison.Ordinal)];
            Assert.Equal(listed, parts.Select(p => Path.GetRelativePath(lake, p).Replace(Path.DirectorySeparatorChar, '/')).ToList());
            Assert.Equal(manifest.RootElement.GetProperty("totalRows").GetInt64(), total);
        }

        return total;
    }

    /// <summary>The runs of a kind as the ops database holds them (read directly, not through a runner that would settle them).</summary>
    public static List<(Guid Id, string Status, string? Error)> Runs(string dataRoot, string kind)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataRoot, "ops.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status, error FROM job_runs WHERE kind = $kind ORDER BY queued_at";
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        var runs = new List<(Guid, string, string?)>();
        while (reader.Read())
        {
            runs.Add((Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return runs;
    }

    /// <summary>
    /// After a restart no run of the kind is left Queued or Running, none failed, and the ones the kills cut short
    /// are Interrupted with the crash's message. (A run killed while it still said Running may have committed and
    /// been recorded Succeeded just before: the kill then hit its process's exit.)
    /// </summary>
    public static void AllSettled(string dataRoot, string kind, IReadOnlyList<KillReport> kills, string context)
    {
        var runs = Runs(dataRoot, kind);
        var open = runs.Where(r => r.Status is "Queued" or "Running").ToList();
        Assert.True(open.Count == 0, $"{context}: {open.Count} {kind} run(s) still {string.Join(", ", open.Select(r => r.Status))} after a restart");
        var unexpected = runs.Where(r => r.Status is not ("Interrupted" or "Succeeded")).ToList();
        Assert.True(unexpected.Count == 0, $"{context}: {kind} runs ended {string.Join(", ", unexpected.Select(r => $"{r.Status}: {r.Error}"))}");
        var interrupted = runs.Where(r => r.Status == "Interrupted").ToList();
        Assert.True(interrupted.Count > 0 || kills.All(k => k.Phase != KillPhase.Running), $"{context}: runs were killed while running, none is marked Interrupted");
        Assert.All(interrupted, r => Assert.Contains("crash or kill", r.Error));
    }

    /// <summary>Files a crash can leave in the lake's staging areas (the store's temp files, conversion staging).</summary>
    public static List<string> StagingLeftovers(string dataRoot)
    {
        var lake = Path.Combine(dataRoot, "lake");
        return new[] { Path.Combine(lake, ".staging"), Path.Combine(lake, "ecomops-lake", "_staging") }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .ToList();
    }
}
