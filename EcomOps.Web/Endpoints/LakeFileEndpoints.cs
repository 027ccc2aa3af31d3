using EcomOps.Core.Lake;
using EcomOps.Core.Storage;

namespace EcomOps.Web.Endpoints;

/// <summary>Downloads of lake objects, for the links the pages show.</summary>
public static class LakeFileEndpoints
{
    public const string Prefix = "/files/lake/";

    /// <summary>The download URL of a lake key.</summary>
    public static string UrlFor(string key) => Prefix + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    public static IEndpointRouteBuilder MapLakeFiles(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Prefix + "{**key}", async (string key, ILakeService lake, CancellationToken cancellationToken) =>
        {
            if (ObjectKey.Problem(key) is { } problem)
            {
                return Results.Problem($"Invalid object key '{key}': {problem}.", statusCode: StatusCodes.Status400BadRequest);
            }

            // Through the lake service, so the download is checked against the caller's role like everything else.
            if (await lake.OpenDownloadAsync(key, cancellationToken) is not var (info, stream))
            {
                return Results.Problem($"No object '{key}' in the lake.", statusCode: StatusCodes.Status404NotFound);
            }

            var contentType = key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/octet-stream";
            return Results.Stream(stream, contentType, info.Name, info.LastModified);
        });
        return endpoints;
    }
}
