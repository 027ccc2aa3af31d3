namespace EcomOps.Core.Jobs;

/// <summary>The kinds of run, as stored in <see cref="JobRun.Kind"/>.</summary>
public static class JobKinds
{
    public const string Generate = "generate";
    public const string Upload = "upload";
    public const string Convert = "convert";
    public const string CountRows = "count-rows";
    public const string Crawl = "crawl";
    public const string Load = "load";
    public const string Pipeline = "pipeline";

    public static IReadOnlyList<string> All { get; } = [Generate, Upload, Convert, CountRows, Crawl, Load, Pipeline];
}
