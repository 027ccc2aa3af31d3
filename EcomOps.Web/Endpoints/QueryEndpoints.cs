using System.Globalization;
using System.Text;
using EcomOps.Core.Query;
using EcomOps.Web.Security;

namespace EcomOps.Web.Endpoints;

/// <summary>
/// The whole result of a query as a CSV file: the query of a history line runs again with no row cap and its rows
/// stream from the engine into the response, so a download of millions of rows never sits in the server's memory
/// (Athena's console downloads the result file the same way).
/// </summary>
public static class QueryEndpoints
{

    /// <summary>The download URL of the whole result of a run in the query history.</summary>
    public static string CsvUrlFor(Guid historyId) => $"/query/runs/{historyId:D}/csv";

    public static IEndpointRouteBuilder MapQueryDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/query/runs/{id:guid}/csv", async (Guid id, HttpContext http, IQueryService queries, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            var entry = await queries.GetHistoryAsync(id, cancellationToken);
            if (entry is null)
            {
                return Results.Problem($"No query {id} in the history; run it again on the Query page.", statusCode: StatusCodes.Status404NotFound);
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"query-{entry.StartedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024);
            try
            {
                await queries.ExportAsync(new QueryRunRequest(entry.Sql, QuerySource.Download, Target: entry.Target), new QueryCsvWriter(writer), cancellationToken);
                await writer.FlushAsync(cancellationToken);
                return Results.Empty;
            }
            catch (QueryRateLimitedException e) when (!http.Response.HasStarted)
            {
                http.Response.Headers.ContentDisposition = default;
                http.Response.Headers.RetryAfter = ((int)e.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Results.Problem(e.Message, statusCode: StatusCodes.Status429TooManyRequests);
            }
            catch (Exception e) when (e is QueryRefusedException or QueryFailedException && !http.Response.HasStarted)
            {
                http.Response.Headers.ContentDisposition = default;
                return Results.Problem(e.Message, statusCode: e is QueryRefusedException ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity);
            }
            catch (Exception e) when (e is QueryFailedException && http.Response.HasStarted)
            {
                // Part of the file has gone: cutting the connection is the only way to tell the browser it is incomplete.
                loggers.CreateLogger(typeof(QueryEndpoints)).LogWarning(e, "The download of query {Id} failed after it had started", id);
                http.Abort();
                return Results.Empty;
            }
        }).RequireRateLimiting(SecurityPolicies.QueryDownloads);
        return endpoints;
    }
}
