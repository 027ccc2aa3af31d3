using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Query;
using EcomOps.Core.Storage;
using EcomOps.Core.Warehouse;

namespace EcomOps.Core.Overview;

// What the lineage reads from the warehouse, the lake and the manifests, each read once per build.
internal sealed partial class LineageBuilder
{
    /// <summary>Per load, the files it read (<c>stl_load_commits</c>, as on Redshift) and their ETags where the warehouse keeps them.</summary>
    private async Task<Dictionary<long, List<LoadedFile>>?> LoadedFilesAsync(IReadOnlyList<LoadFact> loads, CancellationToken cancellationToken)
    {
        if (loads.Count == 0)
        {
            return [];
        }

        var ids = string.Join(", ", loads.Select(l => l.Entry.QueryId.ToString(CultureInfo.InvariantCulture)));
        var commitsSql = $"SELECT 'c', query, filename, lines_scanned, NULL FROM stl_load_commits WHERE query IN ({ids})";
        QueryResult result;
        try
        {
            // The local warehouse also keeps each loaded file's ETag (whether the file is still the one loaded): read in the
            // same query, since each warehouse query opens the file anew.
            result = await warehouse.QueryAsync(
                $"{commitsSql} UNION ALL SELECT 'f', query_id, file_name, NULL, etag FROM ecomops_loaded_files WHERE query_id IN ({ids})", 200_000, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            try
            {
                // Redshift keeps no ETags: files are then named without saying whether they changed since.
                result = await warehouse.QueryAsync(commitsSql, 100_000, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                // Redshift before its engine exists, or a local file another process holds: the loads are still named.
                _notes.Add("The warehouse's per-file load record (stl_load_commits) could not be read, so the files each load read are those its source held: " + again.Message);
                return null;
            }
        }

        var etags = result.Rows.Where(r => (string)r[0]! == "f")
            .ToLookup(r => (Convert.ToInt64(r[1], CultureInfo.InvariantCulture), (string)r[2]!), r => (string?)r[4])
            .ToDictionary(g => g.Key, g => g.First());
        var commits = result.Rows.Where(r => (string)r[0]! == "c").OrderBy(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture)).ThenBy(r => (string)r[2]!, StringComparer.Ordinal);
        var files = new Dictionary<long, List<LoadedFile>>();
        foreach (var row in commits)
        {
            var queryId = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
            var uri = ((string)row[2]!).Trim();
            var key = CopySource.TryFromUri(uri)?.Key ?? uri;
            files.GetOrAdd(queryId).Add(new LoadedFile(key, row[3] is null ? null : Convert.ToInt64(row[3], CultureInfo.InvariantCulture), etags.GetValueOrDefault((queryId, key))));
        }

        return files;
    }

    /// <summary>
    /// The loaded files as they are now: one listing per dataset folder they are in (<c>parquet/&lt;dataset&gt;/</c>, partitions
    /// and all), not per load source, which may be a manifest rather than their folder.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, ObjectInfo>> CurrentObjectsAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var objects = new Dictionary<string, ObjectInfo>(StringComparer.Ordinal);
        foreach (var prefix in keys.Select(DatasetFolder).Distinct(StringComparer.Ordinal))
        {
            foreach (var info in (await store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false)).Objects)
            {
                objects.TryAdd(info.Key, info);
            }
        }

        return objects;
    }

    private async Task<ConversionManifest?> ManifestAsync(string dataset, CancellationToken cancellationToken)
    {
        try
        {
            return await ConversionManifest.ReadAsync(store, dataset, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            _notes.Add(e.Message);
            return null;
        }
    }

    private sealed record LoadedFile(string Key, long? Rows, string? ETag);
}
