using System.Globalization;
using System.Net;
using EcomOps.Core.Aws;
using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Aws.Glue;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EcomOps.Core.Health;

// The Aws backend's checks, one harmless read call each. A refusal is unhealthy with AWS's own words, code and
// request id (AwsServiceException's message), then what to set; a missing resource says which setting names it.

/// <summary>Who the credentials are: <c>sts:GetCallerIdentity</c>, which needs no permission.</summary>
internal sealed class AwsIdentityHealthCheck(IAwsIdentity identity, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var caller = await identity.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Signed in as {caller.Arn} (account {caller.Account}) in {endpoints.Region}.");
        }
        catch (AwsServiceException e)
        {
            return HealthCheckResult.Unhealthy($"{Security.SecretRedactor.Redact(e.Message)} The credentials come from the AWS default chain (AWS_PROFILE or EcomOps:Aws:Profile, environment variables, SSO, container or instance role): refresh them, for example with 'aws sso login'.", Security.SecretRedactor.ForLog(e));
        }
        catch (Exception e) when (e is HttpRequestException or Amazon.Runtime.AmazonClientException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"STS cannot be reached or no credentials were found: {Security.SecretRedactor.Redact(e.Message)} (check EcomOps:Aws:Region, EcomOps:Aws:Endpoints:Sts and the AWS default chain).", Security.SecretRedactor.ForLog(e));
        }
    }
}

/// <summary>The conversion job exists and can be read: <c>glue:GetJobRuns</c> for its latest run.</summary>
internal sealed class GlueJobHealthCheck(GlueClient glue, IOptions<AwsOptions> options, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var job = options.Value.Glue.JobName;
        return await AwsCheck.RunAsync($"Glue job {job}", "EcomOps:Aws:Glue:JobName", endpoints.Region, async () =>
        {
            var runs = await glue.GetJobRunsAsync(new GetJobRunsRequest(job, MaxResults: 1), cancellationToken).ConfigureAwait(false);
            var last = runs.JobRuns?.FirstOrDefault();
            return last is null
                ? $"The Glue job {job} answers; it has not run yet."
                : $"The Glue job {job} answers; its last run {last.Id} is {last.JobRunState}{AwsCheck.Since(last.StartedOn)}.";
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The crawler exists and can be read: <c>glue:GetCrawler</c>.</summary>
internal sealed class GlueCrawlerHealthCheck(GlueClient glue, IOptions<AwsOptions> options, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var name = options.Value.Glue.CrawlerName;
        return await AwsCheck.RunAsync($"Glue crawler {name}", "EcomOps:Aws:Glue:CrawlerName", endpoints.Region, async () =>
        {
            var crawler = (await glue.GetCrawlerAsync(new GetCrawlerRequest(name), cancellationToken).ConfigureAwait(false)).Crawler;
            var last = crawler?.LastCrawl is { } crawl ? $"; its last crawl {crawl.Status?.ToLowerInvariant()}{AwsCheck.Since(crawl.StartTime)}" : "; it has not crawled yet";
            return $"The Glue crawler {name} answers ({crawler?.State?.ToLowerInvariant() ?? "state unknown"}, into database {crawler?.DatabaseName}){last}.";
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The Data Catalog database exists and its tables can be listed: <c>glue:GetTables</c> (one table).</summary>
internal sealed class GlueCatalogHealthCheck(GlueClient glue, IOptions<AwsOptions> options, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = options.Value.Glue.Database;
        return await AwsCheck.RunAsync($"Glue database {database}", "EcomOps:Aws:Glue:Database", endpoints.Region, async () =>
        {
            var tables = await glue.GetTablesAsync(new GetTablesRequest(database, MaxResults: 1), cancellationToken).ConfigureAwait(false);
            return tables.TableList is { Count: > 0 } list
                ? $"The Glue database {database} answers (its first table is {list[0].Name})."
                : $"The Glue database {database} answers; it has no tables yet (run the crawler).";
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The workgroup exists and is enabled: <c>athena:GetWorkGroup</c>, with the limits its queries run under.</summary>
internal sealed class AthenaWorkgroupHealthCheck(IAthenaWorkgroupCheck athena, IOptions<AwsOptions> options, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var name = options.Value.Athena.Workgroup;
        return await AwsCheck.RunAsync($"Athena workgroup {name}", "EcomOps:Aws:Athena:Workgroup", endpoints.Region, async () =>
        {
            var workgroup = await athena.GetAsync(cancellationToken).ConfigureAwait(false);
            var cutoff = workgroup.BytesScannedCutoffPerQuery is { } bytes ? string.Create(CultureInfo.InvariantCulture, $"queries stop after {bytes / 1e9:0.##} GB scanned") : "no scan limit per query";
            var results = workgroup.OutputLocation is { } location ? $"results in {location}{(workgroup.Enforced ? " (enforced)" : "")}" : "no result location of its own";
            var said = $"The Athena workgroup {name} answers: {workgroup.State.ToLowerInvariant()}, {cutoff}, {results}{(workgroup.EngineVersion is { } engine ? ", " + engine : "")}.";
            // A disabled workgroup refuses every query: the service is there, but nothing can run.
            return string.Equals(workgroup.State, "ENABLED", StringComparison.OrdinalIgnoreCase) ? said : throw new AwsCheckFailedException(said + " Enable it in the Athena console, or set EcomOps:Aws:Athena:Workgroup to an enabled one.");
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The Redshift target answers a query: <c>SELECT current_user, current_database(), version()</c> through the
/// Data API. Not polled by <c>/readyz</c>: every statement wakes a paused Serverless workgroup, which bills for it.
/// </summary>
internal sealed class RedshiftHealthCheck(RedshiftDataWarehouse redshift, IOptions<AwsOptions> options, AwsEndpointResolver endpoints) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var target = options.Value.Redshift;
        var where = $"Redshift {target.TargetName}";
        return await AwsCheck.RunAsync($"{where}, database {target.Database}", target.TargetSettingKey, endpoints.Region, async () =>
        {
            var (statement, row) = await redshift.CheckAsync("SELECT current_user, current_database(), version()", cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                throw new AwsCheckFailedException($"{where} refused the check query ({statement.Status}): {statement.Error} (statement {statement.Id}).");
            }

            string Value(int i) => row.Count > i ? row[i].StringValue ?? "?" : "?";
            // version() is PostgreSQL's long string with Redshift's own version at its end.
            var version = Value(2);
            var at = version.LastIndexOf("Redshift", StringComparison.Ordinal);
            return $"{where} answers: connected as {Value(0)} to {Value(1)} ({(at >= 0 ? version[at..] : version)}).";
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A check's call answered, but with a failure of its own (a statement that failed).</summary>
internal sealed class AwsCheckFailedException(string message) : Exception(message);

internal static class AwsCheck
{
    /// <summary>Runs one check's calls, turning what AWS answered into the check's result.</summary>
    public static async Task<HealthCheckResult> RunAsync(string what, string key, string region, Func<Task<string>> call, CancellationToken cancellationToken)
    {
        try
        {
            return HealthCheckResult.Healthy(await call().ConfigureAwait(false));
        }
        catch (AwsServiceException e) when (e.ErrorCode is "EntityNotFoundException" or "ResourceNotFoundException" or "ValidationException" && e.StatusCode == HttpStatusCode.BadRequest)
        {
            return HealthCheckResult.Unhealthy($"{what} was not found in {region}: {Security.SecretRedactor.Redact(e.Message)} Create it with infra/ecomops.yaml, or set {key} (and EcomOps:Aws:Region) to the one you have.", Security.SecretRedactor.ForLog(e));
        }
        catch (AwsServiceException e) when (e.ErrorCode is "AccessDeniedException" or "AccessDenied" or "UnrecognizedClientException" or "ExpiredTokenException")
        {
            return HealthCheckResult.Unhealthy($"{what} refused the call: {Security.SecretRedactor.Redact(e.Message)} Attach iam/ecomops-dashboard.json (the stack's DashboardPolicyArn) to the identity the app runs as, or refresh its credentials.", Security.SecretRedactor.ForLog(e));
        }
        catch (AwsServiceException e)
        {
            return HealthCheckResult.Unhealthy($"{what}: {Security.SecretRedactor.Redact(e.Message)}", Security.SecretRedactor.ForLog(e));
        }
        catch (Exception e) when (e is AwsCheckFailedException or RedshiftStatementException)
        {
            // Already in words: a failed statement, or a refusal the warehouse named with its code, request id and permission.
            return HealthCheckResult.Unhealthy(Security.SecretRedactor.Redact(e.Message), Security.SecretRedactor.ForLog(e));
        }
        catch (Exception e) when (e is HttpRequestException or Amazon.Runtime.AmazonClientException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"{what} cannot be reached from here: {Security.SecretRedactor.Redact(e.Message)} (check EcomOps:Aws:Region and EcomOps:Aws:Endpoints).", Security.SecretRedactor.ForLog(e));
        }
    }

    public static string Since(DateTimeOffset? at) => at is { } when ? string.Create(CultureInfo.InvariantCulture, $" (started {when.UtcDateTime:yyyy-MM-dd HH:mm} UTC)") : "";
}
