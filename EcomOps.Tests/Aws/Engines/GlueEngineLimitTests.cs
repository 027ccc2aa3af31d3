using EcomOps.Core.Jobs;
using EcomOps.Tests.Support;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>The glue engine's default limit of one run (the job's MaxConcurrentRuns), and settings that change it.</summary>
public sealed class GlueEngineLimitTests
{
    [Fact]
    public void GlueLimit_IsOneByDefault_AndSettingsOverrideItOrAddOthers()
    {
        using var plain = new CoreHost();
        using var configured = new CoreHost(configuration: new() { ["EcomOps:Jobs:EngineLimits:glue"] = "3", ["EcomOps:Jobs:EngineLimits:athena"] = "5" });

        Assert.Equal(1, plain.Get<IOptions<JobsOptions>>().Value.LimitOf(JobResources.Engine("glue")));
        Assert.Equal(int.MaxValue, plain.Get<IOptions<JobsOptions>>().Value.LimitOf(JobResources.Engine("athena")));
        Assert.Equal(3, configured.Get<IOptions<JobsOptions>>().Value.LimitOf(JobResources.Engine("glue")));
        Assert.Equal(5, configured.Get<IOptions<JobsOptions>>().Value.LimitOf(JobResources.Engine("athena")));
    }
}
