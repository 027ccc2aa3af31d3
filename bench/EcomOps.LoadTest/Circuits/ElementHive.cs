using System.Text;

namespace EcomOps.LoadTest.Circuits;

internal enum NodeKind
{
    Root,
    Component,
    Element,
    Text,
    Markup,
}

/// <summary>
/// A node of the page as the circuit client sees it: the browser's logical tree, where a component is a
/// container of its rendered nodes and a region's frames are flattened into its parent.
/// </summary>
internal sealed class Node(NodeKind kind, string? name = null, string? text = null)
{
    public NodeKind Kind { get; } = kind;

    /// <summary>The element's tag name.</summary>
    public string? Name { get; } = name;

    /// <summary>A text node's text or a markup node's HTML.</summary>
    public string? Text { get; set; } = text;

    public Node? Parent { get; set; }

    public List<Node> Children { get; } = [];

    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Event name (click, change, input...) to the handler id the server gave it.</summary>
    public Dictionary<string, ulong> Events { get; } = new(StringComparer.Ordinal);

    public string? Attribute(string name) => Attributes.GetValueOrDefault(name);

    public bool HasClass(string name) =>
        Attributes.TryGetValue("class", out var classes) && classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(name, StringComparer.Ordinal);

    public string TextContent()
    {
        var text = new StringBuilder();
        AppendText(this, text);
        return text.ToString();

        static void AppendText(Node node, StringBuilder text)
        {
            if (node.Kind is NodeKind.Text or NodeKind.Markup)
            {
                text.Append(node.Text);
            }

            foreach (var child in node.Children)
            {
                AppendText(child, text);
            }
        }
    }

    public IEnumerable<Node> Descendants()
    {
        var pending = new Stack<Node>();
        pending.Push(this);
        while (pending.TryPop(out var node))
        {
            yield return node;
            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                pending.Push(node.Children[i]);
            }
        }
    }

    public void Insert(int index, Node child)
    {
        child.Parent = this;
        Children.Insert(index, child);
    }
}

/// <summary>
/// The page built from render batches, applying each component's edits as blazor.web.js's BrowserRenderer does to
/// the DOM, so the client can find elements by text or attribute and the event handler ids to dispatch to them.
/// </summary>
internal sealed class ElementHive
{
    private readonly Dictionary<int, Node> _components = [];

    public Node Root { get; } = new(NodeKind.Root);

    /// <summary><c>JS.AttachComponent</c>: a root component's rendered nodes go in a new container under the page.</summary>
    public void AttachRootComponent(int componentId)
    {
        var container = new Node(NodeKind.Component);
        Root.Insert(Root.Children.Count, container);
        _components[componentId] = container;
    }

    public void Apply(RenderBatch batch)
    {
        foreach (var diff in batch.Diffs)
        {
            if (!_components.TryGetValue(diff.ComponentId, out var container))
            {
                throw new InvalidDataException($"The batch updates component {diff.ComponentId}, which no earlier frame placed in the page.");
            }

            ApplyEdits(batch.Frames, container, diff.Edits);
        }

        foreach (var id in batch.DisposedComponentIds)
        {
            _components.Remove(id);
        }
    }

    private void ApplyEdits(IReadOnlyList<Frame> frames, Node parent, IReadOnlyList<Edit> edits)
    {
        List<(int From, int To)>? permutation = null;
        foreach (var edit in edits)
        {
            switch (edit.Type)
            {
                case EditType.PrependFrame:
                    InsertFrame(frames, parent, edit.SiblingIndex, edit.FrameIndex);
                    break;
                case EditType.RemoveFrame:
                    parent.Children.RemoveAt(edit.SiblingIndex);
                    break;
                case EditType.SetAttribute:
                    ApplyAttribute(parent.Children[edit.SiblingIndex], frames[edit.FrameIndex]);
                    break;
                case EditType.RemoveAttribute:
                    var element = parent.Children[edit.SiblingIndex];
                    var name = edit.RemovedAttributeName ?? "";
                    element.Attributes.Remove(name);
                    element.Events.Remove(EventName(name));
                    break;
                case EditType.UpdateText:
                    parent.Children[edit.SiblingIndex].Text = frames[edit.FrameIndex].Text;
                    break;
                case EditType.UpdateMarkup:
                    parent.Children[edit.SiblingIndex] = new Node(NodeKind.Markup, text: frames[edit.FrameIndex].Text) { Parent = parent };
                    break;
                case EditType.StepIn:
                    parent = parent.Children[edit.SiblingIndex];
                    break;
                case EditType.StepOut:
                    parent = parent.Parent ?? throw new InvalidDataException("A diff stepped out above its component.");
                    break;
                case EditType.PermutationListEntry:
                    (permutation ??= []).Add((edit.SiblingIndex, edit.FrameIndex));
                    break;
                case EditType.PermutationListEnd:
                    var moved = permutation!.Select(p => (p.To, Node: parent.Children[p.From])).ToList();
                    foreach (var (to, node) in moved)
                    {
                        parent.Children[to] = node;
                    }

                    permutation = null;
                    break;
                default:
                    throw new InvalidDataException($"Unknown render tree edit type {(int)edit.Type}.");
            }
        }
    }

    /// <summary>Inserts the frame at <paramref name="frameIndex"/> and returns how many logical children it added.</summary>
    private int InsertFrame(IReadOnlyList<Frame> frames, Node parent, int childIndex, int frameIndex)
    {
        var frame = frames[frameIndex];
        switch (frame.Type)
        {
            case FrameType.Element:
                var element = new Node(NodeKind.Element, frame.Name);
                parent.Insert(childIndex, element);
                var end = frameIndex + frame.SubtreeLength;
                var child = frameIndex + 1;
                for (; child < end && frames[child].Type == FrameType.Attribute; child++)
                {
                    ApplyAttribute(element, frames[child]);
                }

                InsertRange(frames, element, 0, child, end);
                return 1;
            case FrameType.Text:
                parent.Insert(childIndex, new Node(NodeKind.Text, text: frame.Text));
                return 1;
            case FrameType.Markup:
                parent.Insert(childIndex, new Node(NodeKind.Markup, text: frame.Text));
                return 1;
            case FrameType.Component:
                var container = new Node(NodeKind.Component);
                parent.Insert(childIndex, container);
                _components[frame.ComponentId] = container;
                return 1;
            case FrameType.Region:
                return InsertRange(frames, parent, childIndex, frameIndex + 1, frameIndex + frame.SubtreeLength);
            case FrameType.ElementReferenceCapture or FrameType.NamedEvent:
                return 0;
            default:
                throw new InvalidDataException($"Frame type {frame.Type} cannot be inserted as a child.");
        }
    }

    private int InsertRange(IReadOnlyList<Frame> frames, Node parent, int childIndex, int start, int endExclusive)
    {
        var first = childIndex;
        for (var index = start; index < endExclusive; index++)
        {
            childIndex += InsertFrame(frames, parent, childIndex, index);
            index += frames[index].Descendants;
        }

        return childIndex - first;
    }

    private static void ApplyAttribute(Node element, Frame attribute)
    {
        var name = attribute.Name ?? "";
        if (attribute.EventHandlerId != 0)
        {
            element.Events[EventName(name)] = attribute.EventHandlerId;
        }
        else if (attribute.Text is { } value)
        {
            element.Attributes[name] = value;
        }
        else
        {
            element.Attributes.Remove(name);
        }
    }

    private static string EventName(string attributeName) =>
        attributeName.StartsWith("on", StringComparison.Ordinal) ? attributeName[2..] : attributeName;
}
