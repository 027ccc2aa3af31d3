using System.Text.Json;
using System.Text.Json.Serialization;
using EcomOps.Core.Storage;

namespace EcomOps.Core.Conversion;

/// <summary>
/// <c>parquet/&lt;dataset&gt;/_manifest.json</c>: what the dataset's committed Parquet output is. On the local
/// lake it appears together with the files it lists; on S3 it is written after them and is the commit point,
/// so S3 readers should open the files it lists rather than every object under the prefix.
/// </summary>
/// <param name="RunId">The run that wrote this manifest (the latest commit).</param>
/// <param name="Files">Every data file of the output: after an append, those of earlier runs too.</param>
/// <param name="Compression">Codec of this run's files (each file records its own too).</param>
/// <param name="Partitioning"><c>none</c> or <c>month</c> (<c>year=YYYY/month=MM/</c> folders).</param>
public sealed record ConversionManifest(
    int Version,
    Guid RunId,
    string Dataset,
    DateTimeOffset CreatedAt,
    string Mode,
    string Compression,
    string Partitioning,
    long TotalRows,
    long TotalBytes,
    IReadOnlyList<ManifestColumn> Schema,
    IReadOnlyList<ManifestFile> Files)
{
    /// <summary>The manifest format this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Name of the manifest object in the dataset's Parquet folder.</summary>
    public const string FileName = "_manifest.json";

    /// <summary>Name of the marker written last by a commit (Hadoop's convention).</summary>
    public const string SuccessFileName = "_SUCCESS";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The dataset's Parquet folder, such as <c>parquet/transactions_data/</c>.</summary>
    public static string PrefixOf(string dataset) => $"parquet/{dataset}/";

    /// <summary>The manifest's key for a dataset.</summary>
    public static string KeyOf(string dataset) => PrefixOf(dataset) + FileName;

    /// <summary>The dataset's committed manifest, or null when it has none.</summary>
    public static Task<ConversionManifest?> ReadAsync(IObjectStore store, string dataset, CancellationToken cancellationToken = default) =>
        ReadKeyAsync(store, KeyOf(dataset), cancellationToken);

    /// <summary>The manifest at <paramref name="key"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">It is there but is not a manifest.</exception>
    public static async Task<ConversionManifest?> ReadKeyAsync(IObjectStore store, string key, CancellationToken cancellationToken = default)
    {
        if (await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var stream = await store.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<ConversionManifest>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"'{key}' in {store.DisplayName} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{key}' in {store.DisplayName} is not a conversion manifest: {e.Message}", e);
        }
    }

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>One column of the Parquet schema.</summary>
/// <param name="PhysicalType">Parquet physical type, such as <c>INT64</c> or <c>BYTE_ARRAY</c>.</param>
/// <param name="LogicalType">Parquet logical type, such as <c>DECIMAL(10,2)</c> or <c>STRING</c>.</param>
public sealed record ManifestColumn(string Name, string PhysicalType, string LogicalType);

/// <summary>One data file of the output.</summary>
/// <param name="RunId">The run that wrote the file.</param>
public sealed record ManifestFile(string Key, long Rows, long Bytes, Guid RunId, string Compression);
