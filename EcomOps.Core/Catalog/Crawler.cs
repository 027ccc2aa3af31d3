using System.Globalization;
using System.Text.RegularExpressions;
using EcomOps.Core.Conversion;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Catalog;

/// <summary>What a crawl found in one table folder.</summary>
/// <param name="Name">The table's name: the folder's, lower-cased, with anything but letters, digits and '_' made '_'.</param>
internal sealed record CrawledTable(
    string Name,
    string Location,
    string Classification,
    string Compression,
    IReadOnlyList<CatalogColumn> Columns,
    IReadOnlyList<CatalogColumn> PartitionKeys,
    IReadOnlyList<CatalogPartition> Partitions,
    long RecordCount,
    long SizeKey,
    long ObjectCount);

/// <summary>A file a crawl did not use, and why.</summary>
public sealed record SkippedFile(string Key, string Reason);

/// <summary>Everything one scan of the lake found, before it is compared with the catalog.</summary>
internal sealed record CrawlScan(
    IReadOnlyList<string> IncludePaths,
    IReadOnlyList<CrawledTable> Tables,
    IReadOnlyList<SkippedFile> Skipped,
    long BytesRead,
    long DataBytes,
    int FilesScanned,
    int FoldersScanned);

/// <summary>How far a scan is: files whose footer or header has been read, of those found.</summary>
internal readonly record struct CrawlProgress(int FilesDone, int FilesTotal, int FoldersDone, int FoldersTotal, long BytesRead);

/// <summary>
/// The local "Glue crawler": lists the include paths, makes one table per folder at the table level (the first
/// folder under an include path), discovers Hive partitions (<c>key=value/</c>) and reads schemas from Parquet
/// footers only (two range reads a file), or from a CSV's header and a typed sample of its first rows. Objects
/// whose path has a segment starting with <c>_</c> or <c>.</c> are ignored, as Athena ignores them; where a
/// folder has a conversion's <c>_manifest.json</c>, only the files it lists are trusted, and their row counts
/// come from it.
/// </summary>
internal sealed class Crawler(IObjectStore store)
{
    /// <summary>Where CSV tables are crawled from; their table names get a <c>raw_</c> prefix.</summary>
    public const string RawPrefix = "raw/";

    public async Task<CrawlScan> ScanAsync(CrawlOptions options, IProgress<CrawlProgress>? progress, CancellationToken cancellationToken)
    {
        var exclusions = (options.Exclusions ?? []).Select(Glob).ToList();
        var includes = options.EffectiveIncludePaths;
        var skipped = new List<SkippedFile>();
        var folders = new List<(string Include, string Folder, List<ObjectInfo> Files, ObjectInfo? Manifest)>();
        foreach (var include in includes)
        {
            var listing = await store.ListAsync(include, null, cancellationToken).ConfigureAwait(false);
            var byFolder = new Dictionary<string, (List<ObjectInfo> Files, ObjectInfo? Manifest)>(StringComparer.Ordinal);
            foreach (var item in listing.Objects)
            {
                var relative = item.Key[include.Length..];
                var slash = relative.IndexOf('/');
                if (slash < 0)
                {
                    // Directly in the include path, at no table's level.
                    if (!TableFiles.IsHidden(relative))
                    {
                        skipped.Add(new SkippedFile(item.Key, "not in a table folder: put each table's files in a folder of its own under " + include));
                    }

                    continue;
                }

                var folder = relative[..slash];
                var inFolder = relative[(slash + 1)..];
                if (!byFolder.TryGetValue(folder, out var entry))
                {
                    entry = ([], null);
                }

                if (inFolder == ConversionManifest.FileName)
                {
                    byFolder[folder] = (entry.Files, item);
                    continue;
                }

                if (TableFiles.IsHidden(relative) || exclusions.Any(e => e.IsMatch(relative) || e.IsMatch(item.Key)))
                {
                    continue;
                }

                entry.Files.Add(item);
                byFolder[folder] = entry;
            }

            folders.AddRange(byFolder.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (include, f.Key, f.Value.Files, f.Value.Manifest)));
        }

        var state = new ScanState(folders.Sum(f => f.Files.Count), folders.Count, progress);
        var tables = new List<CrawledTable>();
        foreach (var (include, folder, files, manifest) in folders)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var table = include.StartsWith(RawPrefix, StringComparison.Ordinal)
                ? await CsvTableAsync(include, folder, files, state, skipped, cancellationToken).ConfigureAwait(false)
                : await ParquetTableAsync(include, folder, files, manifest, state, skipped, cancellationToken).ConfigureAwait(false);
            if (table is not null)
            {
                tables.Add(table);
            }

            state.FolderDone();
        }

        return new CrawlScan(includes, tables, skipped, state.BytesRead, state.DataBytes, state.FilesDone, folders.Count);
    }

    private async Task<CrawledTable?> ParquetTableAsync(
        string include, string folder, List<ObjectInfo> files, ObjectInfo? manifestInfo, ScanState state, List<SkippedFile> skipped, CancellationToken cancellationToken)
    {
        var location = include + folder + "/";
        var parquet = new List<ObjectInfo>();
        foreach (var file in files)
        {
            if (file.Key.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                parquet.Add(file);
            }
            else
            {
                skipped.Add(new SkippedFile(file.Key, "not a .parquet file"));
                state.FileDone(0, 0);
            }
        }

        // A committed conversion's manifest says which files are the output: others are left over or in flight.
        Dictionary<string, ManifestFile>? trusted = null;
        if (manifestInfo is not null)
        {
            try
            {
                var manifest = await ConversionManifest.ReadKeyAsync(store, manifestInfo.Key, cancellationToken).ConfigureAwait(false);
                state.Read(manifestInfo.Size);
                trusted = manifest?.Files.ToDictionary(f => f.Key, StringComparer.Ordinal);
            }
            catch (InvalidDataException e)
            {
                skipped.Add(new SkippedFile(manifestInfo.Key, $"{e.Message}; the folder's files were read one by one instead"));
            }
        }

        var partitionKeys = (IReadOnlyList<string>?)null;
        var readSchemaOf = new HashSet<string>(StringComparer.Ordinal);
        var partitions = new Dictionary<string, (List<string> Values, long Objects, long Rows, long Bytes)>(StringComparer.Ordinal);
        var columns = new List<CatalogColumn>();
        var columnTypeAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var codecs = new HashSet<string>(StringComparer.Ordinal);
        long rows = 0, bytes = 0, objects = 0;
        foreach (var file in parquet.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (trusted is not null && !trusted.ContainsKey(file.Key))
            {
                skipped.Add(new SkippedFile(file.Key, $"not listed in {manifestInfo!.Key}: not part of the committed output"));
                state.FileDone(0, 0);
                continue;
            }

            var segments = file.Key[location.Length..].Split('/')[..^1];
            if (!TryPartition(segments, out var keys, out var values))
            {
                skipped.Add(new SkippedFile(file.Key, $"its folders {string.Join('/', segments)}/ are not Hive partitions (key=value)"));
                state.FileDone(0, 0);
                continue;
            }

            partitionKeys ??= keys;
            if (!partitionKeys.SequenceEqual(keys, StringComparer.Ordinal))
            {
                skipped.Add(new SkippedFile(file.Key, $"partitioned by {string.Join(", ", keys)}, the table's other files by {string.Join(", ", partitionKeys)}"));
                state.FileDone(0, 0);
                continue;
            }

            // Row counts of trusted files come from the manifest: one footer a partition gives the schema.
            var partition = string.Join('/', segments);
            var known = trusted?.GetValueOrDefault(file.Key);
            long fileRows;
            if (known is not null && !readSchemaOf.Add(partition))
            {
                fileRows = known.Rows;
                state.FileDone(0, file.Size);
            }
            else
            {
                readSchemaOf.Add(partition);
                ParquetFooter footer;
                try
                {
                    footer = await ParquetFooterReader.ReadAsync(store, file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is CorruptParquetException or ObjectChangedException or ObjectNotFoundException)
                {
                    // Broken, or replaced or deleted while the crawl ran: named, and the rest goes on.
                    skipped.Add(new SkippedFile(file.Key, e.Message));
                    state.FileDone(0, 0);
                    continue;
                }

                state.FileDone(footer.BytesRead, file.Size);
                fileRows = known?.Rows ?? footer.Rows;
                codecs.Add(footer.Compression);
                Merge(columns, columnTypeAt, footer.Columns, file.LastModified);
            }

            rows += fileRows;
            bytes += file.Size;
            objects++;
            var current = partitions.GetValueOrDefault(partition, (values, 0, 0, 0));
            partitions[partition] = (values, current.Objects + 1, current.Rows + fileRows, current.Bytes + file.Size);
        }

        if (objects == 0)
        {
            return null;
        }

        var keysTyped = (partitionKeys ?? []).Select(k => new CatalogColumn(k.ToLowerInvariant(), "string", k, "partition")).ToList();
        return new CrawledTable(
            TableName(folder),
            location,
            "parquet",
            codecs.Count == 1 ? codecs.Single() : "mixed",
            columns,
            keysTyped,
            partitions.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Where(p => p.Key.Length > 0)
                .Select(p => new CatalogPartition(p.Value.Values, location + p.Key + "/", p.Value.Objects, p.Value.Rows, p.Value.Bytes))
                .ToList(),
            rows,
            bytes,
            objects);
    }

    private async Task<CrawledTable?> CsvTableAsync(string include, string folder, List<ObjectInfo> files, ScanState state, List<SkippedFile> skipped, CancellationToken cancellationToken)
    {
        var csv = files.Where(f => f.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        foreach (var other in files.Except(csv))
        {
            skipped.Add(new SkippedFile(other.Key, "not a .csv file"));
            state.FileDone(0, 0);
        }

        CsvSample? sample = null;
        foreach (var file in csv)
        {
            var head = await CsvTableSampler.SampleAsync(store, file, cancellationToken).ConfigureAwait(false);
            state.FileDone(head.BytesRead, file.Size);
            if (head.Problem is not null)
            {
                skipped.Add(new SkippedFile(file.Key, head.Problem));
                continue;
            }

            if (sample is not null && !sample.Header.SequenceEqual(head.Header, StringComparer.Ordinal))
            {
                skipped.Add(new SkippedFile(file.Key, $"its header differs from {csv[0].Key}'s"));
                continue;
            }

            sample = sample is null ? head : sample with { EstimatedRows = sample.EstimatedRows + head.EstimatedRows, Bytes = sample.Bytes + head.Bytes, Files = sample.Files + 1 };
        }

        if (sample is null)
        {
            return null;
        }

        return new CrawledTable("raw_" + TableName(folder), include + folder + "/", "csv", "none", sample.Columns, [], [], sample.EstimatedRows, sample.Bytes, sample.Files);
    }

    // A column seen with two types takes the type of the newest file: the way the data is going.
    private static void Merge(List<CatalogColumn> columns, Dictionary<string, DateTimeOffset> typeAt, IReadOnlyList<CatalogColumn> found, DateTimeOffset modified)
    {
        foreach (var column in found)
        {
            var index = columns.FindIndex(c => c.Name == column.Name);
            if (index < 0)
            {
                columns.Add(column);
                typeAt[column.Name] = modified;
            }
            else if (columns[index].Type != column.Type && modified > typeAt[column.Name])
            {
                columns[index] = column;
                typeAt[column.Name] = modified;
            }
        }
    }

    private static bool TryPartition(string[] segments, out IReadOnlyList<string> keys, out List<string> values)
    {
        var k = new List<string>();
        values = [];
        foreach (var segment in segments)
        {
            var equals = segment.IndexOf('=');
            if (equals <= 0)
            {
                keys = k;
                return false;
            }

            k.Add(segment[..equals]);
            values.Add(Uri.UnescapeDataString(segment[(equals + 1)..]));
        }

        keys = k;
        return true;
    }

    /// <summary>Glue's table names: lower case, letters, digits and '_'.</summary>
    internal static string TableName(string folder)
    {
        var name = new string(folder.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
        return name.Length == 0 ? "_" : name;
    }

    /// <summary>Glue's exclusion globs: <c>*</c> within a folder, <c>**</c> across folders, <c>?</c> one character.</summary>
    internal static Regex Glob(string pattern)
    {
        var regex = Regex.Escape(pattern.Trim())
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{regex}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private sealed class ScanState(int filesTotal, int foldersTotal, IProgress<CrawlProgress>? progress)
    {
        public int FilesDone { get; private set; }

        public long BytesRead { get; private set; }

        public long DataBytes { get; private set; }

        private int _foldersDone;

        public void Read(long bytes) => BytesRead += bytes;

        public void FileDone(long bytesRead, long dataBytes)
        {
            FilesDone++;
            BytesRead += bytesRead;
            DataBytes += dataBytes;
            progress?.Report(new CrawlProgress(FilesDone, filesTotal, _foldersDone, foldersTotal, BytesRead));
        }

        public void FolderDone()
        {
            _foldersDone++;
            progress?.Report(new CrawlProgress(FilesDone, filesTotal, _foldersDone, foldersTotal, BytesRead));
        }
    }
}
