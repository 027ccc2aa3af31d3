using System.Collections.Concurrent;
using EcomOps.Core.Jobs;

namespace EcomOps.Tests.Jobs;

/// <summary>
/// A job kind for tests. Its work is a script registered under a name, so its parameters stay a serialisable
/// record (and can be retried and re-attached like any real kind's) while each test says what the work does.
/// </summary>
public sealed record TestJob(
    string Script,
    string Title = "test",
    IReadOnlyList<string>? Steps = null,
    string? Dataset = null,
    IReadOnlyList<string>? Resources = null,
    string? Argument = null) : IJobParameters;

public delegate Task TestWork(JobContext context, TestJob job, CancellationToken cancellationToken);

public delegate Task TestResume(JobContext context, TestJob job, string externalId, CancellationToken cancellationToken);

public static class TestScripts
{
    private static readonly ConcurrentDictionary<string, TestWork> Work = new();
    private static readonly ConcurrentDictionary<string, TestResume> Resumes = new();

    /// <summary>Registers work (and, for remote work, how to follow it after a restart); returns the job to start.</summary>
    public static TestJob Job(TestWork work, TestResume? resume = null, string title = "test", string? dataset = null, IReadOnlyList<string>? steps = null, IReadOnlyList<string>? resources = null, string? argument = null)
    {
        var name = Guid.NewGuid().ToString("N");
        Work[name] = work;
        if (resume is not null)
        {
            Resumes[name] = resume;
        }

        return new TestJob(name, title, steps, dataset, resources, argument);
    }

    internal static TestWork WorkOf(TestJob job) => Work[job.Script];

    internal static TestResume ResumeOf(TestJob job) =>
        Resumes.TryGetValue(job.Script, out var resume) ? resume : throw new NotSupportedException("This test job has no resume script.");
}

/// <summary>Runs <see cref="TestJob"/>s (kind <c>test</c>); registered by <see cref="Support.CoreHost"/>.</summary>
public sealed class TestJobHandler : JobHandler<TestJob>
{
    public override string Kind => "test";

    public override bool CanResume => true;

    public override JobPlan Plan(TestJob parameters) => new(
        parameters.Title,
        parameters.Steps ?? ["s"],
        parameters.Argument is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["argument"] = parameters.Argument },
        parameters.Dataset,
        parameters.Resources);

    public override Task RunAsync(JobContext context, TestJob parameters, CancellationToken cancellationToken) =>
        TestScripts.WorkOf(parameters)(context, parameters, cancellationToken);

    public override Task ResumeAsync(JobContext context, TestJob parameters, string externalId, CancellationToken cancellationToken) =>
        TestScripts.ResumeOf(parameters)(context, parameters, externalId, cancellationToken);
}
