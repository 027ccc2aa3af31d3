namespace EcomOps.Core.Query;

/// <summary>An engine that runs Athena SQL: DuckDB locally, Amazon Athena on AWS.</summary>
public interface IQueryEngine
{
    /// <summary>For people: which engine answered.</summary>
    string Name { get; }

    /// <summary>
    /// Runs one Athena-dialect query over the catalog's tables and returns at most <paramref name="maxRows"/> rows
    /// (capped by <c>EcomOps:Query:MaxRows</c>). Cancelling the token interrupts the running query; so does the
    /// time limit (<c>EcomOps:Query:TimeoutSeconds</c>).
    /// </summary>
    /// <exception cref="QueryRefusedException">The statement is not one query, or reaches outside the lake.</exception>
    /// <exception cref="QueryFailedException">It does not parse, names what does not exist, or ran out of time.</exception>
    Task<QueryResult> RunAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one query and hands its rows to <paramref name="writer"/> as the engine produces them, with no row cap
    /// (the writer stops it by returning false): a download of a whole result without holding it in memory.
    /// Refusals, failures, cancellation and the time limit are as for <see cref="RunAsync"/>.
    /// </summary>
    Task<QueryStreamSummary> StreamAsync(string sql, IQueryRowWriter writer, CancellationToken cancellationToken = default);
}
