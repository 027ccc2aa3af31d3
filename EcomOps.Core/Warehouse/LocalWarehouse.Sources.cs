using System.Text.Json;
using DuckDB.NET.Data;
using EcomOps.Core.Catalog;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Warehouse;

// The files a COPY reads: a prefix of the lake, or a manifest's entries; and the ones a table already holds.
internal sealed partial class LocalWarehouse
{
    // A prefix is a string match on keys, as on S3; the lake's own manifests and hidden files are not data.
    private async Task<IReadOnlyList<ObjectInfo>> SourceFilesAsync(CopySource source, CancellationToken cancellationToken)
    {
        var bucket = root.Value.LakeBucket;
        if (source.Bucket != bucket)
        {
            throw new LoadRefusedException($"{source.Uri} is not in the lake: the local warehouse reads s3://{bucket}/... (EcomOps:LakeBucket).");
        }

        RefuseBadKey(source);
        if (source.IsManifest)
        {
            return await ManifestFilesAsync(source, bucket, cancellationToken).ConfigureAwait(false);
        }

        var files = new List<ObjectInfo>();
        var empty = new List<string>();
        var listing = await lake.ListAsync(source.Key, null, cancellationToken).ConfigureAwait(false);
        foreach (var file in listing.Objects)
        {
            if (!TableFiles.IsHidden(file.Key[Math.Min(file.Key.Length, source.Key.LastIndexOf('/') + 1)..]))
            {
                if (file.Size > 0)
                {
                    files.Add(file);
                }
                else
                {
                    empty.Add($"s3://{bucket}/{file.Key}");
                }
            }
        }

        // Empty files are skipped, as Redshift skips them; when that leaves nothing, naming them says why.
        return files.Count > 0
            ? files
            : empty.Count > 0
                ? throw new LoadRefusedException($"Nothing to load at {source.Uri}: {string.Join(", ", empty.Take(5))}{(empty.Count > 5 ? $" and {empty.Count - 5} more" : "")} {(empty.Count == 1 ? "is" : "are")} empty (0 bytes). Upload the data again; nothing was loaded.")
                : throw new LoadRefusedException($"No files at {source.Uri}: check the prefix (it matches the start of keys, as on S3), or upload and convert the data first.");
    }

    private async Task<IReadOnlyList<ObjectInfo>> ManifestFilesAsync(CopySource source, string bucket, CancellationToken cancellationToken)
    {
        JsonDocument manifest;
        try
        {
            await using var stream = await lake.OpenReadAsync(source.Key, null, cancellationToken).ConfigureAwait(false);
            manifest = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            throw new LoadRefusedException($"The manifest {source.Uri} does not exist.");
        }
        catch (JsonException e)
        {
            throw new LoadRefusedException($"The manifest {source.Uri} is not JSON: {e.Message} It should be {{\"entries\": [{{\"url\": \"s3://{bucket}/...\", \"mandatory\": true}}]}}.");
        }

        using (manifest)
        {
            if (!manifest.RootElement.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new LoadRefusedException($"The manifest {source.Uri} has no \"entries\" array.");
            }

            var files = new List<ObjectInfo>();
            foreach (var entry in entries.EnumerateArray())
            {
                var url = entry.TryGetProperty("url", out var u) ? u.GetString() : null;
                var mandatory = entry.TryGetProperty("mandatory", out var m) && m.ValueKind == JsonValueKind.True;
                var file = url is null ? null : CopySource.TryFromUri(url);
                if (file is null || file.Bucket != bucket)
                {
                    throw new LoadRefusedException($"The manifest {source.Uri} names {url ?? "an entry without a url"}, which is not in the lake (s3://{bucket}/); the local warehouse reads only the lake.");
                }

                RefuseBadKey(file);
                var info = await lake.HeadAsync(file.Key, cancellationToken).ConfigureAwait(false);
                if (info is null)
                {
                    if (mandatory)
                    {
                        throw new LoadRefusedException($"The manifest {source.Uri} names {url}, marked mandatory, which does not exist.");
                    }

                    continue;
                }

                files.Add(info);
            }

            return files.Count > 0 ? files : throw new LoadRefusedException($"The manifest {source.Uri} names no file that exists.");
        }
    }

    // The COPY text is what a user typed: a key that could leave the lake is refused with the rule, before the store sees it.
    private static void RefuseBadKey(CopySource source)
    {
        if (source.Key.TrimEnd('/') is { Length: > 0 } key && ObjectKey.Problem(key) is { } problem)
        {
            throw new LoadRefusedException($"{source.Uri} is not a lake location: {problem}.");
        }
    }

    private static List<string> AlreadyLoaded(DuckDBConnection connection, string table, IReadOnlyList<ObjectInfo> files)
    {
        var loaded = new HashSet<(string, string)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT file_name, etag FROM main.ecomops_loaded_files WHERE table_name = $t";
            command.Parameters.Add(new DuckDBParameter("t", table));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                loaded.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return files.Where(f => loaded.Contains((f.Key, f.ETag))).Select(f => f.Key).ToList();
    }
}
