using Microsoft.Extensions.Options;

namespace EcomOps.Core;

/// <summary>Which engines run the pipeline.</summary>
public enum Backend
{
    /// <summary>Everything on this machine: a lake folder, in-process jobs, DuckDB. The default.</summary>
    Local,

    /// <summary>S3, Glue, Athena and Redshift.</summary>
    Aws,
}

/// <summary>Settings of the <c>EcomOps</c> configuration section, validated at start-up.</summary>
public sealed class EcomOpsOptions
{
    public const string Section = "EcomOps";

    /// <summary>
    /// <c>EcomOps:DataRoot</c>: where EcomOps keeps the lake, the ops database and the warehouse file.
    /// Relative paths are resolved against the current directory. Default <c>./data</c>.
    /// </summary>
    public string DataRoot { get; set; } = "./data";

    /// <summary><c>EcomOps:Backend</c>: <c>Local</c> (default) or <c>Aws</c>.</summary>
    public Backend Backend { get; set; } = Backend.Local;

    /// <summary><c>EcomOps:LakeBucket</c>: the lake's bucket; locally the folder <c>&lt;DataRoot&gt;/lake/&lt;bucket&gt;</c>. Default <c>ecomops-lake</c>.</summary>
    public string LakeBucket { get; set; } = "ecomops-lake";

    /// <summary>
    /// <c>EcomOps:SeedSampleData</c>: copy <c>sample_data/</c> into a new, empty local lake at start-up so a
    /// first run has data to look at. Default true.
    /// </summary>
    public bool SeedSampleData { get; set; } = true;

    /// <summary><c>EcomOps:MaxUploadBytes</c>: the largest file an upload accepts, in bytes. Default 2 GiB.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary><c>EcomOps:SampleDataPath</c>: where the sample CSVs are; default <c>sample_data</c> beside the app.</summary>
    public string? SampleDataPath { get; set; }

    public string DataRootFullPath => Path.GetFullPath(DataRoot);

    /// <summary>The local lake bucket's folder.</summary>
    public string LakeFullPath => Path.Combine(DataRootFullPath, "lake", LakeBucket);

    /// <summary>Unfinished local writes; same file system as the lake, outside every bucket.</summary>
    public string StagingFullPath => Path.Combine(DataRootFullPath, "lake", ".staging");

    public string SampleDataFullPath => Path.GetFullPath(SampleDataPath ?? Path.Combine(AppContext.BaseDirectory, "sample_data"));
}

/// <summary>Start-up checks of <see cref="EcomOpsOptions"/> whose messages name the key to set.</summary>
internal sealed class EcomOpsOptionsValidator : IValidateOptions<EcomOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, EcomOpsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataRoot))
        {
            failures.Add("EcomOps:DataRoot is empty; set it to a folder EcomOps may write to (default ./data).");
        }
        else if (options.DataRoot.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"EcomOps:DataRoot '{options.DataRoot}' is not a valid path.");
        }

        if (options.MaxUploadBytes < 1)
        {
            failures.Add($"EcomOps:MaxUploadBytes is {options.MaxUploadBytes}; set a positive number of bytes (default 2147483648, 2 GiB).");
        }

        if (!Enum.IsDefined(options.Backend))
        {
            failures.Add($"EcomOps:Backend '{options.Backend}' is not a backend; set Local (the default) or Aws.");
        }

        if (string.IsNullOrWhiteSpace(options.LakeBucket) || options.LakeBucket.Length is < 3 or > 63
            || !options.LakeBucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            failures.Add($"EcomOps:LakeBucket '{options.LakeBucket}' is not a valid bucket name: use 3-63 lower-case letters, digits, '-' or '.'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
