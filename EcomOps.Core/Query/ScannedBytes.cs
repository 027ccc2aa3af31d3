using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;

namespace EcomOps.Core.Query;

/// <summary>
/// The bytes a query scanned, as Athena bills them: for every Parquet scan in the query's profile, the compressed size
/// of the columns it read (projected or filtered on) in the files it read after partition pruning; for a CSV scan,
/// the files' sizes. DuckDB's own <c>total_bytes_read</c> counts almost none of a Parquet scan, so it is not used.
/// Row groups skipped by their statistics still count: the figure is what those files' columns hold, an upper bound
/// Athena's pruning can only lower.
/// </summary>
internal static class ScannedBytes
{
    /// <summary>The bytes scanned by the statement whose JSON profile is at <paramref name="profilePath"/>; null when there is no profile.</summary>
    /// <param name="tableFiles">The files of each table the query's views read: a profile lists only the first few files of a scan.</param>
    public static long? FromProfile(DuckDBConnection connection, string profilePath, IReadOnlyList<IReadOnlyList<string>> tableFiles, ILogger logger)
    {
        try
        {
            if (!File.Exists(profilePath))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(profilePath));
            long total = 0;
            foreach (var listed in Scans(document.RootElement))
            {
                var scan = listed with { Files = FilesRead(connection, listed, tableFiles) };
                total += scan.Function.StartsWith("READ_PARQUET", StringComparison.OrdinalIgnoreCase)
                    ? ParquetColumnBytes(connection, scan)
                    : scan.Files.Sum(f => new FileInfo(f) is { Exists: true } info ? info.Length : 0);
            }

            return total;
        }
        catch (Exception e) when (e is IOException or JsonException or DuckDBException or UnauthorizedAccessException)
        {
            logger.LogDebug(e, "Bytes scanned not known from the profile at {Profile}", profilePath);
            return null;
        }
    }

    private sealed record Scan(string Function, IReadOnlyList<string> Files, IReadOnlyList<string> Projections, string Filters, string FileFilters, bool Truncated);

    // The profile names a scan's files up to a few, then "...": the rest are the table's files its partition filters keep.
    private static IReadOnlyList<string> FilesRead(DuckDBConnection connection, Scan scan, IReadOnlyList<IReadOnlyList<string>> tableFiles)
    {
        if (!scan.Truncated || scan.Files.Count == 0 || tableFiles.FirstOrDefault(t => t.Contains(scan.Files[0])) is not { } all)
        {
            return scan.Files;
        }

        if (scan.FileFilters.Length == 0)
        {
            return all;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT filename FROM read_parquet([" + string.Join(", ", all.Select(AthenaSqlTranslator.Literal)) +
            "], hive_partitioning = true, hive_types_autocast = false, filename = true) WHERE " + scan.FileFilters;
        using var reader = command.ExecuteReader();
        var files = new List<string>();
        while (reader.Read())
        {
            files.Add(reader.GetString(0));
        }

        return files;
    }

    private static IEnumerable<Scan> Scans(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (node.TryGetProperty("extra_info", out var info) && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty("Function", out var function) && function.GetString() is { } name
            && (name.StartsWith("READ_PARQUET", StringComparison.OrdinalIgnoreCase) || name.StartsWith("READ_CSV", StringComparison.OrdinalIgnoreCase)))
        {
            var files = Text(info, "Filename(s)").Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var truncated = files.Count > 0 && files[^1] == "...";
            if (truncated)
            {
                files.RemoveAt(files.Count - 1);
            }

            yield return new Scan(name, files, Strings(info, "Projections"), Text(info, "Filters"), Text(info, "File Filters"), truncated);
        }

        if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in children.EnumerateArray())
            {
                foreach (var scan in Scans(child))
                {
                    yield return scan;
                }
            }
        }
    }

    // Each file's compressed bytes per column, from its footer, kept while the file is unchanged (a committed Parquet
    // file never changes; a replaced one has another size or time): later queries read no footer for the figure.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, long Length, DateTime Written), IReadOnlyDictionary<string, long>> Footers = new();

    // The footers say each column chunk's compressed size: what a reader of those columns fetches.
    private static long ParquetColumnBytes(DuckDBConnection connection, Scan scan)
    {
        if (scan.Files.Count == 0)
        {
            return 0;
        }

        var keys = scan.Files.Select(f => new FileInfo(f)).Select(i => (i.FullName, i.Exists ? i.Length : -1, i.Exists ? i.LastWriteTimeUtc : DateTime.MinValue)).ToList();
        var missing = keys.Where(k => !Footers.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT file_name, path_in_schema, CAST(sum(total_compressed_size) AS BIGINT) FROM parquet_metadata([" +
                string.Join(", ", missing.Select(k => AthenaSqlTranslator.Literal(k.Item1))) + "]) GROUP BY file_name, path_in_schema";
            var read = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var file = Path.GetFullPath(reader.GetString(0));
                    if (!read.TryGetValue(file, out var columns))
                    {
                        read[file] = columns = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
                    }

                    columns[reader.GetString(1)] = reader.GetInt64(2);
                }
            }

            foreach (var key in missing)
            {
                if (read.TryGetValue(key.Item1, out var columns))
                {
                    Footers[key] = columns;
                }
            }
        }

        var wanted = new HashSet<string>(scan.Projections, StringComparer.OrdinalIgnoreCase);
        long bytes = 0;
        foreach (var key in keys)
        {
            if (Footers.TryGetValue(key, out var columns))
            {
                bytes += columns.Where(c => wanted.Contains(c.Key) || MentionedIn(scan.Filters, c.Key)).Sum(c => c.Value);
            }
        }

        return bytes;
    }

    // A filter pushed into the scan reads its column even when the query does not return it.
    private static bool MentionedIn(string filters, string column)
    {
        for (var at = filters.IndexOf(column, StringComparison.OrdinalIgnoreCase); at >= 0; at = filters.IndexOf(column, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var before = at == 0 || !IsWordChar(filters[at - 1]);
            var after = at + column.Length >= filters.Length || !IsWordChar(filters[at + column.Length]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static string Text(JsonElement info, string name) =>
        info.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(v => v.ToString())),
            _ => value.ToString(),
        } : "";

    private static IReadOnlyList<string> Strings(JsonElement info, string name) =>
        !info.TryGetProperty(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.ToString()).ToList()
        : (value.GetString() ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
