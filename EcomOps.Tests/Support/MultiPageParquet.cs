using System.Buffers.Binary;
using System.Text;

namespace EcomOps.Tests.Support;

/// <summary>
/// Writes a Parquet file of one row group whose column chunks are split into many data pages, the shape Spark
/// (and so Glue) and parquet-mr write (about 1 MB pages). Neither Parquet.Net 6 nor DuckDB 1.5 writes more than
/// one page per chunk at these sizes, so the file is laid out here by hand: two required columns, ID (INT64) =
/// row number and Name (UTF-8) = "name-" + row number, PLAIN encoding, uncompressed, format per parquet.thrift.
/// </summary>
public static class MultiPageParquet
{
    public static void Write(string path, int rows, int rowsPerPage)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write("PAR1"u8);
        var id = WriteChunk(file, rows, rowsPerPage, (row, values) =>
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, row);
            values.Write(bytes);
        });
        var name = WriteChunk(file, rows, rowsPerPage, (row, values) =>
        {
            var text = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"name-{row}"));
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, text.Length);
            values.Write(length);
            values.Write(text);
        });

        var footer = new Compact();
        footer.I32(1, 1);
        footer.List(2, 3, i =>
        {
            switch (i)
            {
                case 0:
                    footer.Str(4, "schema");
                    footer.I32(5, 2);
                    break;
                case 1:
                    footer.I32(1, 2); // INT64
                    footer.I32(3, 0); // REQUIRED
                    footer.Str(4, "ID");
                    break;
                default:
                    footer.I32(1, 6); // BYTE_ARRAY
                    footer.I32(3, 0);
                    footer.Str(4, "Name");
                    footer.I32(6, 0); // UTF8
                    break;
            }
        });
        footer.I64(3, rows);
        footer.List(4, 1, _ =>
        {
            footer.List(1, 2, c =>
            {
                var (start, size, column, type) = c == 0 ? (id.Start, id.Size, "ID", 2) : (name.Start, name.Size, "Name", 6);
                footer.I64(2, start);
                footer.Struct(3, () =>
                {
                    footer.I32(1, type);
                    footer.I32List(2, [0]); // PLAIN
                    footer.StrList(3, [column]);
                    footer.I32(4, 0); // UNCOMPRESSED
                    footer.I64(5, rows);
                    footer.I64(6, size);
                    footer.I64(7, size);
                    footer.I64(9, start);
                });
            });
            footer.I64(2, id.Size + name.Size);
            footer.I64(3, rows);
        });
        footer.Str(6, "EcomOps.Tests MultiPageParquet");
        footer.Stop();

        var bytes = footer.ToArray();
        file.Write(bytes);
        Span<byte> footerLength = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(footerLength, bytes.Length);
        file.Write(footerLength);
        file.Write("PAR1"u8);
    }

    private static (long Start, long Size) WriteChunk(Stream file, int rows, int rowsPerPage, Action<long, Stream> writeValue)
    {
        var start = file.Position;
        for (var first = 1; first <= rows; first += rowsPerPage)
        {
            var count = Math.Min(rowsPerPage, rows - first + 1);
            using var values = new MemoryStream();
            for (long row = first; row < first + count; row++)
            {
                writeValue(row, values);
            }

            var header = new Compact();
            header.I32(1, 0); // DATA_PAGE
            header.I32(2, (int)values.Length);
            header.I32(3, (int)values.Length);
            header.Struct(5, () =>
            {
                header.I32(1, count);
                header.I32(2, 0); // PLAIN
                header.I32(3, 3); // RLE
                header.I32(4, 3);
            });
            header.Stop();
            file.Write(header.ToArray());
            values.Position = 0;
            values.CopyTo(file);
        }

        return (start, file.Position - start);
    }

    /// <summary>The Thrift compact protocol, as much as a footer and page headers need.</summary>
    private sealed class Compact
    {
        private readonly MemoryStream _out = new();
        private readonly Stack<short> _last = new([0]);

        public byte[] ToArray() => _out.ToArray();

        public void I32(short id, int value)
        {
            Field(id, 5);
            Varint(ZigZag(value));
        }

        public void I64(short id, long value)
        {
            Field(id, 6);
            Varint(ZigZag(value));
        }

        public void Str(short id, string value)
        {
            Field(id, 8);
            Binary(value);
        }

        public void Struct(short id, Action body)
        {
            Field(id, 12);
            _last.Push(0);
            body();
            Stop();
        }

        /// <summary>A list of <paramref name="count"/> structs, each written by <paramref name="element"/>.</summary>
        public void List(short id, int count, Action<int> element)
        {
            Field(id, 9);
            ListHeader(count, 12);
            for (var i = 0; i < count; i++)
            {
                _last.Push(0);
                element(i);
                Stop();
            }
        }

        public void I32List(short id, int[] values)
        {
            Field(id, 9);
            ListHeader(values.Length, 5);
            foreach (var value in values)
            {
                Varint(ZigZag(value));
            }
        }

        public void StrList(short id, string[] values)
        {
            Field(id, 9);
            ListHeader(values.Length, 8);
            foreach (var value in values)
            {
                Binary(value);
            }
        }

        public void Stop()
        {
            _out.WriteByte(0);
            _last.Pop();
        }

        private void Field(short id, int type)
        {
            var delta = id - _last.Pop();
            _last.Push(id);
            if (delta is > 0 and <= 15)
            {
                _out.WriteByte((byte)((delta << 4) | type));
            }
            else
            {
                _out.WriteByte((byte)type);
                Varint(ZigZag(id));
            }
        }

        private void ListHeader(int count, int type)
        {
            if (count < 15)
            {
                _out.WriteByte((byte)((count << 4) | type));
            }
            else
            {
                _out.WriteByte((byte)(0xF0 | type));
                Varint((ulong)count);
            }
        }

        private void Binary(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Varint((ulong)bytes.Length);
            _out.Write(bytes);
        }

        private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _out.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _out.WriteByte((byte)value);
        }
    }
}
