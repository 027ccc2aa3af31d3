using Microsoft.Extensions.Options;

namespace EcomOps.Core.Query;

/// <summary>A column of a result: its name and its type in Athena's names (<c>bigint</c>, <c>decimal(10,2)</c>, <c>varchar</c>, <c>timestamp</c>).</summary>
public sealed record QueryColumn(string Name, string Type);

/// <summary>What a query returned.</summary>
/// <param name="Rows">At most the row limit; values are .NET values (long, decimal, DateTime, string, ...) or null.</param>
/// <param name="Truncated">More rows were there than the limit allowed.</param>
/// <param name="EngineSql">The SQL the engine ran: the Athena SQL, rewritten where the engine's dialect differs.</param>
public sealed record QueryResult(
    IReadOnlyList<QueryColumn> Columns,
    IReadOnlyList<object?[]> Rows,
    bool Truncated,
    TimeSpan Duration,
    string EngineSql)
{
    /// <summary>
    /// Bytes the engine read to answer: locally DuckDB's own count of the Parquet row groups and columns it read
    /// after partition pruning (its profiler's <c>total_bytes_read</c>); on Athena, DataScannedInBytes. Null when
    /// not known (a result cut short by the row cap stops the query before its profile is written).
    /// </summary>
    public long? BytesScanned { get; init; }

    /// <summary>What Athena would charge for <see cref="BytesScanned"/> (<see cref="AthenaPricing"/>), or null.</summary>
    public decimal? CostUsd => BytesScanned is { } bytes ? AthenaPricing.CostUsd(AthenaPricing.BilledBytes(bytes)) : null;

    /// <summary>The run's line in the query history, when it was run through the query service.</summary>
    public Guid? HistoryId { get; init; }
}

/// <summary>What a streamed query did: its columns, the rows handed to the writer, and what it read.</summary>
/// <param name="Rows">Rows the writer accepted.</param>
/// <param name="BytesScanned">As <see cref="QueryResult.BytesScanned"/>.</param>
public sealed record QueryStreamSummary(IReadOnlyList<QueryColumn> Columns, long Rows, TimeSpan Duration, string EngineSql, long? BytesScanned)
{
    /// <summary>What Athena would charge for <see cref="BytesScanned"/>, or null.</summary>
    public decimal? CostUsd => BytesScanned is { } bytes ? AthenaPricing.CostUsd(AthenaPricing.BilledBytes(bytes)) : null;
}

/// <summary>Keeps up to a limit of rows in memory, for results shown on a page; one more row marks it truncated.</summary>
internal sealed class QueryRowCollector(int limit) : IQueryRowWriter
{
    private readonly List<object?[]> _rows = [];

    public IReadOnlyList<object?[]> Rows => _rows;

    public bool Truncated { get; private set; }

    public ValueTask StartAsync(IReadOnlyList<QueryColumn> columns, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> WriteAsync(object?[] row, CancellationToken cancellationToken)
    {
        if (_rows.Count == limit)
        {
            Truncated = true;
            return ValueTask.FromResult(false);
        }

        _rows.Add(row);
        return ValueTask.FromResult(true);
    }
}

/// <summary>A statement the engine will not run; the message starts with the title of the rule it broke (<see cref="QueryRules.Title"/>); secrets it quotes are masked.</summary>
public class QueryRefusedException : InvalidOperationException
{
    /// <summary>A refusal of a statement that is allowed but cannot run here (<see cref="QueryRule.Unsupported"/>).</summary>
    public QueryRefusedException(string message)
        : this(QueryRule.Unsupported, message)
    {
    }

    /// <summary>A refusal under <paramref name="rule"/>; <see cref="QueryRules.Refuse"/> writes the message.</summary>
    public QueryRefusedException(QueryRule rule, string message)
        : base(Security.SecretRedactor.Redact(message))
    {
        Rule = rule;
    }

    /// <summary>The rule the statement broke.</summary>
    public QueryRule Rule { get; }
}

/// <summary>A statement that ran and failed (a syntax error, an unknown column, the time limit); the message says what.</summary>
/// <remarks>The message is redacted: an engine's error can quote the statement, literals and all.</remarks>
public sealed class QueryFailedException(string message, Exception? inner = null) : InvalidOperationException(Security.SecretRedactor.Redact(message), inner);

/// <summary>Settings of the <c>EcomOps:Query</c> section: the limits every query runs under.</summary>
public sealed class QueryOptions
{
    public const string Section = "EcomOps:Query";

    /// <summary><c>EcomOps:Query:MaxRows</c>: rows a result holds at most; the rest are counted as truncated. Default 100,000.</summary>
    public int MaxRows { get; set; } = 100_000;

    /// <summary><c>EcomOps:Query:TimeoutSeconds</c>: a query running longer is cancelled. Default 300.</summary>
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary><c>EcomOps:Query:MemoryLimit</c>: DuckDB's memory_limit, such as <c>2GB</c>. Default 2GB.</summary>
    public string MemoryLimit { get; set; } = "2GB";

    /// <summary><c>EcomOps:Query:Threads</c>: DuckDB's threads per query. Default 2.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>
    /// <c>EcomOps:Query:ExampleQueriesPath</c>: the queries that become saved queries at the first start; default
    /// <c>sql/athena_queries.sql</c> beside the app.
    /// </summary>
    public string? ExampleQueriesPath { get; set; }

    public string ExampleQueriesFullPath => Path.GetFullPath(ExampleQueriesPath ?? Path.Combine(AppContext.BaseDirectory, "sql", "athena_queries.sql"));

    /// <summary>
    /// <c>EcomOps:Query:WarehouseQueriesPath</c>: the warehouse's monitoring queries (Redshift SQL over its load tables) that
    /// become saved queries for the warehouse once; default <c>sql/redshift_monitoring.sql</c> beside the app.
    /// </summary>
    public string? WarehouseQueriesPath { get; set; }

    public string WarehouseQueriesFullPath => Path.GetFullPath(WarehouseQueriesPath ?? Path.Combine(AppContext.BaseDirectory, "sql", "redshift_monitoring.sql"));
}

internal sealed class QueryOptionsValidator : IValidateOptions<QueryOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRows is < 1 or > 10_000_000)
        {
            failures.Add($"EcomOps:Query:MaxRows is {options.MaxRows}; set 1 to 10000000 (default 100000).");
        }

        if (options.TimeoutSeconds is < 1 or > 86_400)
        {
            failures.Add($"EcomOps:Query:TimeoutSeconds is {options.TimeoutSeconds}; set 1 to 86400 (default 300).");
        }

        if (options.Threads is < 1 or > 256)
        {
            failures.Add($"EcomOps:Query:Threads is {options.Threads}; set 1 to 256 (default 2).");
        }

        if (!DuckDbSql.IsMemorySize(options.MemoryLimit))
        {
            failures.Add($"EcomOps:Query:MemoryLimit '{options.MemoryLimit}' is not a size; set one such as 2GB or 512MB.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
