using System.Buffers.Binary;
using System.Text;

namespace EcomOps.LoadTest.Circuits;

/// <summary>The kinds of frame a render batch carries (Blazor's RenderTreeFrameType; the values are the wire's).</summary>
internal enum FrameType
{
    Element = 1,
    Text = 2,
    Attribute = 3,
    Component = 4,
    Region = 5,
    ElementReferenceCapture = 6,
    Markup = 8,
    NamedEvent = 10,
}

/// <summary>The kinds of edit in a component's diff (Blazor's RenderTreeEditType).</summary>
internal enum EditType
{
    PrependFrame = 1,
    RemoveFrame = 2,
    SetAttribute = 3,
    RemoveAttribute = 4,
    UpdateText = 5,
    StepIn = 6,
    StepOut = 7,
    UpdateMarkup = 8,
    PermutationListEntry = 9,
    PermutationListEnd = 10,
}

/// <summary>
/// One frame. Which fields mean something depends on <see cref="Type"/>: element (Name, SubtreeLength),
/// text and markup (Text), attribute (Name, Text as its value, EventHandlerId), component (ComponentId,
/// SubtreeLength), region (SubtreeLength).
/// </summary>
internal readonly record struct Frame(FrameType Type, int SubtreeLength, int ComponentId, string? Name, string? Text, ulong EventHandlerId)
{
    /// <summary>How many frames after this one belong to it (the browser's countDescendantFrames).</summary>
    public int Descendants => Type is FrameType.Element or FrameType.Component or FrameType.Region ? SubtreeLength - 1 : 0;
}

internal readonly record struct Edit(EditType Type, int SiblingIndex, int FrameIndex, string? RemovedAttributeName);

internal sealed record ComponentDiff(int ComponentId, IReadOnlyList<Edit> Edits);

/// <summary>
/// A render batch as the server sends it to a browser (<c>JS.RenderBatch</c>): decoded the way blazor.web.js's
/// OutOfProcessRenderBatch reads it. All integers little-endian; the last five int32s give where the updated
/// components, reference frames, disposed component ids, disposed event handler ids and string table start.
/// </summary>
internal sealed record RenderBatch(IReadOnlyList<ComponentDiff> Diffs, IReadOnlyList<Frame> Frames, IReadOnlyList<int> DisposedComponentIds)
{
    private const int FrameLength = 20;
    private const int EditLength = 16;

    public static RenderBatch Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < 20)
        {
            throw new InvalidDataException($"A render batch of {data.Length} bytes is too short for its 20-byte trailer.");
        }

        var end = data.Length;
        var updatedComponents = Int(data, end - 20);
        var referenceFrames = Int(data, end - 16);
        var disposedComponents = Int(data, end - 12);
        var stringTable = Int(data, end - 4);
        var strings = new Dictionary<int, string?>();

        string? String(ReadOnlySpan<byte> bytes, int index)
        {
            if (index == -1)
            {
                return null;
            }

            if (!strings.TryGetValue(index, out var value))
            {
                var at = Int(bytes, stringTable + (index * 4));
                var length = ReadLeb128(bytes, ref at);
                value = Encoding.UTF8.GetString(bytes.Slice(at, length));
                strings[index] = value;
            }

            return value;
        }

        var frameCount = Int(data, referenceFrames);
        var frames = new Frame[frameCount];
        for (var i = 0; i < frameCount; i++)
        {
            var at = referenceFrames + 4 + (i * FrameLength);
            var type = (FrameType)Int(data, at);
            frames[i] = type switch
            {
                FrameType.Element => new Frame(type, Int(data, at + 4), 0, String(data, Int(data, at + 8)), null, 0),
                FrameType.Text or FrameType.Markup => new Frame(type, 1, 0, null, String(data, Int(data, at + 4)), 0),
                FrameType.Attribute => new Frame(type, 1, 0, String(data, Int(data, at + 4)), String(data, Int(data, at + 8)),
                    BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 12)..])),
                FrameType.Component => new Frame(type, Int(data, at + 4), Int(data, at + 8), null, null, 0),
                FrameType.Region => new Frame(type, Int(data, at + 4), 0, null, null, 0),
                _ => new Frame(type, 1, 0, null, null, 0),
            };
        }

        var diffCount = Int(data, updatedComponents);
        var diffs = new ComponentDiff[diffCount];
        for (var i = 0; i < diffCount; i++)
        {
            var at = Int(data, updatedComponents + 4 + (i * 4));
            var editCount = Int(data, at + 4);
            var edits = new Edit[editCount];
            for (var e = 0; e < editCount; e++)
            {
                var edit = at + 8 + (e * EditLength);
                edits[e] = new Edit((EditType)Int(data, edit), Int(data, edit + 4), Int(data, edit + 8), String(data, Int(data, edit + 12)));
            }

            diffs[i] = new ComponentDiff(Int(data, at), edits);
        }

        var disposedCount = Int(data, disposedComponents);
        var disposed = new int[disposedCount];
        for (var i = 0; i < disposedCount; i++)
        {
            disposed[i] = Int(data, disposedComponents + 4 + (i * 4));
        }

        return new RenderBatch(diffs, frames, disposed);
    }

    private static int Int(ReadOnlySpan<byte> data, int at) => BinaryPrimitives.ReadInt32LittleEndian(data[at..]);

    // .NET's BinaryWriter prefixes strings with their UTF-8 length in 7-bit groups, low group first.
    private static int ReadLeb128(ReadOnlySpan<byte> data, ref int at)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
