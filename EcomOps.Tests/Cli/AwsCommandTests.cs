using Amazon.S3.Model;
using EcomOps.Cli;
using EcomOps.Core.Conversion;
using EcomOps.Tests.Storage;
using EcomOps.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Cli;

/// <summary><c>ecomops aws deploy-script</c> puts the Glue job's script where the job runs it from, on either backend.</summary>
public sealed class AwsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static string RepositoryScript => Path.Combine(RepoPaths.Root, "etl", "glue", GlueJobScript.FileName);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task DeployScript_UploadsTheShippedScriptToScriptsInTheLocalLake_ByteForByte()
    {
        var (code, stdout, stderr) = await AwsCommandTests.RunAsync(["--data-root", _dir.Combine("data"), "aws", "deploy-script"]);

        Assert.True(code == 0, stderr);
        var uploaded = Path.Combine(_dir.Combine("data"), "lake", "ecomops-lake", "scripts", "csv_to_parquet.py");
        Assert.Equal(await File.ReadAllBytesAsync(RepositoryScript), await File.ReadAllBytesAsync(uploaded));
        Assert.EndsWith($"{GlueJobScript.LakeKey}\t{new FileInfo(RepositoryScript).Length} bytes", stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployScript_RefusesAScriptWhoseSchemaIsNotTheApps_AndUploadsNothing()
    {
        var drifted = _dir.Combine("drifted.py");
        await File.WriteAllTextAsync(drifted, (await File.ReadAllTextAsync(RepositoryScript)).Replace("(\"Stock\", \"int32\"", "(\"Stock\", \"int64\"", StringComparison.Ordinal));

        var (code, _, stderr) = await AwsCommandTests.RunAsync(["--data-root", _dir.Combine("data"), "aws", "deploy-script", "--script", drifted]);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("schema block differs from EcomOps.Core/Datasets/DatasetRegistry.cs", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Combine("data"), "lake", "ecomops-lake", "scripts", "csv_to_parquet.py")));
    }

    [Fact]
    public async Task DeployScript_WithAMissingScript_SaysWhichFile()
    {
        var (code, _, stderr) = await AwsCommandTests.RunAsync(["--data-root", _dir.Combine("data"), "aws", "deploy-script", "--script", _dir.Combine("nope.py")]);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("nope.py", stderr, StringComparison.Ordinal);
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>The same command on the Aws backend: the script lands in the S3 bucket (s3rver), byte for byte.</summary>
[Collection(S3rverCollection.Name)]
public sealed class AwsCommandOnS3Tests(S3rverFixture s3rver) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task DeployScript_UploadsToTheBucketsScriptsPrefix()
    {
        // As the other S3 tests: credentials come from the environment, s3rver's unless the developer set their own.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
        }

        var bucket = await s3rver.CreateBucketAsync();
        var (code, stdout, stderr) = await AwsCommandTests.RunAsync(
        [
            "--data-root", _dir.Combine("data"), "--EcomOps:Backend=Aws", $"--EcomOps:LakeBucket={bucket}",
            $"--EcomOps:S3:ServiceUrl={s3rver.ServiceUrl}", "--EcomOps:S3:ForcePathStyle=true", "--EcomOps:S3:DisableChunkedEncoding=true",
            "aws", "deploy-script",
        ]);

        Assert.True(code == 0, stderr);
        Assert.StartsWith($"s3://{bucket}/{GlueJobScript.LakeKey}\t", stdout, StringComparison.Ordinal);
        using var client = s3rver.CreateClient();
        using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = GlueJobScript.LakeKey });
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Root, "etl", "glue", GlueJobScript.FileName)), body.ToArray());
    }
}

/// <summary><c>ecomops check</c>: the Settings page's checks from the command line.</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task OnLocal_EachCheckIsALine_AndAnUnhealthyOneFailsTheCommand()
    {
        var data = _dir.Combine("data");
        Directory.CreateDirectory(Path.Combine(data, "lake"));
        // The lake's folder is a file: nothing can be read or written there.
        await File.WriteAllTextAsync(Path.Combine(data, "lake", "ecomops-lake"), "not a folder");

        var (code, stdout, stderr) = await AwsCommandTests.RunAsync(["--data-root", data, "check"]);

        Assert.Equal(CliApp.Failure, code);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal(["ops-database", "lake", "warehouse"], lines.Select(l => l.Split('\t')[0]).ToArray());
        Assert.StartsWith("lake\tUnhealthy\t", lines[1], StringComparison.Ordinal);
        Assert.Contains("is a file, not a folder", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("ops-database\tHealthy\t", lines[0], StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task ANamedCheck_RunsOnlyIt_AndAnUnknownNameListsTheKnownOnes()
    {
        var data = _dir.Combine("data");

        var (code, stdout, _) = await AwsCommandTests.RunAsync(["--data-root", data, "check", "ops-database"]);
        var (badCode, _, stderr) = await AwsCommandTests.RunAsync(["--data-root", data, "check", "glue-job"]);

        Assert.Equal(0, code);
        Assert.StartsWith("ops-database\tHealthy\t", Assert.Single(stdout.TrimEnd().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, badCode);
        Assert.Contains("no check named glue-job; this backend's checks are ops-database, lake, warehouse", stderr, StringComparison.Ordinal);
    }
}
