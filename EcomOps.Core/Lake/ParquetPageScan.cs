using Parquet.Meta;

namespace EcomOps.Core.Lake;

/// <summary>
/// Finds how many leading pages of a column chunk hold its first rows, from the page headers alone (Thrift
/// compact protocol), so a preview decodes those pages instead of the whole chunk: Parquet.Net 6 decodes a
/// column chunk whole, up to the chunk's value count, and has no page-level read.
/// </summary>
internal static class ParquetPageScan
{
    private const int DataPage = 0;
    private const int DictionaryPage = 2;
    private const int DataPageV2 = 3;

    // A page header is a few dozen bytes; statistics with long min/max strings make it larger. One that does not
    // fit here is not scanned (the chunk is read whole).
    private const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// The values and bytes (from the chunk's start, dictionary page included) of the leading pages that hold at
    /// least <paramref name="rows"/> values of a flat column, or null when that is the whole chunk or the headers
    /// cannot be read.
    /// </summary>
    public static async Task<(long Values, long Bytes)?> LeadingPagesAsync(Stream file, ColumnMetaData chunk, long rows, CancellationToken cancellationToken)
    {
        var start = chunk.DictionaryPageOffset is > 0 and var dictionary && dictionary < chunk.DataPageOffset ? dictionary : chunk.DataPageOffset;
        var end = start + chunk.TotalCompressedSize;
        var position = start;
        long values = 0;
        var buffer = new byte[MaxHeaderBytes];
        while (position < end)
        {
            file.Seek(position, SeekOrigin.Begin);
            var length = await file.ReadAtLeastAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - position)), 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (ReadHeader(buffer.AsSpan(0, length)) is not { } header)
            {
                return null;
            }

            position += header.Length + header.CompressedSize;
            if (header.Type is DataPage or DataPageV2)
            {
                values += header.Values;
                if (values >= rows)
                {
                    return position < end && values < chunk.NumValues ? (values, position - start) : null;
                }
            }
            else if (header.Type != DictionaryPage)
            {
                // An index page, or something newer: read the chunk the usual way.
                return null;
            }
        }

        return null;
    }

    /// <summary>A page header's type, compressed size, value count and own length, or null if it does not parse.</summary>
    internal static (int Type, long CompressedSize, long Values, int Length)? ReadHeader(ReadOnlySpan<byte> bytes)
    {
        var reader = new CompactReader(bytes);
        try
        {
            int type = -1;
            long compressed = -1;
            long values = -1;
            short field = 0;
            while (reader.FieldHeader(ref field) is var kind && kind != 0)
            {
                switch (field, kind)
                {
                    case (1, 5):
                        type = (int)reader.ZigZag();
                        break;
                    case (3, 5):
                        compressed = reader.ZigZag();
                        break;
                    case (5, 12):
                    case (8, 12):
                        // DataPageHeader and DataPageHeaderV2 both start with num_values (field 1, i32).
                        values = FirstI32(ref reader);
                        break;
                    default:
                        reader.Skip(kind);
                        break;
                }
            }

            return type >= 0 && compressed >= 0 && (values >= 0 || type is not (DataPage or DataPageV2))
                ? (type, compressed, values, reader.Position)
                : null;
        }
        catch (IndexOutOfRangeException)
        {
            return null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static long FirstI32(ref CompactReader reader)
    {
        long found = -1;
        short field = 0;
        while (reader.FieldHeader(ref field) is var kind && kind != 0)
        {
            if (field == 1 && kind == 5)
            {
                found = reader.ZigZag();
            }
            else
            {
                reader.Skip(kind);
            }
        }

        return found;
    }

    /// <summary>Just enough of the Thrift compact protocol to walk a struct and skip what it does not need.</summary>
    private ref struct CompactReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        /// <summary>Reads a field header: returns its type (0 at the struct's end) and updates the field id.</summary>
        public int FieldHeader(ref short field)
        {
            var header = _bytes[Position++];
            var kind = header & 0x0F;
            if (kind == 0)
            {
                return 0;
            }

            var delta = header >> 4;
            field = delta == 0 ? (short)ZigZag() : (short)(field + delta);
            return kind;
        }

        public long ZigZag()
        {
            var raw = Varint();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        public void Skip(int kind)
        {
            switch (kind)
            {
                case 1 or 2:
                    // A struct field's boolean lives in its header.
                    break;
                case 3:
                    Position++;
                    break;
                case 4 or 5 or 6:
                    Varint();
                    break;
                case 7:
                    Position += 8;
                    break;
                case 8:
                    Position += checked((int)Varint());
                    break;
                case 9 or 10:
                    var list = _bytes[Position++];
                    var size = list >> 4 == 15 ? (long)Varint() : list >> 4;
                    for (var i = 0; i < size; i++)
                    {
                        SkipElement(list & 0x0F);
                    }

                    break;
                case 11:
                    var entries = (long)Varint();
                    if (entries > 0)
                    {
                        var types = _bytes[Position++];
                        for (var i = 0; i < entries; i++)
                        {
                            SkipElement(types >> 4);
                            SkipElement(types & 0x0F);
                        }
                    }

                    break;
                case 12:
                    short field = 0;
                    while (FieldHeader(ref field) is var inner && inner != 0)
                    {
                        Skip(inner);
                    }

                    break;
                default:
                    throw new InvalidDataException($"Unknown Thrift compact type {kind}.");
            }
        }

        // In lists, sets and maps a boolean takes a byte of its own.
        private void SkipElement(int kind)
        {
            if (kind is 1 or 2)
            {
                Position++;
            }
            else
            {
                Skip(kind);
            }
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException("A Thrift varint is longer than 64 bits.");
        }
    }
}
