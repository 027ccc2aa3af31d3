using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcomOps.Core.Aws;
using EcomOps.Core.Catalog;
using EcomOps.Core.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Crawler = EcomOps.Core.Catalog.Crawler;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>
/// A Glue crawler and Data Catalog on 127.0.0.1 that does the work for real: StartCrawler runs the project's own
/// crawler over the lake (an S3 bucket on s3rver) into a <see cref="LocalCatalog"/> in its own ops database, and the
/// catalog calls answer that catalog's tables in Glue's JSON shapes (StorageDescriptor, Columns, PartitionKeys, Parameters,
/// VersionId...), a page of <see cref="PageSize"/> at a time. Every request and answer is checked against glue.service-2.json.
/// </summary>
internal sealed class GlueCatalogStandIn : IDisposable
{
    public const string CrawlerName = "ecomops-parquet";
    public const string Database = "ecom";

    private static readonly AwsModel Model = AwsModel.For(AwsService.Glue);

    private readonly CoreHost _backing;
    private readonly IObjectStore _lake;
    private readonly string _bucket;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _partitionsCreated = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private string _state = "READY";
    private JsonObject? _lastCrawl;
    private (int Created, int Updated, int Deleted, double Seconds) _metrics;
    private CancellationTokenSource? _stop;
    private TaskCompletionSource? _hold;
    private Task _crawl = Task.CompletedTask;

    public GlueCatalogStandIn(IObjectStore lake, string bucket)
    {
        _lake = lake;
        _bucket = bucket;
        _backing = new CoreHost(services => services.AddSingleton(lake));
        Endpoint = new AwsLoopback(Answer);
    }

    public AwsLoopback Endpoint { get; }

    /// <summary>Items per page of GetTables, GetPartitions and GetTableVersions, so that paging is exercised.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>The crawler's SchemaChangePolicy, as infra/ecomops.yaml sets it.</summary>
    public string UpdateBehavior { get; set; } = "UPDATE_IN_DATABASE";

    public string DeleteBehavior { get; set; } = "DEPRECATE_IN_DATABASE";

    /// <summary>Answers instead of the stand-in when it gives one: (operation, request number) -> answer or null.</summary>
    public Func<string, int, LoopbackAnswer?>? Override { get; set; }

    /// <summary>The operations received, in order (AWSGlue.X without the prefix).</summary>
    public IReadOnlyList<string> Operations => [.. Endpoint.Requests.Select(r => r.Header("X-Amz-Target")!.Split('.')[1])];

    /// <summary>Where a request or an answer disagreed with glue.service-2.json.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Crawls started from now on wait for <see cref="Release"/> (or StopCrawler) before they crawl.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _hold?.TrySetResult();
            _hold = null;
        }
    }

    /// <summary>What the local catalog behind the stand-in holds (what Glue would).</summary>
    public LocalCatalog Catalog => _backing.Get<LocalCatalog>();

    public void Dispose()
    {
        Release();
        _stop?.Cancel();
        Endpoint.Dispose();
        try
        {
            _crawl.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // A crawl cut short by the stop; its outcome no longer matters.
        }

        _backing.Dispose();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Answers one Glue request, as this stand-in's own endpoint does.</summary>
    internal LoopbackAnswer Answer(ReceivedRequest request, int number)
    {
        var target = request.Header("X-Amz-Target") ?? "";
        var operation = target.StartsWith(AwsService.Glue.TargetPrefix + ".", StringComparison.Ordinal) ? target[(AwsService.Glue.TargetPrefix.Length + 1)..] : "?";
        using var body = JsonDocument.Parse(request.Body.Length == 0 ? "{}" : request.Body);
        var input = body.RootElement;
        if (!Model.HasOperation(operation))
        {
            return Problem($"{operation}: not an operation of Glue");
        }

        Check(Model.Validate(input, Model.InputShape(operation)));
        if (Override?.Invoke(operation, number) is { } overridden)
        {
            return overridden;
        }

        var requestId = $"req-{number}";
        try
        {
            JsonObject output = operation switch
            {
                "StartCrawler" => StartCrawler(input),
                "StopCrawler" => StopCrawler(input),
                "GetCrawler" => GetCrawler(input),
                "GetCrawlerMetrics" => GetCrawlerMetrics(),
                "GetDatabases" => new JsonObject { ["DatabaseList"] = new JsonArray(new JsonObject { ["Name"] = Database, ["CreateTime"] = Time(DateTimeOffset.UnixEpoch) }, new JsonObject { ["Name"] = "default" }) },
                "GetTables" => GetTables(input),
                "GetTable" => GetTable(input),
                "GetPartitions" => GetPartitions(input),
                "GetTableVersions" => GetTableVersions(input),
                _ => throw new GlueError("InvalidInputException", $"The stand-in does not answer {operation}."),
            };
            Check(Model.Validate(JsonDocument.Parse(output.ToJsonString()).RootElement, Model.OutputShape(operation)));
            return LoopbackAnswer.Json(output.ToJsonString(), requestId);
        }
        catch (GlueError e)
        {
            return LoopbackAnswer.Error(400, e.Code, e.Message, requestId);
        }
    }

    private JsonObject StartCrawler(JsonElement input)
    {
        EnsureCrawler(input.GetProperty("Name").GetString());
        lock (_gate)
        {
            if (_state != "READY")
            {
                throw new GlueError("CrawlerRunningException", $"Crawler with name {CrawlerName} has already started");
            }

            _state = "RUNNING";
            _stop = new CancellationTokenSource();
            var started = Now();
            var hold = _hold?.Task ?? Task.CompletedTask;
            var stop = _stop.Token;
            _crawl = Task.Run(() => CrawlAsync(started, hold, stop));
        }

        return [];
    }

    private JsonObject StopCrawler(JsonElement input)
    {
        EnsureCrawler(input.GetProperty("Name").GetString());
        lock (_gate)
        {
            if (_state != "RUNNING")
            {
                throw new GlueError(_state == "STOPPING" ? "CrawlerStoppingException" : "CrawlerNotRunningException", $"Crawler with name {CrawlerName} is not running");
            }

            _state = "STOPPING";
            _stop!.Cancel();
        }

        return [];
    }

    private async Task CrawlAsync(DateTimeOffset started, Task hold, CancellationToken stop)
    {
        string status;
        string? error = null;
        try
        {
            await hold.WaitAsync(stop);
            var options = new CrawlOptions(
                OnChange: UpdateBehavior == "LOG" ? SchemaChangePolicy.Log : SchemaChangePolicy.Update,
                OnDelete: DeleteBehavior switch { "DELETE_FROM_DATABASE" => DeletePolicy.Delete, "LOG" => DeletePolicy.Log, _ => DeletePolicy.Deprecate },
                Database: Database);
            var scan = await new Crawler(_lake).ScanAsync(options, null, stop);
            var outcomes = await Catalog.ApplyAsync(scan, options, Guid.NewGuid(), stop);
            var now = Now();
            foreach (var table in scan.Tables)
            {
                foreach (var partition in table.Partitions)
                {
                    lock (_gate)
                    {
                        _partitionsCreated.TryAdd($"{table.Name}|{partition.Location}", now);
                    }
                }
            }

            lock (_gate)
            {
                _metrics = (outcomes.Count(o => o.Outcome == TableOutcomeKind.Created), outcomes.Count(o => o.Outcome == TableOutcomeKind.Updated),
                    outcomes.Count(o => o.Outcome == TableOutcomeKind.Deleted), (now - started).TotalSeconds);
            }
            status = "SUCCEEDED";
        }
        catch (OperationCanceledException)
        {
            status = "CANCELLED";
        }
        catch (Exception e)
        {
            (status, error) = ("FAILED", e.Message);
        }

        lock (_gate)
        {
            _state = "READY";
            _lastCrawl = new JsonObject
            {
                ["Status"] = status,
                ["StartTime"] = Time(started),
                ["LogGroup"] = "/aws-glue/crawlers",
                ["LogStream"] = CrawlerName,
                ["MessagePrefix"] = Guid.NewGuid().ToString(),
            };
            if (error is not null)
            {
                _lastCrawl["ErrorMessage"] = error;
            }
        }
    }

    private JsonObject GetCrawler(JsonElement input)
    {
        EnsureCrawler(input.GetProperty("Name").GetString());
        lock (_gate)
        {
            var crawler = new JsonObject
            {
                ["Name"] = CrawlerName,
                ["Role"] = "arn:aws:iam::123456789012:role/ecomops-glue",
                ["DatabaseName"] = Database,
                ["State"] = _state,
                ["Targets"] = new JsonObject
                {
                    ["S3Targets"] = new JsonArray(new JsonObject
                    {
                        ["Path"] = $"s3://{_bucket}/parquet/",
                        ["Exclusions"] = new JsonArray("**/_manifest.json", "**/_SUCCESS", "_staging/**"),
                    }),
                },
                ["SchemaChangePolicy"] = new JsonObject { ["UpdateBehavior"] = UpdateBehavior, ["DeleteBehavior"] = DeleteBehavior },
            };
            if (_lastCrawl is not null)
            {
                crawler["LastCrawl"] = _lastCrawl.DeepClone();
            }

            return new JsonObject { ["Crawler"] = crawler };
        }
    }

    private JsonObject GetCrawlerMetrics()
    {
        lock (_gate)
        {
            return GetCrawlerMetricsLocked();
        }
    }

    private JsonObject GetCrawlerMetricsLocked() => new()
    {
        ["CrawlerMetricsList"] = new JsonArray(new JsonObject
        {
            ["CrawlerName"] = CrawlerName,
            ["TimeLeftSeconds"] = 0,
            ["StillEstimating"] = false,
            ["LastRuntimeSeconds"] = _metrics.Seconds,
            ["MedianRuntimeSeconds"] = _metrics.Seconds,
            ["TablesCreated"] = _metrics.Created,
            ["TablesUpdated"] = _metrics.Updated,
            ["TablesDeleted"] = _metrics.Deleted,
        }),
    };

    private JsonObject GetTables(JsonElement input)
    {
        var database = DatabaseOf(input);
        var tables = Catalog.ListTablesAsync(database).GetAwaiter().GetResult();
        var (page, next) = Page(tables, input);
        var result = new JsonObject { ["TableList"] = new JsonArray([.. page.Select(t => TableJson(t, t.Columns, t.PartitionKeys, t.Status == TableStatus.Deprecated, GlueVersions(t).Count, t.UpdatedAt))]) };
        SetNext(result, next);
        return result;
    }

    private JsonObject GetTable(JsonElement input)
    {
        var table = FindTable(input, "Name");
        return new JsonObject { ["Table"] = TableJson(table, table.Columns, table.PartitionKeys, table.Status == TableStatus.Deprecated, GlueVersions(table).Count, table.UpdatedAt) };
    }

    private JsonObject GetPartitions(JsonElement input)
    {
        var table = FindTable(input, "TableName");
        // Glue promises no order: answered in reverse, so the reader's own ordering is what the tests see.
        var partitions = Catalog.GetPartitionsAsync(Database, table.Name).GetAwaiter().GetResult().Reverse().ToList();
        var (page, next) = Page(partitions, input);
        var result = new JsonObject
        {
            ["Partitions"] = new JsonArray([.. page.Select(p => new JsonObject
            {
                ["Values"] = new JsonArray([.. p.Values.Select(v => (JsonNode)v)]),
                ["DatabaseName"] = Database,
                ["TableName"] = table.Name,
                ["CreationTime"] = Time(PartitionCreated(table.Name, p.Location)),
                ["StorageDescriptor"] = new JsonObject { ["Location"] = S3(p.Location) },
                ["Parameters"] = Parameters(("recordCount", p.RecordCount), ("sizeKey", p.SizeBytes), ("objectCount", p.ObjectCount)),
            })]),
        };
        SetNext(result, next);
        return result;
    }

    private JsonObject GetTableVersions(JsonElement input)
    {
        var table = FindTable(input, "TableName");
        var versions = GlueVersions(table);
        var (page, next) = Page(versions, input);
        var result = new JsonObject
        {
            ["TableVersions"] = new JsonArray([.. page.Select(v => new JsonObject
            {
                ["VersionId"] = v.Number.ToString(CultureInfo.InvariantCulture),
                ["Table"] = TableJson(table, v.Version.Columns, v.Version.PartitionKeys, v.Deprecated, v.Number, v.Version.CreatedAt),
            })]),
        };
        SetNext(result, next);
        return result;
    }

    /// <summary>
    /// The local versions as Glue keeps them, newest first: Glue stores partitions apart from the table, so a local version
    /// that only added or removed partitions is no Glue version; the rest are numbered 1, 2, ... from the oldest.
    /// </summary>
    private List<(int Number, Core.Catalog.TableVersion Version, bool Deprecated)> GlueVersions(CatalogTable table)
    {
        var local = Catalog.GetVersionsAsync(Database, table.Name).GetAwaiter().GetResult().Reverse();
        var versions = new List<(int, Core.Catalog.TableVersion, bool)>();
        var deprecated = false;
        foreach (var version in local)
        {
            deprecated = version.Changes.Any(c => c.Kind == TableChangeKind.Deprecated) || (deprecated && !version.Changes.Any(c => c.Kind == TableChangeKind.Restored));
            if (versions.Count == 0 || version.Changes.Any(c => c.Kind is not (TableChangeKind.PartitionsAdded or TableChangeKind.PartitionsRemoved)))
            {
                versions.Add((versions.Count + 1, version, deprecated));
            }
        }

        versions.Reverse();
        return versions;
    }

    private JsonObject TableJson(CatalogTable table, IReadOnlyList<CatalogColumn> columns, IReadOnlyList<CatalogColumn> keys, bool deprecated, int version, DateTimeOffset updated)
    {
        var parameters = Parameters(("recordCount", table.RecordCount), ("sizeKey", table.SizeKey), ("objectCount", table.ObjectCount), ("averageRecordSize", table.AverageRecordSize));
        parameters["classification"] = table.Classification;
        parameters["compressionType"] = table.Compression;
        parameters["typeOfData"] = "file";
        parameters["UPDATED_BY_CRAWLER"] = CrawlerName;
        if (deprecated)
        {
            parameters["DEPRECATED_BY_CRAWLER"] = "1";
        }

        var parquet = table.Classification == "parquet";
        return new JsonObject
        {
            // Glue keeps names lower-case and matches them ignoring case.
            ["Name"] = table.Name.ToLowerInvariant(),
            ["DatabaseName"] = Database,
            ["Owner"] = "owner",
            ["CreateTime"] = Time(table.CreatedAt),
            ["UpdateTime"] = Time(updated),
            ["StorageDescriptor"] = new JsonObject
            {
                ["Columns"] = Columns(columns),
                ["Location"] = S3(table.Location),
                ["InputFormat"] = parquet ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" : "org.apache.hadoop.mapred.TextInputFormat",
                ["OutputFormat"] = parquet ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat" : "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                ["Compressed"] = false,
                ["NumberOfBuckets"] = -1,
                ["SerdeInfo"] = new JsonObject
                {
                    ["SerializationLibrary"] = parquet ? "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" : "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                    ["Parameters"] = new JsonObject { ["serialization.format"] = "1" },
                },
                ["Parameters"] = parameters.DeepClone(),
            },
            ["PartitionKeys"] = Columns(keys),
            ["TableType"] = "EXTERNAL_TABLE",
            ["Parameters"] = parameters,
            ["CatalogId"] = "123456789012",
            ["VersionId"] = version.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static JsonArray Columns(IReadOnlyList<CatalogColumn> columns) =>
        new([.. columns.Select(c => new JsonObject { ["Name"] = c.Name.ToLowerInvariant(), ["Type"] = c.Type })]);

    private static JsonObject Parameters(params (string Name, long Value)[] values)
    {
        var result = new JsonObject();
        foreach (var (name, value) in values)
        {
            result[name] = value.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }

    private CatalogTable FindTable(JsonElement input, string member)
    {
        var database = DatabaseOf(input);
        var name = input.GetProperty(member).GetString()!;
        return Catalog.GetTableAsync(database, name).GetAwaiter().GetResult()
            ?? throw new GlueError("EntityNotFoundException", $"Table {name} not found.");
    }

    private static string DatabaseOf(JsonElement input)
    {
        var database = input.GetProperty("DatabaseName").GetString()!;
        return string.Equals(database, Database, StringComparison.OrdinalIgnoreCase)
            ? Database
            : throw new GlueError("EntityNotFoundException", $"Database {database} not found.");
    }

    private static void EnsureCrawler(string? name)
    {
        if (name != CrawlerName)
        {
            throw new GlueError("EntityNotFoundException", $"Crawler entry with name {name} does not exist");
        }
    }

    private (List<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, JsonElement input)
    {
        var start = input.TryGetProperty("NextToken", out var token) ? int.Parse(token.GetString()!.Split(':')[1], CultureInfo.InvariantCulture) : 0;
        var page = items.Skip(start).Take(PageSize).ToList();
        return (page, start + PageSize < items.Count ? $"page:{start + PageSize}" : null);
    }

    private static void SetNext(JsonObject result, string? next)
    {
        if (next is not null)
        {
            result["NextToken"] = next;
        }
    }

    private DateTimeOffset PartitionCreated(string table, string location)
    {
        lock (_gate)
        {
            return _partitionsCreated.GetValueOrDefault($"{table}|{location}", DateTimeOffset.UnixEpoch);
        }
    }

    private string S3(string location) => $"s3://{_bucket}/{location}";

    // Glue's clock is milliseconds on the wire: the stand-in keeps no finer time than it can answer.
    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static JsonNode Time(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000m);

    private void Check(List<string> problems)
    {
        lock (_gate)
        {
            _problems.AddRange(problems);
        }
    }

    private LoopbackAnswer Problem(string problem)
    {
        Check([problem]);
        return LoopbackAnswer.Error(400, "UnknownOperationException", problem, "req-unknown");
    }

    private sealed class GlueError(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
