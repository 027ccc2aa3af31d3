using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Pipeline;
using MudBlazor;

namespace EcomOps.Web.Model;

/// <summary>How the Pipeline page shows runs and steps: colours by status, and the timeline's bars.</summary>
public static class PipelineView
{
    public static Color StepColor(PipelineStepStatus status) => status switch
    {
        PipelineStepStatus.Succeeded => Color.Success,
        PipelineStepStatus.Failed => Color.Error,
        PipelineStepStatus.Cancelled => Color.Warning,
        PipelineStepStatus.Running => Color.Info,
        PipelineStepStatus.Reused => Color.Secondary,
        _ => Color.Default,
    };

    // The same colours in the chart as on the chips (MudBlazor's default palette).
    public static string StepHex(PipelineStepStatus status) => status switch
    {
        PipelineStepStatus.Succeeded => "#00c853",
        PipelineStepStatus.Failed => "#f64e62",
        PipelineStepStatus.Cancelled => "#ff9800",
        PipelineStepStatus.Running => "#2196f3",
        PipelineStepStatus.Reused => "#9e9e9e",
        _ => "#e0e0e0",
    };

    /// <summary>One bar of the timeline: a step from its start (seconds after the run's) for its duration.</summary>
    public sealed record TimelineBar(string Step, PipelineStepStatus Status, double StartSeconds, double Seconds, string Label);

    /// <summary>
    /// The steps as bars on the run's own clock. A step not started yet (pending, skipped) has a sliver at the end of
    /// what ran, so every step keeps its row; a reused step, done by an earlier run, a sliver at the start.
    /// </summary>
    public static IReadOnlyList<TimelineBar> Timeline(PipelineRun run, DateTimeOffset now)
    {
        var origin = run.StartedAt ?? run.Steps.Select(s => s.StartedAt).FirstOrDefault(s => s is not null) ?? now;
        var end = run.Steps.Select(s => s.EndedAt ?? (s.StartedAt is not null ? now : (DateTimeOffset?)null)).Where(e => e is not null).Select(e => e!.Value).DefaultIfEmpty(origin).Max();
        var total = Math.Max((end - origin).TotalSeconds, 0.001);
        var sliver = total / 200;
        var bars = new List<TimelineBar>();
        foreach (var step in run.Steps)
        {
            var label = step.Status.ToString().ToLowerInvariant();
            if (step.Status == PipelineStepStatus.Reused || step.StartedAt is not { } started)
            {
                bars.Add(new TimelineBar(step.Name, step.Status, step.Status == PipelineStepStatus.Reused ? 0 : total, sliver, label));
                continue;
            }

            var seconds = Math.Max(((step.EndedAt ?? now) - started).TotalSeconds, sliver);
            bars.Add(new TimelineBar(step.Name, step.Status, Math.Max((started - origin).TotalSeconds, 0), seconds,
                string.Create(CultureInfo.InvariantCulture, $"{label} {Format.Duration(TimeSpan.FromSeconds(seconds))}")));
        }

        return bars;
    }

    /// <summary>The one-line summary of a run's steps: "generate ✓ convert ✓ crawl ✗ load –".</summary>
    public static string StepsSummary(PipelineRun run) => string.Join("  ", run.Steps.Select(s => $"{s.Name} {Mark(s.Status)}"));

    public static string Mark(PipelineStepStatus status) => status switch
    {
        PipelineStepStatus.Succeeded => "✓",
        PipelineStepStatus.Reused => "↺",
        PipelineStepStatus.Failed => "✗",
        PipelineStepStatus.Cancelled => "■",
        PipelineStepStatus.Running => "…",
        PipelineStepStatus.Skipped => "–",
        _ => "·",
    };

    public static bool IsLive(JobStatus status) => status is JobStatus.Queued or JobStatus.Running;
}
