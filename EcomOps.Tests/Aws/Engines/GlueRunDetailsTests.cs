using EcomOps.Core.Aws.Engines;
using EcomOps.Core.Aws.Glue;

namespace EcomOps.Tests.Aws.Engines;

/// <summary>The DPU-seconds shown for a Glue run, from whichever of Glue's numbers it answered with.</summary>
public sealed class GlueRunDetailsTests
{
    [Theory]
    [InlineData(123.5, 2.0, "G.1X", 2, 60, 123.5)] // Glue's own figure (auto-scaling, Flex) wins
    [InlineData(null, 10.0, "G.2X", 5, 60, 600.0)] // MaxCapacity × seconds
    [InlineData(null, null, "G.2X", 5, 60, 600.0)] // workers × DPUs per worker × seconds
    [InlineData(null, null, "G.025X", 2, 100, 50.0)]
    [InlineData(null, null, "Q.9X", 2, 100, null)] // an unknown worker type: not guessed
    [InlineData(null, 2.0, null, null, null, null)] // no execution time yet
    public void DpuSeconds_AreGluesOwn_ElseCapacityTimesExecutionTime(double? reported, double? maxCapacity, string? workerType, int? workers, int? seconds, double? expected)
    {
        var run = new JobRun { DPUSeconds = reported, MaxCapacity = maxCapacity, WorkerType = workerType, NumberOfWorkers = workers, ExecutionTime = seconds };

        Assert.Equal(expected, GlueConversionEngine.DpuSecondsOf(run));
    }
}
