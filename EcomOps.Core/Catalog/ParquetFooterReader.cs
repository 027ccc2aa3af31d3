using System.Buffers.Binary;
using System.Globalization;
using EcomOps.Core.Storage;
using Parquet;
using Parquet.Meta;

namespace EcomOps.Core.Catalog;

/// <summary>What a Parquet file's footer says: its columns, rows, codec. Read from the footer alone.</summary>
/// <param name="Columns">Top-level columns in file order, with Athena/Glue types.</param>
/// <param name="BytesRead">Bytes fetched from the store to learn this: the footer and the 8 bytes that locate it.</param>
internal sealed record ParquetFooter(IReadOnlyList<CatalogColumn> Columns, long Rows, string Compression, long BytesRead);

/// <summary>A Parquet file whose footer cannot be read: truncated, not Parquet, or damaged.</summary>
public sealed class CorruptParquetException(string key, string problem)
    : IOException($"'{key}' is not a readable Parquet file: {problem}. It was skipped; replace or delete it and crawl again.")
{
    public string Key { get; } = key;
}

/// <summary>
/// Reads Parquet footers through two range reads (the last 8 bytes, then the footer), never the data: a crawl
/// costs in proportion to files, not to their size, on the local lake and on S3 alike.
/// </summary>
internal static class ParquetFooterReader
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    public static async Task<ParquetFooter> ReadAsync(IObjectStore store, ObjectInfo file, CancellationToken cancellationToken)
    {
        if (file.Size < 12)
        {
            throw new CorruptParquetException(file.Key, string.Create(CultureInfo.InvariantCulture, $"it has {file.Size} bytes, fewer than any Parquet file"));
        }

        var tail = await ReadRangeAsync(store, file, file.Size - 8, 8, cancellationToken).ConfigureAwait(false);
        if (!tail.AsSpan(4).SequenceEqual(Magic))
        {
            // Where and what the last bytes are tells a cut-off copy (data bytes) from a file that never was Parquet (text).
            throw new CorruptParquetException(file.Key, string.Create(CultureInfo.InvariantCulture,
                $"it does not end with the Parquet magic bytes: its last 4 bytes, at byte offset {file.Size - 4:N0} of {file.Size:N0}, are {Convert.ToHexString(tail.AsSpan(4))}, not PAR1 ({Convert.ToHexString(Magic)}), so it is truncated or not Parquet"));
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > file.Size - 12)
        {
            throw new CorruptParquetException(file.Key, string.Create(CultureInfo.InvariantCulture, $"its footer length {footerLength} does not fit in its {file.Size} bytes"));
        }

        var footerStart = file.Size - 8 - footerLength;
        var footer = await ReadRangeAsync(store, file, footerStart, footerLength, cancellationToken).ConfigureAwait(false);
        FileMetaData metadata;
        try
        {
            await using var view = new FooterOnlyStream(file.Size, footerStart, footer, tail);
            await using var reader = await ParquetReader.CreateAsync(view, null, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
            metadata = reader.Metadata ?? throw new InvalidDataException("no file metadata");
        }
        catch (Exception e) when (e is not OperationCanceledException and not CorruptParquetException)
        {
            throw new CorruptParquetException(file.Key, string.Create(CultureInfo.InvariantCulture,
                $"its footer (bytes {footerStart:N0} to {file.Size - 9:N0} of {file.Size:N0}) does not decode ({e.Message})"));
        }

        var codec = metadata.RowGroups.SelectMany(g => g.Columns).Select(c => c.MetaData?.Codec).FirstOrDefault(c => c is not null);
        return new ParquetFooter(ParquetTypes.Columns(metadata.Schema), metadata.NumRows, CodecName(codec), footerLength + 8L);
    }

    private static string CodecName(CompressionCodec? codec) => codec switch
    {
        null or CompressionCodec.UNCOMPRESSED => "none",
        CompressionCodec.LZ4_RAW => "lz4",
        _ => codec.Value.ToString().ToLowerInvariant(),
    };

    // Both reads are of the version listed: a file replaced between them fails with ObjectChangedException
    // instead of giving a footer that belongs to another file.
    private static async Task<byte[]> ReadRangeAsync(IObjectStore store, ObjectInfo file, long start, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        var range = new ByteRange(start, length);
        await using var stream = string.IsNullOrEmpty(file.ETag)
            ? await store.OpenReadAsync(file.Key, range, cancellationToken).ConfigureAwait(false)
            : await store.OpenReadIfMatchAsync(file.Key, file.ETag, range, cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }

    /// <summary>
    /// The file as Parquet.Net sees it while it reads the footer: the magic bytes at the start and the footer at
    /// the end are here; reading anything else is a bug in this reader, not a reason to fetch data.
    /// </summary>
    private sealed class FooterOnlyStream(long length, long footerStart, byte[] footer, byte[] tail) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= length || buffer.Length == 0)
            {
                return 0;
            }

            ReadOnlySpan<byte> source;
            if (_position < Magic.Length)
            {
                source = Magic.AsSpan((int)_position);
            }
            else if (_position >= footerStart && _position < length - 8)
            {
                source = footer.AsSpan((int)(_position - footerStart));
            }
            else if (_position >= length - 8)
            {
                source = tail.AsSpan((int)(_position - (length - 8)));
            }
            else
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The footer reader was asked for data at byte {_position}."));
            }

            var count = Math.Min(buffer.Length, source.Length);
            source[..count].CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Parquet's physical and logical types in Athena/Glue type names, from the footer's schema elements.</summary>
internal static class ParquetTypes
{
    public static IReadOnlyList<CatalogColumn> Columns(IReadOnlyList<SchemaElement> schema)
    {
        var columns = new List<CatalogColumn>();
        var index = 1;
        var count = schema.Count > 0 ? schema[0].NumChildren ?? 0 : 0;
        for (var i = 0; i < count && index < schema.Count; i++)
        {
            var (type, source, name) = Describe(schema, ref index);
            columns.Add(new CatalogColumn(name.ToLowerInvariant(), type, name, source));
        }

        return columns;
    }

    // Returns the Athena type, the Parquet type as Parquet names it, and the column's name; moves past its children.
    private static (string Athena, string Parquet, string Name) Describe(IReadOnlyList<SchemaElement> schema, ref int index)
    {
        var element = schema[index++];
        if (element.NumChildren is > 0 and var children)
        {
            var fields = new List<(string Athena, string Parquet, string Name)>();
            for (var i = 0; i < children; i++)
            {
                fields.Add(Describe(schema, ref index));
            }

            if (element.LogicalType?.LIST is not null || element.ConvertedType == ConvertedType.LIST)
            {
                // LIST wraps a repeated group whose one child is the element.
                var item = fields[0].Athena.StartsWith("struct<", StringComparison.Ordinal) && fields[0].Athena.Count(c => c == ':') == 1
                    ? fields[0].Athena["struct<".Length..^1].Split(':', 2)[1]
                    : fields[0].Athena;
                return ($"array<{item}>", "LIST", element.Name);
            }

            if (element.LogicalType?.MAP is not null || element.ConvertedType is ConvertedType.MAP or ConvertedType.MAP_KEY_VALUE)
            {
                var entry = fields[0].Athena;
                var inner = entry.StartsWith("struct<", StringComparison.Ordinal) ? entry["struct<".Length..^1] : entry;
                var parts = SplitTopLevel(inner).Select(p => p.Split(':', 2)[1]).ToList();
                return (parts.Count == 2 ? $"map<{parts[0]},{parts[1]}>" : $"map<string,{entry}>", "MAP", element.Name);
            }

            return ($"struct<{string.Join(",", fields.Select(f => $"{f.Name.ToLowerInvariant()}:{f.Athena}"))}>", "GROUP", element.Name);
        }

        return (Primitive(element), ParquetName(element), element.Name);
    }

    private static string Primitive(SchemaElement element)
    {
        var logical = element.LogicalType;
        if (logical?.DECIMAL is { } dec)
        {
            return $"decimal({dec.Precision},{dec.Scale})";
        }

        if (element.ConvertedType == ConvertedType.DECIMAL)
        {
            return string.Create(CultureInfo.InvariantCulture, $"decimal({element.Precision ?? 38},{element.Scale ?? 0})");
        }

        return element.Type switch
        {
            Parquet.Meta.Type.BOOLEAN => "boolean",
            Parquet.Meta.Type.INT32 when logical?.DATE is not null || element.ConvertedType == ConvertedType.DATE => "date",
            Parquet.Meta.Type.INT32 when logical?.INTEGER is { IsSigned: false } || element.ConvertedType is ConvertedType.UINT_32 => "bigint",
            Parquet.Meta.Type.INT32 when logical?.INTEGER is { BitWidth: 8 } || element.ConvertedType is ConvertedType.INT_8 or ConvertedType.UINT_8 => "tinyint",
            Parquet.Meta.Type.INT32 when logical?.INTEGER is { BitWidth: 16 } || element.ConvertedType is ConvertedType.INT_16 or ConvertedType.UINT_16 => "smallint",
            Parquet.Meta.Type.INT32 when logical?.TIME is not null || element.ConvertedType == ConvertedType.TIME_MILLIS => "string",
            Parquet.Meta.Type.INT32 => "int",
            Parquet.Meta.Type.INT64 when logical?.TIMESTAMP is not null || element.ConvertedType is ConvertedType.TIMESTAMP_MILLIS or ConvertedType.TIMESTAMP_MICROS => "timestamp",
            Parquet.Meta.Type.INT64 when logical?.TIME is not null || element.ConvertedType == ConvertedType.TIME_MICROS => "string",
            Parquet.Meta.Type.INT64 when logical?.INTEGER is { IsSigned: false } || element.ConvertedType == ConvertedType.UINT_64 => "decimal(20,0)",
            Parquet.Meta.Type.INT64 => "bigint",
            Parquet.Meta.Type.INT96 => "timestamp",
            Parquet.Meta.Type.FLOAT => "float",
            Parquet.Meta.Type.DOUBLE => "double",
            Parquet.Meta.Type.BYTE_ARRAY when logical?.STRING is not null || logical?.ENUM is not null || logical?.JSON is not null
                || element.ConvertedType is ConvertedType.UTF8 or ConvertedType.ENUM or ConvertedType.JSON => "string",
            Parquet.Meta.Type.FIXED_LEN_BYTE_ARRAY when logical?.UUID is not null => "string",
            _ => "binary",
        };
    }

    private static string ParquetName(SchemaElement element)
    {
        var physical = element.Type?.ToString() ?? "GROUP";
        var logical = element.LogicalType;
        var detail = logical switch
        {
            { DECIMAL: { } d } => $"DECIMAL({d.Precision},{d.Scale})",
            { TIMESTAMP: { } t } => $"TIMESTAMP({(t.Unit?.MILLIS is not null ? "MILLIS" : t.Unit?.NANOS is not null ? "NANOS" : "MICROS")}, isAdjustedToUTC={(t.IsAdjustedToUTC ? "true" : "false")})",
            { INTEGER: { } i } => string.Create(CultureInfo.InvariantCulture, $"INT({i.BitWidth}, {(i.IsSigned ? "signed" : "unsigned")})"),
            { DATE: not null } => "DATE",
            { STRING: not null } => "STRING",
            { TIME: not null } => "TIME",
            { UUID: not null } => "UUID",
            { JSON: not null } => "JSON",
            { ENUM: not null } => "ENUM",
            _ => element.ConvertedType?.ToString(),
        };
        return detail is null ? physical : $"{physical} {detail}";
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '<' => 1, '>' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
