using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Aws.Glue;
using EcomOps.Core.Aws.RedshiftData;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Aws;

/// <summary>
/// Every operation the typed clients call, checked against the repository's copy of the official service model: the
/// request the client puts on the wire is one AWS would accept, and answers shaped like the model parse into our records.
/// </summary>
public sealed class AwsModelConformanceTests
{
    private static readonly Type[] Clients = [typeof(GlueClient), typeof(AthenaClient), typeof(RedshiftDataClient)];

    public static TheoryData<string> Operations() => [.. AwsOperations.Json.Select(o => o.Action)];

    [Fact]
    public void TypedClients_CallExactlyTheListedOperations()
    {
        var methods = Clients.SelectMany(ClientOperations).Select(m => m.Operation.Action).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(AwsOperations.Json.Select(o => o.Action).Order(StringComparer.Ordinal), methods);
    }

    [Fact]
    public void ServiceNames_MatchTheModelsMetadata()
    {
        foreach (var service in new[] { AwsService.Glue, AwsService.Athena, AwsService.RedshiftData })
        {
            var metadata = AwsModel.For(service).Metadata;
            Assert.Equal("json", metadata.GetProperty("protocol").GetString());
            Assert.Equal("1.1", metadata.GetProperty("jsonVersion").GetString());
            Assert.Equal(metadata.GetProperty("targetPrefix").GetString(), service.TargetPrefix);
            Assert.Equal(metadata.GetProperty("endpointPrefix").GetString(), service.EndpointPrefix);
            var signingName = metadata.TryGetProperty("signingName", out var name) ? name.GetString() : service.EndpointPrefix;
            Assert.Equal(signingName, service.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Operation_ExistsInTheModel_AndItsRecordsMatchTheInputAndOutputShapes(string action)
    {
        var (operation, requestType, responseType) = Find(action);
        var model = AwsModel.For(operation.Service);

        Assert.True(model.HasOperation(operation.Name), $"{action} is not in {operation.Service.Name}.service-2.json");
        Assert.Empty(model.CheckRecord(requestType, model.InputShape(operation.Name)));
        Assert.Empty(model.CheckRecord(responseType, model.OutputShape(operation.Name)));
        var nullability = new NullabilityInfoContext();
        var properties = AwsModel.JsonProperties(requestType).ToDictionary(p => p.JsonName, p => p.Property);
        foreach (var required in model.Required(model.InputShape(operation.Name)))
        {
            Assert.True(properties.TryGetValue(required, out var property), $"{requestType.Name} has no {required}, which {operation.Name} requires");
            Assert.True(nullability.Create(property).ReadState == NullabilityState.NotNull, $"{requestType.Name}.{required} is nullable, but {operation.Name} requires it");
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Request_OnTheWire_IsAcceptedByTheInputShape(string action)
    {
        var (operation, requestType, responseType) = Find(action);
        var model = AwsModel.For(operation.Service);
        // The request is made from the model's own shape (every member filled), so the test does not drift from it.
        var request = model.Fixture(model.InputShape(operation.Name)).Deserialize(requestType, AwsTestJson.Options)!;
        var answer = model.Fixture(model.OutputShape(operation.Name)).ToJsonString();
        using var endpoint = new AwsLoopback((_, _) => LoopbackAnswer.Json(answer));
        await using var services = AwsTestHost.Create(endpoint);

        var response = await Send(services.GetRequiredService<AwsJsonClient>(), operation, requestType, responseType, request);

        var sent = Assert.Single(endpoint.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/", sent.Path);
        Assert.Equal($"{operation.Service.TargetPrefix}.{operation.Name}", sent.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", sent.Header("Content-Type"));
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Empty(model.Validate(body.RootElement, model.InputShape(operation.Name)));
        // Every member our record carries reached the wire.
        Assert.Equal(AwsModel.JsonProperties(requestType).Count(), body.RootElement.EnumerateObject().Count());
        Assert.IsType(responseType, response);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Response_ShapedByTheOutputShape_ParsesIntoTheRecord_WithEveryMemberKept(string action)
    {
        var (operation, _, responseType) = Find(action);
        var model = AwsModel.For(operation.Service);
        var fixture = model.Fixture(model.OutputShape(operation.Name));

        var parsed = fixture.Deserialize(responseType, AwsTestJson.Options)!;

        // Written back, our record is the fixture minus the members we do not use: same names, same values.
        var written = JsonSerializer.SerializeToNode(parsed, responseType, AwsTestJson.Options)!;
        AssertSubset(written, fixture, responseType.Name);
        AssertNoMemberLost(parsed, responseType, model, model.OutputShape(operation.Name), responseType.Name);
    }

    [Fact]
    public void AllActions_ListEveryOperationOnce_PlusStsAndTheS3StoresActions()
    {
        Assert.Equal(AwsOperations.All.Count, AwsOperations.All.Distinct().Count());
        Assert.Contains("glue:StartJobRun", AwsOperations.All);
        Assert.Contains("redshift-data:BatchExecuteStatement", AwsOperations.All);
        Assert.Contains("athena:GetQueryResults", AwsOperations.All);
        Assert.Contains("sts:GetCallerIdentity", AwsOperations.All);
        Assert.Contains("s3:PutObject", AwsOperations.All);
        Assert.All(AwsOperations.Json, o => Assert.Contains(o.Action, AwsOperations.All));
        // Every static operation field is in the list, so a new operation cannot be left out of the IAM policy check.
        var fields = typeof(AwsOperations).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(AwsOperation));
        Assert.All(fields, f => Assert.Contains(((AwsOperation)f.GetValue(null)!).Action, AwsOperations.All));
    }

    internal static (AwsOperation Operation, Type Request, Type Response) Find(string action)
    {
        var match = Clients.SelectMany(ClientOperations).Single(m => m.Operation.Action == action);
        return (match.Operation, match.Request, match.Response);
    }

    private static IEnumerable<(AwsOperation Operation, Type Request, Type Response)> ClientOperations(Type client) =>
        client.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
            .Select(m => (
                AwsOperations.Json.Single(o => o.Service == ServiceOf(client) && $"{o.Name}Async" == m.Name),
                m.GetParameters()[0].ParameterType,
                m.ReturnType.GetGenericArguments()[0]));

    private static AwsService ServiceOf(Type client) =>
        client == typeof(GlueClient) ? AwsService.Glue : client == typeof(AthenaClient) ? AwsService.Athena : AwsService.RedshiftData;

    private static async Task<object> Send(AwsJsonClient client, AwsOperation operation, Type request, Type response, object value)
    {
        var method = typeof(AwsJsonClient).GetMethod(nameof(AwsJsonClient.SendAsync))!.MakeGenericMethod(request, response);
        var task = (Task)method.Invoke(client, [operation, value, CancellationToken.None])!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    private static void AssertSubset(JsonNode? ours, JsonNode? fixture, string path)
    {
        switch (ours)
        {
            case JsonObject obj:
                var expected = Assert.IsType<JsonObject>(fixture);
                foreach (var (name, value) in obj)
                {
                    Assert.True(expected.ContainsKey(name), $"{path}.{name} is not in the model's answer");
                    AssertSubset(value, expected[name], $"{path}.{name}");
                }

                break;
            case JsonArray array:
                var items = Assert.IsType<JsonArray>(fixture);
                Assert.Equal(items.Count, array.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    AssertSubset(array[i], items[i], $"{path}[{i}]");
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                Assert.True(fixture is JsonValue, $"{path}: a number, the answer has {fixture}");
                Assert.Equal(decimal.Parse(fixture!.ToJsonString(), CultureInfo.InvariantCulture), decimal.Parse(value.ToJsonString(), CultureInfo.InvariantCulture));
                break;
            default:
                Assert.Equal(fixture?.ToJsonString(), ours?.ToJsonString());
                break;
        }
    }

    /// <summary>Every property of our records got a value from the answer (a misspelt name would stay null); union members excepted.</summary>
    private static void AssertNoMemberLost(object? value, Type type, AwsModel model, string shape, string path)
    {
        Assert.NotNull(value);
        var isUnion = model.Shape(shape).TryGetProperty("union", out var union) && union.GetBoolean();
        var members = model.Shape(shape).GetProperty("members");
        foreach (var (property, jsonName) in AwsModel.JsonProperties(type))
        {
            var memberShape = members.GetProperty(jsonName).GetProperty("shape").GetString()!;
            var member = property.GetValue(value);
            if (isUnion)
            {
                continue;
            }

            Assert.True(member is not null, $"{path}.{jsonName} stayed null");
            CheckNested(member, memberShape, $"{path}.{jsonName}");
        }

        void CheckNested(object member, string memberShape, string memberPath)
        {
            var kind = model.Shape(memberShape).GetProperty("type").GetString();
            if (kind == "structure")
            {
                AssertNoMemberLost(member, member.GetType(), model, memberShape, memberPath);
            }
            else if (kind == "list" && member is System.Collections.IEnumerable items and not string and not byte[])
            {
                var itemShape = model.Shape(memberShape).GetProperty("member").GetProperty("shape").GetString()!;
                foreach (var item in items)
                {
                    CheckNested(item, itemShape, $"{memberPath}[]");
                }
            }
        }
    }
}

/// <summary>The client's own JSON settings, for making and reading fixtures as the client would.</summary>
internal static class AwsTestJson
{
    public static JsonSerializerOptions Options => AwsJson.Options;
}
