namespace EcomOps.Core.Aws;

/// <summary>
/// <c>EcomOps:Aws:Glue</c>: the Glue job, crawler and Data Catalog database the Aws backend's conversion and catalog
/// engines use. The defaults are the names <c>infra/ecomops.yaml</c> creates.
/// </summary>
public sealed class GlueResourceOptions
{
    /// <summary><c>EcomOps:Aws:Glue:JobName</c>: the job that runs <c>etl/glue/csv_to_parquet.py</c> (default <c>ecomops-csv-to-parquet</c>).</summary>
    public string JobName { get; set; } = "ecomops-csv-to-parquet";

    /// <summary><c>EcomOps:Aws:Glue:CrawlerName</c>: the crawler over <c>parquet/</c> (default <c>ecomops-parquet</c>).</summary>
    public string CrawlerName { get; set; } = "ecomops-parquet";

    /// <summary><c>EcomOps:Aws:Glue:Database</c>: the Data Catalog database the crawler writes and Athena reads (default <c>ecom</c>, as locally).</summary>
    public string Database { get; set; } = "ecom";

    /// <summary><c>EcomOps:Aws:Glue:PollSeconds</c>: how often a running job or crawl is asked for its state, 1..300 s (default 10).</summary>
    public int PollSeconds { get; set; } = 10;
}

/// <summary><c>EcomOps:Aws:Athena</c>: where the Aws backend's queries run and leave their results.</summary>
public sealed class AthenaResourceOptions
{
    /// <summary><c>EcomOps:Aws:Athena:Workgroup</c> (default <c>ecomops</c>; its bytes-scanned cutoff applies to every query).</summary>
    public string Workgroup { get; set; } = "ecomops";

    /// <summary>
    /// <c>EcomOps:Aws:Athena:OutputLocation</c>: an <c>s3://</c> prefix for result files. Default: none, then
    /// <c>s3://&lt;LakeBucket&gt;/athena-results/</c> (a workgroup that enforces its own location overrides either).
    /// </summary>
    public string? OutputLocation { get; set; }

    /// <summary><c>EcomOps:Aws:Athena:Catalog</c>: the data catalog queries name (default <c>AwsDataCatalog</c>, the Glue Data Catalog).</summary>
    public string Catalog { get; set; } = "AwsDataCatalog";

    /// <summary><c>EcomOps:Aws:Athena:PollMilliseconds</c>: how often a running query is asked for its state, 50..10000 ms (default 500).</summary>
    public int PollMilliseconds { get; set; } = 500;
}

/// <summary>
/// <c>EcomOps:Aws:Redshift</c>: the Redshift target of the Data API. Exactly one of <see cref="WorkgroupName"/>
/// (Serverless) and <see cref="ClusterIdentifier"/> (provisioned); on a cluster, one of <see cref="DbUser"/>
/// (temporary credentials) and <see cref="SecretArn"/>.
/// </summary>
public sealed class RedshiftResourceOptions
{
    /// <summary><c>EcomOps:Aws:Redshift:WorkgroupName</c>: a Redshift Serverless workgroup (default <c>ecomops</c>, unless a cluster is set).</summary>
    public string? WorkgroupName { get; set; }

    /// <summary><c>EcomOps:Aws:Redshift:ClusterIdentifier</c>: a provisioned cluster instead of a workgroup.</summary>
    public string? ClusterIdentifier { get; set; }

    /// <summary><c>EcomOps:Aws:Redshift:Database</c> (default <c>dev</c>).</summary>
    public string Database { get; set; } = "dev";

    /// <summary><c>EcomOps:Aws:Redshift:DbUser</c>: on a cluster, the database user the Data API gets temporary credentials for.</summary>
    public string? DbUser { get; set; }

    /// <summary><c>EcomOps:Aws:Redshift:SecretArn</c>: a Secrets Manager secret holding the database user and password.</summary>
    public string? SecretArn { get; set; }

    /// <summary>
    /// <c>EcomOps:Aws:Redshift:CopyRoleArn</c>: the IAM role COPY reads the lake with, used when a COPY says
    /// <c>IAM_ROLE default</c> or names none (the stack's <c>RedshiftCopyRoleArn</c> output).
    /// </summary>
    public string? CopyRoleArn { get; set; }

    /// <summary><c>EcomOps:Aws:Redshift:PollMilliseconds</c>: how often a running statement is asked for its state, 50..10000 ms (default 500).</summary>
    public int PollMilliseconds { get; set; } = 500;

    /// <summary>For people: the target, such as <c>Serverless workgroup ecomops</c> or <c>cluster ecomops-dc2</c>.</summary>
    public string TargetName => EffectiveWorkgroup is { } workgroup ? $"Serverless workgroup {workgroup}" : $"cluster {ClusterIdentifier}";

    /// <summary>The setting that names the target: <c>EcomOps:Aws:Redshift:WorkgroupName</c> or <c>:ClusterIdentifier</c>.</summary>
    public string TargetSettingKey => EffectiveWorkgroup is not null ? "EcomOps:Aws:Redshift:WorkgroupName" : "EcomOps:Aws:Redshift:ClusterIdentifier";

    /// <summary>The Serverless workgroup in use: the one set, or <c>ecomops</c> when neither it nor a cluster is.</summary>
    public string? EffectiveWorkgroup => string.IsNullOrWhiteSpace(ClusterIdentifier) ? (string.IsNullOrWhiteSpace(WorkgroupName) ? "ecomops" : WorkgroupName) : null;
}
