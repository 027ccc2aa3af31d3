using EcomOps.Core.Jobs;

namespace EcomOps.Core.Security;

/// <summary>
/// <see cref="SecretRedactor"/> over the text of a run that people read or the ops database keeps: its title, options,
/// serialised parameters, error, outputs and results. The runner applies it where that text is set, and the history
/// again as it writes, so no secret reaches a screen, a log line or the database file.
/// </summary>
internal static class RunRedaction
{
    /// <summary>The run with every secret-looking value masked; the same instance when it holds none.</summary>
    public static JobRun Redacted(this JobRun run)
    {
        var title = SecretRedactor.Redact(run.Title);
        var parameters = Redacted(run.Parameters);
        var json = SecretRedactor.RedactJson(run.ParametersJson);
        var error = SecretRedactor.Redact(run.Error);
        var outputs = Redacted(run.Outputs);
        var results = Redacted(run.Results);
        if (title == run.Title && ReferenceEquals(parameters, run.Parameters) && json == run.ParametersJson && error == run.Error
            && ReferenceEquals(outputs, run.Outputs) && ReferenceEquals(results, run.Results))
        {
            return run;
        }

        return run with { Title = title, Parameters = parameters, ParametersJson = json, Error = error, Outputs = outputs, Results = results };
    }

    /// <summary>Result lines with their values masked; the same list when none holds a secret.</summary>
    public static IReadOnlyList<JobResult>? Redacted(IReadOnlyList<JobResult>? results)
    {
        if (results is null || !results.Any(r => SecretRedactor.ContainsSecret(r.Name) || SecretRedactor.ContainsSecret(r.Value)))
        {
            return results;
        }

        return [.. results.Select(r => new JobResult(SecretRedactor.Redact(r.Name), SecretRedactor.Redact(r.Value)))];
    }

    private static IReadOnlyDictionary<string, string> Redacted(IReadOnlyDictionary<string, string> parameters)
    {
        if (!parameters.Any(p => SecretRedactor.ContainsSecret(p.Value)))
        {
            return parameters;
        }

        return parameters.ToDictionary(p => p.Key, p => SecretRedactor.Redact(p.Value));
    }

    private static IReadOnlyList<JobOutput> Redacted(IReadOnlyList<JobOutput> outputs)
    {
        if (!outputs.Any(o => SecretRedactor.ContainsSecret(o.Location)))
        {
            return outputs;
        }

        return [.. outputs.Select(o => o with { Location = SecretRedactor.Redact(o.Location) })];
    }
}
