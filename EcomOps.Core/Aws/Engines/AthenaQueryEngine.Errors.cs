using System.Globalization;
using EcomOps.Core.Aws.Athena;
using EcomOps.Core.Query;

namespace EcomOps.Core.Aws.Engines;

// What a failed Athena query or call says to the user: the query's id, Athena's own reason (a syntax error at line:col,
// a table not found), the error code and request id of a refused call, and what to do.
internal sealed partial class AthenaQueryEngine
{
    private QueryFailedException Failed(string id, QueryExecutionStatus? status)
    {
        var error = status?.AthenaError;
        var reason = status?.StateChangeReason ?? error?.ErrorMessage ?? "Athena gave no reason";
        var details = error is null
            ? ""
            : string.Create(CultureInfo.InvariantCulture,
                $" (error category {Category(error.ErrorCategory)}, type {error.ErrorType?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}{(error.Retryable == true ? "; Athena says it may succeed if run again" : "")})");
        return new QueryFailedException($"Athena query {id} failed: {reason}{details}.{Hint(reason)}");
    }

    private QueryFailedException CancelledByAthena(string id, QueryExecutionStatus? status)
    {
        var reason = status?.StateChangeReason ?? "no reason given";
        var hint = reason.Contains("scanned", StringComparison.OrdinalIgnoreCase) || reason.Contains("limit", StringComparison.OrdinalIgnoreCase)
            ? $" Workgroup '{aws.Value.Athena.Workgroup}' stops queries that scan more than its BytesScannedCutoffPerQuery: filter on the partition keys (year, month) or select fewer columns, or raise the limit."
            : "";
        return new QueryFailedException($"Athena cancelled query {id}: {reason}.{hint}");
    }

    private string Hint(string reason)
    {
        if (reason.StartsWith("TABLE_NOT_FOUND", StringComparison.Ordinal) || reason.Contains("Table", StringComparison.Ordinal) && reason.Contains("does not exist", StringComparison.Ordinal))
        {
            return $" Queries see the tables of the Glue database '{aws.Value.Glue.Database}' (EcomOps:Aws:Glue:Database): crawl the lake first (Catalog page or ecomops crawl).";
        }

        if (reason.StartsWith("SCHEMA_NOT_FOUND", StringComparison.Ordinal))
        {
            return $" Check EcomOps:Aws:Glue:Database ('{aws.Value.Glue.Database}') and EcomOps:Aws:Athena:Catalog ('{aws.Value.Athena.Catalog}'), or crawl the lake first.";
        }

        if (reason.Contains("Access Denied", StringComparison.OrdinalIgnoreCase) || reason.Contains("AccessDenied", StringComparison.Ordinal))
        {
            return " Athena reads the lake and writes results with the caller's permissions: attach iam/ecomops-dashboard.json (the stack's DashboardPolicyArn).";
        }

        return "";
    }

    private QueryFailedException Explain(AwsServiceException e, Run run)
    {
        var workgroup = aws.Value.Athena.Workgroup;
        var what = $"Athena {e.Operation}{OnAthena(run.Id)} failed with {e.ErrorCode} (HTTP {(int)e.StatusCode}, request id {e.RequestId ?? "none"}): {e.ServiceMessage ?? "no message"}.";
        var hint = e.ErrorCode switch
        {
            "AccessDeniedException" or "AccessDenied" or "UnauthorizedOperation" =>
                $" The credentials need athena:{e.Operation} on workgroup '{workgroup}': attach iam/ecomops-dashboard.json (the stack's DashboardPolicyArn) to the user or role the app runs as.",
            "InvalidRequestException" when e.ServiceMessage?.Contains("WorkGroup", StringComparison.OrdinalIgnoreCase) == true =>
                $" Check EcomOps:Aws:Athena:Workgroup ('{workgroup}'): it must exist in this region and be ENABLED.",
            "TooManyRequestsException" or "ThrottlingException" => " Athena kept asking to slow down after the retries; run the query again later.",
            _ => "",
        };
        return new QueryFailedException(what + hint, e);
    }

    private static string Category(int? category) => category switch
    {
        1 => "1 SYSTEM",
        2 => "2 USER",
        3 => "3 OTHER",
        null => "unknown",
        _ => category.Value.ToString(CultureInfo.InvariantCulture),
    };
}
