namespace EcomOps.Core.Aws;

/// <summary>
/// Settings of the <c>EcomOps:Aws</c> section: the region, profile, endpoint overrides, time-outs and retries of
/// the Glue, Athena, Redshift Data API and STS calls the Aws backend makes. Credentials are never read from settings:
/// they come from the AWS default chain (environment, profile, SSO, container or instance role).
/// </summary>
public sealed class AwsOptions
{
    public const string Section = "EcomOps:Aws";

    /// <summary>
    /// <c>EcomOps:Aws:Region</c>, such as <c>eu-west-1</c>. Default: none, then the AWS chain
    /// (<c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile's region, instance metadata).
    /// </summary>
    public string? Region { get; set; }

    /// <summary><c>EcomOps:Aws:Profile</c>: a named profile of the AWS config and credentials files. Default: the default chain.</summary>
    public string? Profile { get; set; }

    /// <summary><c>EcomOps:Aws:Endpoints:*</c>: per-service endpoint overrides (VPC endpoints, emulators).</summary>
    public AwsEndpointOptions Endpoints { get; set; } = new();

    /// <summary><c>EcomOps:Aws:AttemptTimeoutSeconds</c>: time-out of one HTTP attempt, 1..300 s (default 30); a timed-out attempt is retried.</summary>
    public int AttemptTimeoutSeconds { get; set; } = 30;

    /// <summary><c>EcomOps:Aws:TotalTimeoutSeconds</c>: time-out of a call with all its retries, 1..900 s (default 120).</summary>
    public int TotalTimeoutSeconds { get; set; } = 120;

    /// <summary><c>EcomOps:Aws:MaxRetryAttempts</c>: retries after the first attempt on throttling, 5xx and network errors, 0..10 (default 4).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>
    /// <c>EcomOps:Aws:RetryBaseDelayMilliseconds</c>: the first retry's delay, doubled for each further one with jitter,
    /// 1..60000 ms (default 200).
    /// </summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 200;

    /// <summary><c>EcomOps:Aws:RetryMaxDelaySeconds</c>: the cap on one retry's delay, 1..300 s (default 20).</summary>
    public int RetryMaxDelaySeconds { get; set; } = 20;

    /// <summary><c>EcomOps:Aws:Glue:*</c>: the Glue job, crawler and database.</summary>
    public GlueResourceOptions Glue { get; set; } = new();

    /// <summary><c>EcomOps:Aws:Athena:*</c>: the workgroup and result location.</summary>
    public AthenaResourceOptions Athena { get; set; } = new();

    /// <summary><c>EcomOps:Aws:Redshift:*</c>: the Redshift target.</summary>
    public RedshiftResourceOptions Redshift { get; set; } = new();
}

/// <summary>Endpoint overrides under <c>EcomOps:Aws:Endpoints</c>, each an absolute http or https URL; unset means the service's public regional endpoint.</summary>
public sealed class AwsEndpointOptions
{
    /// <summary><c>EcomOps:Aws:Endpoints:Glue</c>, such as <c>https://vpce-0123-abcd.glue.eu-west-1.vpce.amazonaws.com</c>.</summary>
    public string? Glue { get; set; }

    /// <summary><c>EcomOps:Aws:Endpoints:Athena</c>.</summary>
    public string? Athena { get; set; }

    /// <summary><c>EcomOps:Aws:Endpoints:RedshiftData</c>.</summary>
    public string? RedshiftData { get; set; }

    /// <summary><c>EcomOps:Aws:Endpoints:Sts</c>.</summary>
    public string? Sts { get; set; }
}
