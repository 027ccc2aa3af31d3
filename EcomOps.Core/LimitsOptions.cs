using System.Globalization;
using Microsoft.Extensions.Options;

namespace EcomOps.Core;

/// <summary>
/// Settings of the <c>EcomOps:Limits</c> section: how much one user may ask of the server, so one person (or one
/// script) cannot take it from everyone else. Validated at start-up.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "EcomOps:Limits";

    /// <summary><c>EcomOps:Limits:QueriesPerMinute</c>: query runs (editor, builder, saved, downloads) one user may start a minute. Default 60.</summary>
    public int QueriesPerMinute { get; set; } = 60;

    /// <summary><c>EcomOps:Limits:MaxUploadFiles</c>: files one upload (a drop on the Lake page, one CLI command) may hold. Default 20.</summary>
    public int MaxUploadFiles { get; set; } = 20;

    /// <summary>
    /// <c>EcomOps:Limits:MaxUploadBatchBytes</c>: bytes all the files of one upload may hold together. Default 4 GiB;
    /// each file is also capped by <c>EcomOps:MaxUploadBytes</c>.
    /// </summary>
    public long MaxUploadBatchBytes { get; set; } = 4L * 1024 * 1024 * 1024;
}

/// <summary>Start-up checks of <see cref="LimitsOptions"/> whose messages name the key to set.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        if (options.QueriesPerMinute is < 1 or > 100_000)
        {
            failures.Add(Invariant($"EcomOps:Limits:QueriesPerMinute is {options.QueriesPerMinute}; set 1 to 100000 queries a minute per user (default 60)."));
        }

        if (options.MaxUploadFiles is < 1 or > 10_000)
        {
            failures.Add(Invariant($"EcomOps:Limits:MaxUploadFiles is {options.MaxUploadFiles}; set 1 to 10000 files per upload (default 20)."));
        }

        if (options.MaxUploadBatchBytes < 1)
        {
            failures.Add(Invariant($"EcomOps:Limits:MaxUploadBatchBytes is {options.MaxUploadBatchBytes}; set a positive number of bytes (default 4294967296, 4 GiB)."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
