using EcomOps.Core.Query;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// The warehouse of the configured backend: locally a DuckDB file with Redshift's load tables, on AWS Amazon Redshift
/// through the Data API. The same COPY text and the same monitoring SQL run on both.
/// </summary>
public interface IWarehouse
{
    /// <summary>For people: which warehouse answers, such as <c>DuckDB warehouse (local)</c>.</summary>
    string Name { get; }

    /// <summary>Creates the tables of <c>sql/redshift_ddl.sql</c> and the load tables when they are missing; safe to repeat.</summary>
    /// <returns>The tables created by this call (empty when all were there).</returns>
    Task<IReadOnlyList<string>> InitAsync(CancellationToken cancellationToken = default);

    /// <summary>The warehouse's own tables (not the load tables), with their columns and row counts.</summary>
    Task<IReadOnlyList<WarehouseTableInfo>> ListTablesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one COPY: all or nothing. Bad rows up to MAXERROR are skipped and recorded; over it, nothing is loaded and the
    /// load is recorded as aborted. With NOLOAD every row is checked and nothing is loaded. Every load is recorded in
    /// <c>sys_load_history</c>, every rejected row in <c>stl_load_errors</c> and <c>sys_load_error_detail</c>.
    /// </summary>
    /// <exception cref="LoadRefusedException">The COPY cannot run here at all (no such table, no files, a manifest on another bucket); nothing is recorded or loaded.</exception>
    Task<LoadOutcome> CopyAsync(CopyStatement copy, LoadRunContext run, CancellationToken cancellationToken = default);

    /// <summary>Loads from <c>sys_load_history</c>, newest first.</summary>
    Task<IReadOnlyList<LoadHistoryEntry>> LoadsAsync(LoadFilter filter, CancellationToken cancellationToken = default);

    /// <summary>One load by its query id, or null.</summary>
    Task<LoadHistoryEntry?> GetLoadAsync(long queryId, CancellationToken cancellationToken = default);

    /// <summary>The rows a load rejected, from <c>stl_load_errors</c>, in file and line order.</summary>
    Task<IReadOnlyList<LoadErrorEntry>> ErrorsAsync(long queryId, CancellationToken cancellationToken = default);

    /// <summary>One read-only query over the warehouse (its tables and the load tables), with the query engine's sandbox rules.</summary>
    /// <exception cref="QueryRefusedException">Not one query, or it reaches outside the warehouse.</exception>
    /// <exception cref="QueryFailedException">It failed; the message says why.</exception>
    Task<QueryResult> QueryAsync(string sql, int? maxRows = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The remote engine a load runs on (see <see cref="Jobs.JobResources.Engine"/>), such as <c>redshift</c>; null (the
    /// default) for a warehouse on this machine, whose loads hold the local cores and the warehouse file.
    /// </summary>
    string? RemoteEngine => null;

    /// <summary>
    /// True when a load whose statement id was handed to <see cref="LoadRunContext.RemoteStarted"/> can be followed again
    /// by <see cref="ResumeCopyAsync"/> after a restart. False (the default) for the local warehouse: its loads die with the process.
    /// </summary>
    bool CanResume => false;

    /// <summary>Follows a COPY submitted by an earlier process (by its remote statement id) to its end, and returns its outcome.</summary>
    /// <exception cref="NotSupportedException">This warehouse cannot (<see cref="CanResume"/> is false).</exception>
    Task<LoadOutcome> ResumeCopyAsync(CopyStatement copy, string remoteId, LoadRunContext run, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{Name} cannot follow a load again after a restart.");
}

/// <summary>Who runs a load and where its progress goes.</summary>
/// <param name="CopyJobId">The job run's id as Redshift's <c>copy_job_id</c> would hold it, when the load is a run.</param>
/// <param name="ReplaceRows">
/// Delete the table's rows in the load's own transaction before loading (a full refresh, as Redshift does with DELETE
/// and COPY in one transaction): all or nothing, so a load that aborts or fails leaves the old rows.
/// </param>
public sealed record LoadRunContext(string User, IProgress<LoadProgress>? Progress = null, long? CopyJobId = null, bool ReplaceRows = false)
{
    /// <summary>
    /// A remote warehouse calls this with its id of the submitted statement (the Redshift Data API's statement id) before
    /// waiting for it, so a run can keep it and be followed again after a restart. The local warehouse never calls it.
    /// </summary>
    public Func<string, CancellationToken, Task>? RemoteStarted { get; init; }

    /// <summary>
    /// Asked when the load's token is cancelled: true leaves the remote statement running (the process is stopping and
    /// the run will be followed again), false or unset cancels it.
    /// </summary>
    public Func<bool>? LeaveRemoteRunning { get; init; }
}

/// <summary>How far a load is: files and bytes read, rows loaded and rejected so far.</summary>
public sealed record LoadProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, long Rows, long Errors);

/// <summary>The status of a load as <c>sys_load_history</c> spells it.</summary>
public static class LoadStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Aborted = "aborted";
    public const string Failed = "failed";
}

/// <summary>What a COPY did.</summary>
/// <param name="Status">A <see cref="LoadStatus"/> value.</param>
/// <param name="Message">Why it aborted or failed; for a NOLOAD, what a load would have done.</param>
public sealed record LoadOutcome(
    long QueryId,
    string Status,
    string Table,
    long LoadedRows,
    long LoadedBytes,
    int Files,
    long Errors,
    TimeSpan Duration,
    bool NoLoad,
    IReadOnlyList<string> Warnings,
    string? Message)
{
    /// <summary>
    /// For a CSV load, why its files were read row by row instead of by DuckDB's own reader (the first field or
    /// option outside what both read alike, or a row DuckDB refused); null when DuckDB read them, and for Parquet.
    /// Row by row is several times slower, and is where every rejected row is recorded.
    /// </summary>
    public string? RowByRowReason { get; init; }
}

/// <summary>One line of <c>sys_load_history</c>.</summary>
public sealed record LoadHistoryEntry(
    long QueryId,
    string Status,
    string TableName,
    DateTime StartTime,
    DateTime? EndTime,
    long Duration,
    string DataSource,
    string FileFormat,
    long LoadedRows,
    long LoadedBytes,
    int SourceFileCount,
    long SourceFileBytes,
    long ErrorCount,
    long? CopyJobId)
{
    /// <summary><see cref="Duration"/> (microseconds, as Redshift keeps it) as a span.</summary>
    public TimeSpan Elapsed => TimeSpan.FromMicroseconds(Duration);
}

/// <summary>One rejected row, from <c>stl_load_errors</c>.</summary>
/// <param name="Position">Where in the field the error is (0-based), as Redshift reports it.</param>
public sealed record LoadErrorEntry(
    long QueryId,
    string FileName,
    long LineNumber,
    string ColumnName,
    string ColumnType,
    string ColumnLength,
    int Position,
    string RawLine,
    string RawFieldValue,
    int ErrorCode,
    string ErrorReason);

/// <summary>Which loads to list.</summary>
public sealed record LoadFilter(string? Status = null, string? Table = null, DateTime? Since = null, DateTime? Until = null, bool FailedOnly = false, int Limit = 200);

/// <summary>A warehouse table: its columns and how many rows it holds.</summary>
public sealed record WarehouseTableInfo(string Schema, string Name, IReadOnlyList<WarehouseColumn> Columns, long Rows);

/// <summary>A COPY that cannot run here at all; nothing was loaded or recorded. The message says what to change.</summary>
public sealed class LoadRefusedException(string message) : InvalidOperationException(Security.SecretRedactor.Redact(message));
