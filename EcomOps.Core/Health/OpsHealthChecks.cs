using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using DuckDB.NET.Data;
using EcomOps.Core.Ops;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Health;

/// <summary>The ops database opens (migrated) and answers a query.</summary>
internal sealed class OpsDatabaseHealthCheck(OpsDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM ops_schema";
            var capabilities = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"The ops database {database.Path} answers ({capabilities} capabilities' tables)."));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The ops database {database.Path} cannot be used: {Security.SecretRedactor.Redact(e.Message)}", Security.SecretRedactor.ForLog(e));
        }
    }
}

/// <summary>The Local backend's lake: its folder is a folder, can be listed, and takes a file.</summary>
internal sealed class LocalLakeHealthCheck(IOptions<EcomOpsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folder = options.Value.LakeFullPath;
        if (File.Exists(folder))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The lake folder {folder} is a file, not a folder: nothing can be read from or written to the lake. Move the file away and restore the folder (EcomOps:DataRoot, EcomOps:LakeBucket)."));
        }

        if (!Directory.Exists(folder))
        {
            // A new data root with no sample data has no lake folder until the first upload makes it.
            return Task.FromResult(HealthCheckResult.Degraded($"The lake folder {folder} does not exist yet; the first upload or generation creates it."));
        }

        try
        {
            using (var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator())
            {
                entries.MoveNext();
            }

            // A dot-file: the lake's listings and the crawler ignore it, and it is gone when closed.
            var probe = Path.Combine(folder, $".ecomops-health-{Guid.NewGuid():N}");
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.WriteByte(1);
            }

            return Task.FromResult(HealthCheckResult.Healthy($"The lake folder {folder} can be read and written."));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The lake folder {folder} cannot be read or written: {Security.SecretRedactor.Redact(e.Message)}", Security.SecretRedactor.ForLog(e)));
        }
    }
}

/// <summary>
/// The Local backend's warehouse: the DuckDB file opens read-only. Held by another process (a CLI load), it is busy,
/// not broken: degraded, as loads and warehouse queries wait for it.
/// </summary>
internal sealed class LocalWarehouseHealthCheck(IOptions<EcomOpsOptions> root, IOptions<WarehouseOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var path = options.Value.FullPath(root.Value);
        if (!File.Exists(path))
        {
            return HealthCheckResult.Degraded($"The warehouse {path} does not exist yet; the dashboard's start or 'ecomops warehouse init' creates it.");
        }

        try
        {
            await using var connection = new DuckDBConnection($"DataSource={path};ACCESS_MODE=READ_ONLY");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM information_schema.tables";
            var tables = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"The warehouse {path} opens ({tables} tables)."));
        }
        catch (DuckDBException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            return HealthCheckResult.Degraded($"The warehouse {path} is held by another process (a load from the CLI?); loads and warehouse queries wait for it. ({e.Message.Split('\n')[0]})");
        }
        catch (DuckDBException e)
        {
            return HealthCheckResult.Unhealthy($"The warehouse {path} cannot be opened: {e.Message.Split('\n')[0]}", e);
        }
    }
}

/// <summary>The Aws backend's lake: the S3 bucket answers a listing of one key with these credentials.</summary>
internal sealed class S3LakeHealthCheck(IAmazonS3 s3, IOptions<EcomOpsOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bucket = options.Value.LakeBucket;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"The S3 bucket s3://{bucket}/ answers ({stopwatch.ElapsedMilliseconds} ms)."));
        }
        catch (AmazonS3Exception e)
        {
            return HealthCheckResult.Unhealthy($"The S3 bucket s3://{bucket}/ refused a listing: {e.ErrorCode} {Security.SecretRedactor.Redact(e.Message)} (check EcomOps:LakeBucket, EcomOps:S3 and the credentials' policy).", Security.SecretRedactor.ForLog(e));
        }
        catch (Exception e) when (e is HttpRequestException or Amazon.Runtime.AmazonClientException)
        {
            return HealthCheckResult.Unhealthy($"The S3 bucket s3://{bucket}/ cannot be reached: {Security.SecretRedactor.Redact(e.Message)} (check EcomOps:S3:Region or EcomOps:S3:ServiceUrl).", Security.SecretRedactor.ForLog(e));
        }
    }
}
