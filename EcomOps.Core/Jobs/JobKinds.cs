namespace EcomOps.Core.Jobs;

/// <summary>The kinds of run, as stored in <see cref="JobRun.Kind"/>.</summary>
public static class JobKinds
{
    public const string Generate = "generate";
    public const string Upload = "upload";
    public const string CountRows = "count-rows";
}
