using System.Diagnostics;
using System.Globalization;
using EcomOps.Core.Aws.RedshiftData;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Aws.Engines;

/// <summary>
/// The Aws backend's warehouse: Amazon Redshift (Serverless or a provisioned cluster) through the Redshift Data API.
/// Every statement is submitted, polled with DescribeStatement every <c>EcomOps:Aws:Redshift:PollMilliseconds</c> and
/// read with GetStatementResult; the DDL, the COPY text and the monitoring SQL are the local warehouse's own.
/// </summary>
internal sealed partial class RedshiftDataWarehouse(
    RedshiftDataClient client,
    IOptions<AwsOptions> aws,
    IOptions<WarehouseOptions> warehouse,
    TimeProvider timeProvider,
    ILogger<RedshiftDataWarehouse> logger) : IWarehouse
{
    private const int DefaultMaxRows = 10_000;

    // Where Redshift keeps its own tables; 'main' is where the local warehouse keeps its load tables, which a Redshift
    // database does not have (a stand-in over the local file would otherwise list them as the user's).
    private const string UserTablesSql = """
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv', 'main')
          AND table_schema NOT LIKE 'pg_temp%'
        ORDER BY table_schema, table_name
        """;

    private const string ColumnsSql = """
        SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
        FROM information_schema.columns WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position
        """;

    public string Name => $"Amazon Redshift ({Target.TargetName}, Data API)";

    public string? RemoteEngine => "redshift";

    public bool CanResume => true;

    public async Task<IReadOnlyList<string>> InitAsync(CancellationToken cancellationToken = default)
    {
        var script = await File.ReadAllTextAsync(DdlPath(), cancellationToken).ConfigureAwait(false);
        var declared = RedshiftDdl.Parse(script);
        var before = await UserTablesAsync(cancellationToken).ConfigureAwait(false);
        // The DDL file's own statements, as written for Redshift (DISTSTYLE, SORTKEY and all), in one transaction.
        // The schemas first, as locally: Redshift has only public until told otherwise.
        List<string> statements =
        [
            .. declared.Select(t => t.Schema).Where(schema => schema != "public").Distinct(StringComparer.Ordinal).Select(schema => $"CREATE SCHEMA IF NOT EXISTS {RedshiftDdl.Quote(schema)}"),
            .. RedshiftDdlScript.Statements(script),
        ];
        if (statements.Count > 0)
        {
            var id = await SubmitAsync(Batch(statements, "ecomops: init"), cancellationToken).ConfigureAwait(false);
            EnsureFinished(await WaitAsync(id, cancellationToken).ConfigureAwait(false), "create the warehouse tables of " + DdlPath());
        }

        var created = declared.Select(t => (t.Schema, t.Name)).Where(t => !before.Contains(t)).Select(t => $"{t.Schema}.{t.Name}").ToList();
        if (created.Count > 0)
        {
            LogCreated(TargetDescription, string.Join(", ", created));
        }

        return created;
    }

    public async Task<IReadOnlyList<WarehouseTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default)
    {
        var tables = (await UserTablesAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (tables.Count == 0)
        {
            return [];
        }

        // One statement counts them all: a round trip per table would cost a poll interval each.
        var counts = string.Join("\nUNION ALL ", tables.Select((t, i) => string.Create(CultureInfo.InvariantCulture,
            $"SELECT {i} AS n, count(*) AS row_count FROM {RedshiftDdl.Quote(t.Schema)}.{RedshiftDdl.Quote(t.Name)}")));
        var rows = (await RowsAsync(counts, null, "count the rows of the warehouse tables", cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => (int)Long(r[0]), r => Long(r[1]));
        var result = new List<WarehouseTableInfo>();
        for (var i = 0; i < tables.Count; i++)
        {
            var (schema, name) = tables[i];
            result.Add(new WarehouseTableInfo(schema, name, await ColumnsAsync(schema, name, cancellationToken).ConfigureAwait(false), rows.GetValueOrDefault(i)));
        }

        return result;
    }

    public async Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync(LoadFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var statement = LoadMonitoringSql.Loads(filter, ':');
        return [.. (await RowsAsync(statement.Sql, statement.Parameters, "read sys_load_history", cancellationToken).ConfigureAwait(false)).Select(ToLoad)];
    }

    public async Task<LoadHistoryEntry?> GetLoadAsync(long queryId, CancellationToken cancellationToken = default)
    {
        var statement = LoadMonitoringSql.Load(queryId, ':');
        return (await RowsAsync(statement.Sql, statement.Parameters, "read sys_load_history", cancellationToken).ConfigureAwait(false)).Select(ToLoad).FirstOrDefault();
    }

    /// <summary>
    /// On a provisioned cluster from <c>stl_load_errors</c>, with the raw line and field; on Serverless, which has no STL
    /// tables, from <c>sys_load_error_detail</c>, which keeps neither: <see cref="LoadErrorEntry.RawLine"/> and
    /// <see cref="LoadErrorEntry.RawFieldValue"/> are empty there. A cluster's STL query ids need not be the SYS views'
    /// query ids: when stl_load_errors has nothing under the id, sys_load_error_detail is asked too.
    /// </summary>
    public async Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(long queryId, CancellationToken cancellationToken = default)
    {
        if (Target.EffectiveWorkgroup is null)
        {
            var errors = await ErrorsAsync(LoadMonitoringSql.Errors(queryId, ':'), cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                return errors;
            }
        }

        return await ErrorsAsync(LoadMonitoringSql.ErrorDetails(queryId, ':'), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(LoadMonitoringSql.Statement statement, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(statement.Sql, statement.Parameters, "read the load's rejected rows", cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new LoadErrorEntry(
            Long(r[0]), Text(r[1]), Long(r[2]), Text(r[3]), Text(r[4]), Text(r[5]), (int)(NullableLong(r[6]) ?? 0), Text(r[7]), Text(r[8]), (int)Long(r[9]), Text(r[10])))];
    }

    public async Task<QueryResult> QueryAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        Gate(sql);
        var stopwatch = Stopwatch.StartNew();
        DescribeStatementResponse described;
        try
        {
            described = await RunAsync(sql, null, "run the query", cancellationToken).ConfigureAwait(false);
        }
        catch (RedshiftStatementException e) when (e.StatementId is not null)
        {
            throw new QueryFailedException(ErrorText(new DescribeStatementResponse { Id = e.StatementId, Error = e.RedshiftError }), e);
        }

        var (columns, rows, truncated) = await ResultAsync(described, Math.Clamp(maxRows ?? DefaultMaxRows, 1, 1_000_000), cancellationToken).ConfigureAwait(false);
        var types = columns.Select(c => (c.TypeName ?? "varchar").ToLowerInvariant()).ToList();
        return new QueryResult(
            [.. columns.Select((c, i) => new QueryColumn(c.Label ?? c.Name ?? $"_col{i}", AthenaType(types[i], c)))],
            [.. rows.Select(r => r.Select((f, i) => Value(f, i < types.Count ? types[i] : "varchar")).ToArray())],
            truncated, stopwatch.Elapsed, sql);
    }

    // The one gate of every query (QueryGate), before anything is sent. Redshift's Data API has no read-only switch,
    // so the gate is what keeps a monitoring query from changing data.
    private static void Gate(string sql) => QueryGate.Check(sql);

    private async Task<HashSet<(string Schema, string Name)>> UserTablesAsync(CancellationToken cancellationToken) =>
        [.. (await RowsAsync(UserTablesSql, null, "list the warehouse tables", cancellationToken).ConfigureAwait(false)).Select(r => (Text(r[0]), Text(r[1])))];

    // The columns as the DDL declared them, as locally: the DDL file is the one source of the Redshift types.
    private async Task<IReadOnlyList<WarehouseColumn>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken)
    {
        var declared = DeclaredTables().FirstOrDefault(t => t.Schema == schema && t.Name == table);
        if (declared is not null)
        {
            return declared.Columns;
        }

        var rows = await RowsAsync(ColumnsSql, [new("schema", schema), new("table", table)], $"read the columns of {schema}.{table}", cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new WarehouseColumn(Text(r[0]), ColumnType(r), string.Equals(Text(r[5]), "NO", StringComparison.OrdinalIgnoreCase)))];
    }

    private static WarehouseType ColumnType(IReadOnlyList<Field> row)
    {
        var name = Text(row[1]);
        var text = NullableLong(row[2]) is { } length ? $"{name}({length})"
            : name.StartsWith("numeric", StringComparison.OrdinalIgnoreCase) && NullableLong(row[3]) is { } precision ? $"numeric({precision},{NullableLong(row[4]) ?? 0})"
            : name;
        try
        {
            return WarehouseType.Parse(text);
        }
        catch (FormatException)
        {
            // A type COPY does not load (SUPER, GEOMETRY...): shown as text rather than hiding the table.
            return new WarehouseType(WarehouseTypeKind.Varchar, Length: WarehouseType.MaxVarcharLength);
        }
    }

    private IReadOnlyList<WarehouseTable>? _declared;

    private IReadOnlyList<WarehouseTable> DeclaredTables() => _declared ??= File.Exists(DdlPath()) ? RedshiftDdl.Parse(File.ReadAllText(DdlPath())) : [];

    private string DdlPath()
    {
        var path = warehouse.Value.DdlFullPath;
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"The warehouse DDL {path} is missing; set EcomOps:Warehouse:DdlPath to sql/redshift_ddl.sql.", path);
    }

    private static LoadHistoryEntry ToLoad(IReadOnlyList<Field> r) => new(
        Long(r[0]), Text(r[1]), Text(r[2]), Time(r[3]) ?? DateTime.MinValue, Time(r[4]), NullableLong(r[5]) ?? 0, Text(r[6]), Text(r[7]),
        NullableLong(r[8]) ?? 0, NullableLong(r[9]) ?? 0, (int)(NullableLong(r[10]) ?? 0), NullableLong(r[11]) ?? 0, NullableLong(r[12]) ?? 0, NullableLong(r[13]));

    // Results as the query page shows them: Athena's type names, and .NET values like the local engine's.
    private static string AthenaType(string type, ColumnMetadata column) => type switch
    {
        "int8" or "bigint" => "bigint",
        "int4" or "integer" or "int" => "integer",
        "int2" or "smallint" => "smallint",
        "numeric" or "decimal" => string.Create(CultureInfo.InvariantCulture, $"decimal({column.Precision ?? 18},{column.Scale ?? 0})"),
        "float8" or "double precision" or "float" => "double",
        "float4" or "real" => "real",
        "bool" or "boolean" => "boolean",
        "varchar" or "bpchar" or "char" or "text" or "character varying" or "name" => "varchar",
        "timestamptz" => "timestamp with time zone",
        _ => type,
    };

    private static object? Value(Field field, string type)
    {
        if (field.IsNull == true)
        {
            return null;
        }

        if (field.StringValue is not { } text)
        {
            return field.LongValue ?? field.DoubleValue ?? (object?)field.BooleanValue ?? field.BlobValue;
        }

        return type switch
        {
            "numeric" or "decimal" when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) => number,
            "date" when DateOnly.TryParse(text, CultureInfo.InvariantCulture, out var date) => date,
            "timestamp" or "timestamptz" when Time(field) is { } time => time,
            _ => text,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warehouse {Target}: created {Tables}")]
    private partial void LogCreated(string target, string tables);
}
