using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EcomOps.Core.Aws;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Aws;

/// <summary>
/// The repository's copy of a service's official model (tools/aws-models/&lt;service&gt;.service-2.json): checks JSON we
/// send against input shapes, checks our record types against shapes, and makes response fixtures from output shapes.
/// </summary>
internal sealed class AwsModel
{
    private static readonly ConcurrentDictionary<string, AwsModel> Loaded = new();
    private readonly JsonElement _shapes;
    private readonly JsonElement _operations;

    private AwsModel(JsonDocument document)
    {
        Metadata = document.RootElement.GetProperty("metadata");
        _shapes = document.RootElement.GetProperty("shapes");
        _operations = document.RootElement.GetProperty("operations");
    }

    public JsonElement Metadata { get; }

    public static AwsModel For(AwsService service) =>
        Loaded.GetOrAdd(service.Name, name =>
            new AwsModel(JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tools", "aws-models", $"{name}.service-2.json")))));

    public bool HasOperation(string name) => _operations.TryGetProperty(name, out _);

    public string InputShape(string operation) => _operations.GetProperty(operation).GetProperty("input").GetProperty("shape").GetString()!;

    public string OutputShape(string operation) => _operations.GetProperty(operation).GetProperty("output").GetProperty("shape").GetString()!;

    public JsonElement Shape(string name) => _shapes.GetProperty(name);

    public IReadOnlyList<string> Required(string shape) =>
        Shape(shape).TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    /// <summary>What in <paramref name="value"/> AWS would reject against <paramref name="shape"/>: unknown members, wrong JSON types, missing required members, values outside an enum.</summary>
    public List<string> Validate(JsonElement value, string shape)
    {
        var problems = new List<string>();
        Validate(value, shape, shape, problems);
        return problems;
    }

    private void Validate(JsonElement value, string shapeName, string path, List<string> problems)
    {
        var shape = Shape(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says structure {shapeName}");
                    return;
                }

                var members = shape.GetProperty("members");
                foreach (var property in value.EnumerateObject())
                {
                    if (members.TryGetProperty(property.Name, out var member))
                    {
                        Validate(property.Value, member.GetProperty("shape").GetString()!, $"{path}.{property.Name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{property.Name}: not a member of {shapeName}");
                    }
                }

                problems.AddRange(Required(shapeName).Where(r => !value.TryGetProperty(r, out _)).Select(r => $"{path}.{r}: required by {shapeName}, missing"));
                break;
            case "list":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says list");
                    return;
                }

                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Validate(item, shape.GetProperty("member").GetProperty("shape").GetString()!, $"{path}[{index++}]", problems);
                }

                break;
            case "map":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says map");
                    return;
                }

                foreach (var entry in value.EnumerateObject())
                {
                    Validate(entry.Value, shape.GetProperty("value").GetProperty("shape").GetString()!, $"{path}[{entry.Name}]", problems);
                }

                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says string");
                }
                else if (shape.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == value.GetString()))
                {
                    problems.Add($"{path}: '{value.GetString()}' is not one of {shapeName}'s values");
                }

                break;
            case "integer" or "long":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _))
                {
                    problems.Add($"{path}: {value}, the model says {type}");
                }

                break;
            case "double" or "float" or "timestamp":
                // JSON 1.1 timestamps are epoch seconds, a number.
                if (value.ValueKind != JsonValueKind.Number)
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says {type}");
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{path}: {value.ValueKind}, the model says boolean");
                }

                break;
            case "blob":
                if (value.ValueKind != JsonValueKind.String || !Convert.TryFromBase64String(value.GetString()!, new byte[value.GetString()!.Length], out _))
                {
                    problems.Add($"{path}: not base64 text, the model says blob");
                }

                break;
            default:
                problems.Add($"{path}: shape type {type} is not handled by this check");
                break;
        }
    }

    /// <summary>
    /// A JSON value shaped by <paramref name="shape"/> with every member filled (structures nested deeper than a few
    /// levels are left empty, so recursive shapes end); a union gets one member, a different one per list item.
    /// </summary>
    public JsonNode Fixture(string shape, int variant = 0) => Fixture(shape, shape, 0, variant)!;

    private JsonNode? Fixture(string shapeName, string label, int depth, int variant)
    {
        var shape = Shape(shapeName);
        switch (shape.GetProperty("type").GetString())
        {
            case "structure":
                var result = new JsonObject();
                if (depth > 7)
                {
                    return result;
                }

                var members = shape.GetProperty("members").EnumerateObject().ToList();
                if (shape.TryGetProperty("union", out var union) && union.GetBoolean())
                {
                    members = [members[variant % members.Count]];
                }

                foreach (var member in members)
                {
                    result[member.Name] = Fixture(member.Value.GetProperty("shape").GetString()!, member.Name, depth + 1, variant);
                }

                return result;
            case "list":
                var item = shape.GetProperty("member").GetProperty("shape").GetString()!;
                return new JsonArray(Fixture(item, label, depth, variant), Fixture(item, label, depth, variant + 1));
            case "map":
                return new JsonObject { [$"{label}-key"] = Fixture(shape.GetProperty("value").GetProperty("shape").GetString()!, label, depth, variant) };
            case "string":
                return shape.TryGetProperty("enum", out var values)
                    ? values[variant % values.GetArrayLength()].GetString()
                    : string.Create(CultureInfo.InvariantCulture, $"{label}-{variant}");
            case "integer":
                return 7 + variant;
            case "long":
                return 1_234_567_890_123L + variant;
            case "double" or "float":
                return 2.5 + variant;
            case "boolean":
                return variant % 2 == 0;
            case "timestamp":
                return 1_700_000_000.125m + variant;
            case "blob":
                return Convert.ToBase64String([1, 2, (byte)variant]);
            default:
                throw new NotSupportedException($"shape type of {shapeName}");
        }
    }

    /// <summary>Where our record <paramref name="type"/> disagrees with <paramref name="shape"/>: a property that is not a member, or of another JSON type.</summary>
    public List<string> CheckRecord(Type type, string shape)
    {
        var problems = new List<string>();
        CheckRecord(type, shape, type.Name, problems);
        return problems;
    }

    public static IEnumerable<(PropertyInfo Property, string JsonName)> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => (p, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name));

    private void CheckRecord(Type type, string shapeName, string path, List<string> problems)
    {
        var shape = Shape(shapeName);
        if (shape.GetProperty("type").GetString() != "structure")
        {
            problems.Add($"{path}: a record, the model says {shape.GetProperty("type").GetString()}");
            return;
        }

        var members = shape.GetProperty("members");
        foreach (var (property, jsonName) in JsonProperties(type))
        {
            if (!members.TryGetProperty(jsonName, out var member))
            {
                problems.Add($"{path}.{jsonName}: not a member of {shapeName}");
                continue;
            }

            CheckMember(property.PropertyType, member.GetProperty("shape").GetString()!, $"{path}.{jsonName}", problems);
        }
    }

    private void CheckMember(Type type, string shapeName, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var shape = Shape(shapeName);
        var modelType = shape.GetProperty("type").GetString()!;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            if (modelType != "list")
            {
                problems.Add($"{path}: a list, the model says {modelType}");
                return;
            }

            CheckMember(type.GetGenericArguments()[0], shape.GetProperty("member").GetProperty("shape").GetString()!, $"{path}[]", problems);
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            if (modelType != "map")
            {
                problems.Add($"{path}: a map, the model says {modelType}");
                return;
            }

            CheckMember(type.GetGenericArguments()[1], shape.GetProperty("value").GetProperty("shape").GetString()!, $"{path}{{}}", problems);
            return;
        }

        var expected = type == typeof(string) ? "string"
            : type == typeof(int) ? "integer"
            : type == typeof(long) ? "long"
            : type == typeof(double) ? "double"
            : type == typeof(bool) ? "boolean"
            : type == typeof(DateTimeOffset) ? "timestamp"
            : type == typeof(byte[]) ? "blob"
            : "structure";
        if (expected == "structure" && modelType == "structure")
        {
            CheckRecord(type, shapeName, path, problems);
        }
        else if (expected != modelType)
        {
            problems.Add($"{path}: {type.Name} ({expected}), the model says {modelType}");
        }
    }
}
